package conf

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/flumego/flume"
)

// Component is one source, channel, sink or sink group of an agent as
// configured: its name, its type, and every property under its prefix.
type Component struct {
	// Kind is KindSource, KindChannel or KindSink; "" for sink groups,
	// except in AgentConfig.Dropped, where it is KindSinkGroup.
	Kind   flume.Kind
	Name   string
	Type   string // the "type" value as written; empty for sink groups
	Prefix string // full-key prefix, e.g. "a1.sources.r1."
	// Anchor locates the component: its "type" line, else its first line.
	Anchor flume.Property
	Props  []flume.Property
}

// Context returns a fresh configuration context over the component's
// properties (each call starts a new record of used keys and problems).
func (c *Component) Context() *flume.Context {
	return flume.NewContext(c.Prefix, c.Anchor, c.Props)
}

// Fingerprint is a canonical text of the component's type and properties,
// equal for two components configured identically (used by reloads to keep
// what did not change).
func (c *Component) Fingerprint() string {
	lines := make([]string, 0, len(c.Props))
	for _, p := range c.Props {
		lines = append(lines, strings.TrimPrefix(p.Key, c.Prefix)+"\x00"+p.Value)
	}
	sort.Strings(lines)
	return c.Type + "\x01" + strings.Join(lines, "\x01")
}

// Source is a configured source with its channels.
type Source struct {
	Component
	// Channels are the source's channels that exist, in the order written.
	Channels []string
}

// Sink is a configured sink with its channel.
type Sink struct {
	Component
	Channel string
}

// SinkGroup is a configured sink group.
type SinkGroup struct {
	Component
	// Sinks are the group's sinks that exist and belong to no earlier group.
	Sinks []string
}

// KindSinkGroup is the Kind of a sink group in AgentConfig.Dropped.
const KindSinkGroup flume.Kind = "sinkgroup"

// AgentConfig is what one agent runs: the components that passed Flume's
// first validation stage, in the order they are listed.
type AgentConfig struct {
	Name       string
	Sources    []*Source
	Channels   []*Component
	Sinks      []*Sink
	SinkGroups []*SinkGroup
	// Dropped holds the listed components that validation dropped, with
	// their Kind set, in the order they are listed: sources and sinks
	// dropped for a reason other than their type (no channel, a channel
	// that is not valid, a sink group without processor.type), so that a
	// checker can still report their own problems, such as an unknown
	// type, all at once; and components listed without a type or without
	// any property (their Type is empty, their problem already reported),
	// and dropped sink groups, so that a drawing of the configuration
	// shows them. A component listed without any property has only its
	// Kind, Name, Prefix and, as Anchor, the list that names it.
	Dropped []*Component
	// Problems holds every finding, errors (a dropped component or agent)
	// and warnings, located.
	Problems flume.Problems
}

// Valid reports whether the agent has something to run.
func (a *AgentConfig) Valid() bool {
	return len(a.Channels) > 0 && (len(a.Sources) > 0 || len(a.Sinks) > 0)
}

