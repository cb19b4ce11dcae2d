package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/sinkgroup"
)

// Kinds of the sink runners in a Snapshot, next to flume.KindSource,
// flume.KindChannel and flume.KindSink.
const (
	// KindSinkGroup is a configured sink group, run by one runner.
	KindSinkGroup = conf.KindSinkGroup
	// KindSinkRunner is the runner of a sink that belongs to no group
	// (Flume's DefaultSinkProcessor).
	KindSinkRunner flume.Kind = "sinkrunner"
)

// State is a component's run state.
type State int

const (
	// Stopped: not started yet, or stopped.
	Stopped State = iota
	// Running: started.
	Running
	// Retrying: its Start failed; it is retried every RestartInterval.
	Retrying
)

// String returns "stopped", "running" or "retrying".
func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Retrying:
		return "retrying"
	}
	return "stopped"
}

// MarshalText makes a State a string in JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Component is what a Snapshot tells of every component.
type Component struct {
	Name string
	Kind flume.Kind
	// Type is the canonical type name (memory, avro, ...); for a sink
	// runner, the processor type (default, failover, load_balance or a
	// class name).
	Type string
	// Fingerprint is a digest of the configuration the component was built
	// from: it changes when a reload rebuilds or reconfigures it. The
	// configuration itself, secrets included, is not exposed.
	Fingerprint string
	// ID is unique to one built instance: a reload that keeps the component
	// keeps its ID, one that rebuilds it gives a new one (and new counters).
	ID    uint64
	State State
	// Counters are the component's live counter groups, as published to
	// the monitoring registry; their Attributes read the current values.
	Counters []flume.CounterGroup
}

// Source is a source in a Snapshot.
type Source struct {
	Component
	// Selector is the channel selector type (replicating, multiplexing,
	// load_balancing or a class name).
	Selector string
	// Channels are the channels the source writes to, in configuration
	// order.
	Channels []string
	// DroppedChannels are channels it is configured with that do not run
	// (see Snapshot.Dropped); it does not write to them.
	DroppedChannels []string
}

// Channel is a channel in a Snapshot, with its fill when the snapshot was
// taken.
type Channel struct {
	Component
	Len, Capacity, TransactionCapacity int
	// InFlight is the number of events open take transactions hold
	// (batches sinks are delivering), which Len does not count, for
	// channels that tell (memory, file); 0 otherwise.
	InFlight int
}

// Runner is a sink runner in a Snapshot: a sink group (Kind KindSinkGroup,
// Type its processor type) or the runner of a lone sink (KindSinkRunner,
// named after its sink, Type "default").
type Runner struct {
	Component
	// Sinks are the sinks it drives, in configuration order.
	Sinks []string
	// DroppedSinks are sinks a sink group is configured with that do not
	// run (see Snapshot.Dropped).
	DroppedSinks []string
}

// Sink is a sink in a Snapshot.
type Sink struct {
	Component
	// Channel is the channel it takes events from.
	Channel string
	// Runner is the sink runner that drives it: its group, or the sink's
	// own runner (named after the sink).
	Runner string
	// Member is the sink's state in its group, for groups whose processor
	// reports one (failover: active, or in penalty until when); nil
	// otherwise.
	Member *sinkgroup.MemberState
}

// Snapshot describes a graph at one moment: its components, how they are
// wired and their state. It is a copy, taken under the graph's lock and
// never updated; reading it needs no lock. During a reload a snapshot shows
// either the old topology (with the components being replaced stopping) or
// the new one (with the new components starting), never a mix.
type Snapshot struct {
	Agent string
	// Taken is when the snapshot was taken.
	Taken time.Time
	// Generation counts the reloads applied since the graph was built.
	Generation uint64
	// Running reports whether the graph is started.
	Running bool
	// Sources, Channels and Runners are in configuration order; Sinks in
	// the order of their runners.
	Sources  []Source
	Channels []Channel
	Runners  []Runner
	Sinks    []Sink
	// Dropped are the configured components that do not run, and the
	// names components refer to that nothing configures: sources, then
	// channels, sink groups and sinks.
	Dropped []Dropped
}

