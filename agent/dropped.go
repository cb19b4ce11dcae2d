package agent

import (
	"slices"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
)

// Dropped is a configured component that does not run: the configuration
// check or the build dropped it (an unknown type, a missing channel, a
// factory error, a channel nothing is connected to, ...), or another
// component names it but it is not configured at all. The problems that
// Build returns say why.
type Dropped struct {
	Name string
	// Kind is flume.KindSource, flume.KindChannel, flume.KindSink or
	// KindSinkGroup.
	Kind flume.Kind
	// Type is the type as configured (for a sink group, its
	// processor.type); "" when none is.
	Type string
	// Undefined is set for a name another component refers to that has no
	// configuration.
	Undefined bool
	// Channels are a source's channels or a sink's channel, as configured.
	Channels []string
	// Sinks are a sink group's sinks, as configured.
	Sinks []string
}

// droppedOf lists what cfg configures (or names) that t does not run, and
// for each running source and sink group the channels and sinks it is
// configured with that do not run.
func droppedOf(cfg *conf.AgentConfig, t *topology) ([]Dropped, map[counterKey][]string) {
	built := map[counterKey]bool{}
	for _, n := range t.sources {
		built[counterKey{flume.KindSource, n.name}] = true
	}
	for _, n := range t.channels {
		built[counterKey{flume.KindChannel, n.name}] = true
	}
	for _, n := range t.runners { // t.sinks may hold a sink whose group was dropped
		for _, name := range n.members {
			built[counterKey{flume.KindSink, name}] = true
		}
		if n.group {
			built[counterKey{KindSinkGroup, n.name}] = true
		}
	}
	var comps []*conf.Component
	for _, s := range cfg.Sources {
		comps = append(comps, &s.Component)
	}
	comps = append(comps, cfg.Channels...)
	for _, s := range cfg.Sinks {
		comps = append(comps, &s.Component)
	}
	for _, g := range cfg.SinkGroups {
		c := g.Component
		c.Kind = KindSinkGroup
		comps = append(comps, &c)
	}
	comps = append(comps, cfg.Dropped...)

	configured := map[counterKey]bool{}
	var dropped []Dropped
	links := map[counterKey][]string{}
	for _, c := range comps {
		k := counterKey{c.Kind, c.Name}
		if configured[k] {
			continue
		}
		configured[k] = true
		d := Dropped{Name: c.Name, Kind: c.Kind, Type: c.Type}
		switch c.Kind {
		case flume.KindSource:
			d.Channels = listProp(c, "channels")
		case flume.KindSink:
			d.Channels = listProp(c, "channel")
		case KindSinkGroup:
			d.Type = propValue(c, "processor.type")
			d.Sinks = listProp(c, "sinks")
		}
		if !built[k] {
			dropped = append(dropped, d)
			continue
		}
		var ref []string
		var kind flume.Kind
		switch c.Kind {
		case flume.KindSource:
			ref, kind = d.Channels, flume.KindChannel
		case KindSinkGroup:
			ref, kind = d.Sinks, flume.KindSink
		}
		for _, name := range ref {
			if !built[counterKey{kind, name}] {
				links[k] = append(links[k], name)
			}
		}
	}
	// Names that components refer to but nothing configures.
	undefined := func(kind flume.Kind, names []string) {
		for _, name := range names {
			k := counterKey{kind, name}
			if !configured[k] {
				configured[k] = true
				dropped = append(dropped, Dropped{Name: name, Kind: kind, Undefined: true})
			}
		}
	}
	for _, c := range comps {
		switch c.Kind {
		case flume.KindSource:
			undefined(flume.KindChannel, listProp(c, "channels"))
		case flume.KindSink:
			undefined(flume.KindChannel, listProp(c, "channel"))
		case KindSinkGroup:
			undefined(flume.KindSink, listProp(c, "sinks"))
		}
	}
	slices.SortStableFunc(dropped, func(a, b Dropped) int { return kindOrder(a.Kind) - kindOrder(b.Kind) })
	return dropped, links
}

// kindOrder orders kinds as data flows: sources, channels, sink groups,
// sinks.
func kindOrder(k flume.Kind) int {
	switch k {
	case flume.KindSource:
		return 0
	case flume.KindChannel:
		return 1
	case KindSinkGroup:
		return 2
	}
	return 3
}

// listProp returns the names a component's list property holds, once each.
func listProp(c *conf.Component, key string) []string {
	var out []string
	for _, name := range strings.Fields(propValue(c, key)) {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

func propValue(c *conf.Component, key string) string {
	for _, p := range c.Props {
		if p.Key == c.Prefix+key {
			return strings.TrimSpace(p.Value)
		}
	}
	return ""
}