// Channel returns the configured channel with the given name.
func (a *AgentConfig) Channel(name string) *Component {
	for _, c := range a.Channels {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Load reads the properties files and returns the configuration of agent.
// The error is non-nil only when a file cannot be read or parsed; an
// unusable configuration is reported through AgentConfig.Problems and
// Valid.
func Load(agent string, paths ...string) (*AgentConfig, error) {
	props, err := LoadFiles(paths...)
	if err != nil {
		return nil, err
	}
	return Agent(agent, props), nil
}

// Agent extracts and validates the configuration of one agent.
func Agent(name string, props *Properties) *AgentConfig {
	a := &AgentConfig{Name: name}
	a.Problems = append(a.Problems, props.Problems...)
	b := builder{agent: a, prefix: name + ".", props: props}
	b.collect(props)
	b.applyConfigFilters()
	b.validate()
	return a
}

type builder struct {
	agent  *AgentConfig
	props  *Properties
	prefix string // "a1."
	lists  map[string]flume.Property
	comps  map[string]map[string]*Component // section ("sources", ...) -> name -> component
	order  map[string][]string              // section -> names in first-appearance order
}

var sections = []string{"sources", "channels", "sinks", "sinkgroups", "configfilters"}

func (b *builder) problem(sev flume.Severity, p flume.Property, withValue bool, format string, args ...any) {
	b.agent.Problems = append(b.agent.Problems, flume.Problem{
		Severity: sev, File: p.File, Line: p.Line, Key: p.Key, Value: p.Value, HasValue: withValue,
		Message: fmt.Sprintf(format, args...),
	})
}

func (b *builder) collect(props *Properties) {
	b.lists = map[string]flume.Property{}
	b.comps = map[string]map[string]*Component{}
	b.order = map[string][]string{}
	agentSeen := false
	for _, p := range props.All() {
		if !strings.Contains(p.Key, ".") {
			continue // no agent prefix: only visible to ${} substitution, as in Flume
		}
		rest, ok := strings.CutPrefix(p.Key, b.prefix)
		if !ok {
			continue // another agent's property
		}
		agentSeen = true
		section, sub, hasSub := strings.Cut(rest, ".")
		if !slices.Contains(sections, section) {
			b.problem(flume.Warning, p, false, "unknown property; an agent's keys start with %s followed by sources, channels, sinks, sinkgroups or configfilters", b.prefix)
			continue
		}
		if !hasSub {
			b.lists[section] = p
			continue
		}
		compName, key, hasKey := strings.Cut(sub, ".")
		if !hasKey || key == "" || compName == "" {
			b.problem(flume.Warning, p, false, "unknown property; expected %s%s.<name>.<key>", b.prefix, section)
			continue
		}
		if b.comps[section] == nil {
			b.comps[section] = map[string]*Component{}
		}
		c := b.comps[section][compName]
		if c == nil {
			c = &Component{Name: compName, Prefix: b.prefix + section + "." + compName + ".", Anchor: p}
			b.comps[section][compName] = c
			b.order[section] = append(b.order[section], compName)
		}
		c.Props = append(c.Props, p)
		if key == "type" {
			c.Type, c.Anchor = p.Value, p
		}
	}
	if !agentSeen {
		b.agent.Problems = append(b.agent.Problems, flume.Problem{Severity: flume.Error,
			Message: fmt.Sprintf("no configuration found for agent %q (no key starts with %q)", b.agent.Name, b.prefix)})
	}
}

// listed returns the names in the agent's list for a section, deduplicated,
// and warns about components defined but not listed.
func (b *builder) listed(section string) []string {
	p, ok := b.lists[section]
	var names []string
	if ok {
		for _, n := range strings.Fields(p.Value) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	for _, n := range b.order[section] {
		if !slices.Contains(names, n) {
			c := b.comps[section][n]
			b.problem(flume.Warning, c.Anchor, false, "%s %q is configured but not listed in %s%s; it is ignored", singular(section), n, b.prefix, section)
		}
	}
	return names
}

func singular(section string) string {
	switch section {
	case "sources":
		return "source"
	case "channels":
		return "channel"
	case "sinks":
		return "sink"
	case "sinkgroups":
		return "sink group"
	}
	return section
}

// component returns the listed component or records why it is dropped.
func (b *builder) component(section, name string, needType bool) *Component {
	list := b.lists[section]
	c := b.comps[section][name]
	if c == nil {
		b.problem(flume.Error, list, true, "%s %q is listed but has no properties; it is dropped", singular(section), name)
		b.drop(&Component{Kind: sectionKind(section), Name: name, Prefix: b.prefix + section + "." + name + ".", Anchor: list})
		return nil
	}
	if needType && c.Type == "" {
		b.problem(flume.Error, missing(c, "type"), false, "%s %q has no type; it is dropped", singular(section), name)
		b.dropAs(c, section)
		return nil
	}
	for _, p := range c.Props {
		if b.props.Unsubstituted(p.Key) {
			b.problem(flume.Error, p, false, "%s %q is dropped: the ${} substitution of this value passed a limit (reported above)", singular(section), name)
			b.dropAs(c, section)
			return nil
		}
	}
	return c
}

// sectionKind returns the Kind of the components of a section.
func sectionKind(section string) flume.Kind {
	switch section {
	case "sources":
		return flume.KindSource
	case "channels":
		return flume.KindChannel
	case "sinks":
		return flume.KindSink
	}
	return KindSinkGroup
}

// dropAs records a copy of c, with its section's Kind, as dropped.
func (b *builder) dropAs(c *Component, section string) {
	d := *c
	d.Kind = sectionKind(section)
	b.drop(&d)
}

func (b *builder) validate() {
	a := b.agent
	if _, ok := b.lists["channels"]; !ok {
		if len(a.Problems.Errors()) == 0 {
			a.Problems = append(a.Problems, flume.Problem{Severity: flume.Error,
				Message: fmt.Sprintf("agent %q has no %schannels list; Flume runs nothing without a channel", a.Name, b.prefix)})
		}
		b.dropAll()
		return
	}
	for _, name := range b.listed("channels") {
		if c := b.component("channels", name, true); c != nil {
			c.Kind = flume.KindChannel
			a.Channels = append(a.Channels, c)
		}
	}
	if len(a.Channels) == 0 {
		b.problem(flume.Error, b.lists["channels"], true, "no valid channel; the agent runs nothing")
		b.dropAll()
		return
	}
	for _, name := range b.listed("sources") {
		c := b.component("sources", name, true)
		if c == nil {
			continue
		}
		c.Kind = flume.KindSource
		s := &Source{Component: *c}
		chProp, ok := findProp(c, "channels")
		if !ok {
			b.problem(flume.Error, missing(c, "channels"), false, "source %q has no channels property; it is dropped", name)
			b.drop(c)
			continue
		}
		for _, ch := range strings.Fields(chProp.Value) {
			switch {
			case slices.Contains(s.Channels, ch):
			case a.Channel(ch) == nil:
				b.problem(flume.Warning, chProp, true, "channel %q is not a valid channel of agent %q; the source does not use it", ch, a.Name)
			default:
				s.Channels = append(s.Channels, ch)
			}
		}
		if len(s.Channels) == 0 {
			b.problem(flume.Error, chProp, true, "source %q has no valid channel; it is dropped", name)
			b.drop(c)
			continue
		}
		a.Sources = append(a.Sources, s)
	}
	for _, name := range b.listed("sinks") {
		c := b.component("sinks", name, true)
		if c == nil {
			continue
		}
		c.Kind = flume.KindSink
		chProp, ok := findProp(c, "channel")
		if !ok {
			hint := ""
			if p, plural := findProp(c, "channels"); plural {
				hint = fmt.Sprintf(" (%s is the source spelling; a sink takes exactly one channel in %schannel)", p.Key, c.Prefix)
			}
			b.problem(flume.Error, missing(c, "channel"), false, "sink %q has no channel property%s; it is dropped", name, hint)
			b.drop(c)
			continue
		}
		if a.Channel(chProp.Value) == nil {
			msg := "not a valid channel of agent %q; the sink is dropped"
			if strings.ContainsAny(chProp.Value, " \t") {
				msg = "a sink takes exactly one channel, not a list (agent %q); the sink is dropped"
			}
			b.problem(flume.Error, chProp, true, msg, a.Name)
			b.drop(c)
			continue
		}
		a.Sinks = append(a.Sinks, &Sink{Component: *c, Channel: chProp.Value})
	}
	b.validateGroups()
	if len(a.Sources) == 0 && len(a.Sinks) == 0 {
		a.Problems = append(a.Problems, flume.Problem{Severity: flume.Error,
			Message: fmt.Sprintf("agent %q has neither a valid source nor a valid sink; it runs nothing", a.Name)})
	}
}

func (b *builder) validateGroups() {
	a := b.agent
	inGroup := map[string]string{}
	for _, name := range b.listed("sinkgroups") {
		c := b.component("sinkgroups", name, false)
		if c == nil {
			continue
		}
		g := &SinkGroup{Component: *c}
		sinksProp, ok := findProp(c, "sinks")
		if !ok {
			b.problem(flume.Error, missing(c, "sinks"), false, "sink group %q has no sinks property; it is dropped", name)
			b.dropAs(c, "sinkgroups")
			continue
		}
		for _, s := range strings.Fields(sinksProp.Value) {
			switch {
			case slices.Contains(g.Sinks, s):
			case !slices.ContainsFunc(a.Sinks, func(k *Sink) bool { return k.Name == s }):
				b.problem(flume.Error, sinksProp, true, "sink %q does not exist or was dropped; it is left out of group %q", s, name)
			case inGroup[s] != "":
				b.problem(flume.Error, sinksProp, true, "sink %q already belongs to sink group %q; a sink can be in one group only", s, inGroup[s])
			default:
				g.Sinks = append(g.Sinks, s)
				inGroup[s] = name
			}
		}
		if len(g.Sinks) == 0 {
			b.problem(flume.Error, sinksProp, true, "sink group %q has no valid sink; it is dropped", name)
			b.dropAs(c, "sinkgroups")
			continue
		}
		if _, ok := findProp(c, "processor.type"); !ok {
			b.problem(flume.Error, missing(c, "processor.type"), false,
				"sink group %q has no processor.type (default, failover or load_balance); as in Flume the group is dropped and its sinks do not run", name)
			b.dropAs(c, "sinkgroups")
			a.Sinks = slices.DeleteFunc(a.Sinks, func(k *Sink) bool {
				if slices.Contains(g.Sinks, k.Name) {
					b.agent.Dropped = append(b.agent.Dropped, &k.Component)
					return true
				}
				return false
			})
			continue
		}
		a.SinkGroups = append(a.SinkGroups, g)
	}
}

// drop records a listed component that validation dropped for a reason
// other than its type.
func (b *builder) drop(c *Component) {
	b.agent.Dropped = append(b.agent.Dropped, c)
}

// dropAll records every listed source and sink with a type, when the agent
// is invalid before they are validated (no usable channel).
func (b *builder) dropAll() {
	for _, section := range []string{"sources", "sinks"} {
		for _, name := range b.listed(section) {
			if c := b.comps[section][name]; c != nil && c.Type != "" {
				c.Kind = flume.KindSource
				if section == "sinks" {
					c.Kind = flume.KindSink
				}
				b.drop(c)
			}
		}
	}
}

// missing locates a problem about a property the component lacks: the
// property's full key, at the component's anchor line (as
// flume.Context.Required does).
func missing(c *Component, key string) flume.Property {
	return flume.Property{Key: c.Prefix + key, File: c.Anchor.File, Line: c.Anchor.Line}
}

func findProp(c *Component, key string) (flume.Property, bool) {
	for _, p := range c.Props {
		if p.Key == c.Prefix+key {
			return p, true
		}
	}
	return flume.Property{}, false
}
