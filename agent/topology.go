package agent

import (
	"github.com/flumego/flume"
	view "github.com/flumego/flume/topology"
)

// Topology describes the snapshot as a graph (package topology): a node
// per source, selector, channel, sink group and sink, running or dropped,
// with its live state, and the edges events take. It is the one
// description the monitoring page and flume-ng graph draw.
func (s Snapshot) Topology() view.Graph {
	b := view.NewBuilder(s.Agent, s.Generation, s.Running)
	node := func(kind view.Kind, c Component) view.Node {
		return view.Node{Kind: kind, Name: c.Name, Type: c.Type, State: c.State.String(), Instance: c.ID,
			Fingerprint: c.Fingerprint, Counters: c.Counters}
	}
	dropped := func(kind view.Kind, d Dropped) view.Node {
		return view.Node{Kind: kind, Name: d.Name, Type: d.Type, Dropped: true, Undefined: d.Undefined}
	}
	src, sel := func(name string) string { return view.ID(view.Source, name) }, func(name string) string { return view.ID(view.Selector, name) }
	ch, grp, snk := func(name string) string { return view.ID(view.Channel, name) },
		func(name string) string { return view.ID(view.SinkGroup, name) },
		func(name string) string { return view.ID(view.Sink, name) }

	// Nodes, in data-flow order: running ones first, then dropped ones.
	for _, so := range s.Sources {
		b.Add(node(view.Source, so.Component))
		b.Add(view.Node{Kind: view.Selector, Name: so.Name, Type: so.Selector, State: so.State.String()})
	}
	for _, c := range s.Channels {
		n := node(view.Channel, c.Component)
		n.Fill = &view.Fill{Len: c.Len, Capacity: c.Capacity, TransactionCapacity: c.TransactionCapacity}
		b.Add(n)
	}
	for _, r := range s.Runners {
		if r.Kind == KindSinkGroup {
			n := node(view.SinkGroup, r.Component)
			n.Counters = nil
			b.Add(n)
		}
	}
	for _, k := range s.Sinks {
		n := node(view.Sink, k.Component)
		if m := k.Member; m != nil {
			n.Member = &view.Member{Priority: m.Priority, Active: m.Active, Failures: m.Failures, PenaltyUntil: m.PenaltyUntil}
		}
		b.Add(n)
	}
	for _, d := range s.Dropped {
		switch d.Kind {
		case flume.KindSource:
			b.Add(dropped(view.Source, d))
		case flume.KindChannel:
			b.Add(dropped(view.Channel, d))
		case KindSinkGroup:
			b.Add(dropped(view.SinkGroup, d))
		case flume.KindSink:
			b.Add(dropped(view.Sink, d))
		}
	}

	// Edges.
	for _, so := range s.Sources {
		b.Link(src(so.Name), sel(so.Name))
		for _, c := range append(so.Channels, so.DroppedChannels...) {
			b.Link(sel(so.Name), ch(c))
		}
	}
	sinkChannel := map[string]string{}
	for _, k := range s.Sinks {
		sinkChannel[k.Name] = k.Channel
	}
	for _, d := range s.Dropped {
		if d.Kind == flume.KindSink && len(d.Channels) > 0 {
			sinkChannel[d.Name] = d.Channels[0]
		}
	}
	inGroup := map[string]bool{}
	group := func(name string, sinks []string) {
		for _, k := range sinks {
			inGroup[k] = true
			if c, ok := sinkChannel[k]; ok {
				b.Link(ch(c), grp(name))
			}
			b.Link(grp(name), snk(k))
		}
	}
	for _, r := range s.Runners {
		if r.Kind == KindSinkGroup {
			group(r.Name, append(r.Sinks, r.DroppedSinks...))
		}
	}
	for _, d := range s.Dropped {
		switch d.Kind {
		case flume.KindSource:
			for _, c := range d.Channels {
				b.Link(src(d.Name), ch(c))
			}
		case KindSinkGroup:
			group(d.Name, d.Sinks)
		}
	}
	for _, k := range s.Sinks {
		if !inGroup[k.Name] {
			b.Link(ch(k.Channel), snk(k.Name))
		}
	}
	for _, d := range s.Dropped {
		if d.Kind == flume.KindSink && !inGroup[d.Name] {
			for _, c := range d.Channels {
				b.Link(ch(c), snk(d.Name))
			}
		}
	}
	return b.Graph()
}

// topology is the agent's topology now, for the monitoring page.
func (a *Agent) topology() view.Graph { return a.Snapshot().Topology() }