// Source returns the named source.
func (s Snapshot) Source(name string) (Source, bool) { return find(s.Sources, name) }

// Channel returns the named channel.
func (s Snapshot) Channel(name string) (Channel, bool) { return find(s.Channels, name) }

// Runner returns the named sink runner (a sink group, or a lone sink's).
func (s Snapshot) Runner(name string) (Runner, bool) { return find(s.Runners, name) }

// Sink returns the named sink.
func (s Snapshot) Sink(name string) (Sink, bool) { return find(s.Sinks, name) }

func find[T interface{ componentName() string }](list []T, name string) (T, bool) {
	for _, c := range list {
		if c.componentName() == name {
			return c, true
		}
	}
	var zero T
	return zero, false
}

func (c Component) componentName() string { return c.Name }

// Snapshot returns a copy of the graph's topology and state. It is safe to
// call at any time, also while Start, Stop or Reload run; it never waits
// for a component.
func (g *Graph) Snapshot() Snapshot {
	g.mu.Lock()
	t := g.topo
	s := Snapshot{Agent: g.agent, Taken: time.Now(), Generation: g.generation, Running: g.run == graphRunning}
	state := func(id uint64) State { return g.states[id] }
	comp := func(kind flume.Kind, name, typ, fp string, id uint64) Component {
		return Component{Name: name, Kind: kind, Type: typ, Fingerprint: digest(fp), ID: id, State: state(id),
			Counters: slices.Clone(t.counters[counterKey{kind, name}])}
	}
	for _, n := range t.sources {
		s.Sources = append(s.Sources, Source{Component: comp(flume.KindSource, n.name, n.typ, n.fingerprint, n.id),
			Selector: n.selector, Channels: slices.Clone(n.channelNames),
			DroppedChannels: slices.Clone(t.droppedLinks[counterKey{flume.KindSource, n.name}])})
	}
	for _, n := range t.channels {
		s.Channels = append(s.Channels, Channel{Component: comp(flume.KindChannel, n.name, n.typ, n.fingerprint, n.id)})
	}
	for _, n := range t.runners {
		kind := KindSinkRunner
		if n.group {
			kind = KindSinkGroup
		}
		rc := comp(kind, n.name, n.typ, n.fingerprint, n.id)
		s.Runners = append(s.Runners, Runner{Component: rc, Sinks: slices.Clone(n.members),
			DroppedSinks: slices.Clone(t.droppedLinks[counterKey{KindSinkGroup, n.name}])})
		for i, name := range n.members {
			sn := t.sinks[name]
			sc := comp(flume.KindSink, name, sn.typ, sn.fingerprint, sn.id)
			sc.State = rc.State // a runner starts and stops its sinks
			s.Sinks = append(s.Sinks, Sink{Component: sc, Channel: n.channelNames[i], Runner: n.name})
		}
	}
	for _, d := range t.dropped {
		d.Channels, d.Sinks = slices.Clone(d.Channels), slices.Clone(d.Sinks)
		s.Dropped = append(s.Dropped, d)
	}
	g.mu.Unlock()

	// Outside the lock: what the components report themselves.
	for i, n := range t.channels {
		c := &s.Channels[i]
		c.Len, c.Capacity, c.TransactionCapacity = n.component.Len(), n.component.Capacity(), n.component.TransactionCapacity()
		if h, ok := n.component.(holder); ok {
			c.Len, c.InFlight = h.Held()
		}
	}
	k := 0
	for _, n := range t.runners {
		var states []sinkgroup.MemberState
		if mr, ok := n.component.Sink().(sinkgroup.MemberReporter); ok {
			states = mr.MemberStates()
		}
		for range n.members {
			sk := &s.Sinks[k]
			k++
			for _, m := range states {
				if m.Name == sk.Name {
					sk.Member = &m
				}
			}
		}
	}
	return s
}

// digest shortens a configuration fingerprint to 16 hex digits.
func digest(fp string) string {
	sum := sha256.Sum256([]byte(fp))
	return hex.EncodeToString(sum[:8])
}
