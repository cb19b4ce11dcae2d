package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/sinkgroup"
	"github.com/flumego/flume/sinkrunner"
	"github.com/flumego/flume/source"
)

// Options configure how a graph is built and run.
type Options struct {
	// Registry resolves type names; nil means flume.DefaultRegistry().
	Registry *flume.Registry
	// Logger receives the agent's logs; nil discards them.
	Logger *slog.Logger
	// Publish receives each component's counter group with the component's
	// name when the component is started; nil discards them.
	Publish func(name string, g flume.CounterGroup)
	// Unpublish is called for each counter group of a component a reload
	// removed.
	Unpublish func(name string, g flume.CounterGroup)
	// DrainTimeout bounds how long Stop (and a reload that removes a
	// channel) lets sinks drain channels. Zero means 10 s; negative
	// disables draining.
	DrainTimeout time.Duration
	// RestartInterval is how often a component whose Start failed is
	// retried. Zero means Flume's 3 s.
	RestartInterval time.Duration
	// RunnerBackoff, when set, replaces the sink runners' backoff steps
	// (Flume: 1 s per consecutive Backoff, at most 5 s, 5 s after an error);
	// tests shorten them.
	RunnerBackoff *RunnerBackoff
}

// RunnerBackoff holds the sink runner's sleep settings.
type RunnerBackoff struct {
	Step, Max, Error time.Duration
}

func (o Options) registry() *flume.Registry {
	if o.Registry != nil {
		return o.Registry
	}
	return flume.DefaultRegistry()
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Reconfigurer is implemented by channels that can take a changed
// configuration while running without losing what they hold (the memory
// channel). A reload keeps such a channel, and its events, when its type
// stays the same; other channels whose configuration changed are drained
// and replaced.
type Reconfigurer interface {
	Reconfigure(cfg *flume.Context) error
}

// lastID numbers built components, so a snapshot can tell a component a
// reload kept from one it rebuilt under the same name.
var lastID atomic.Uint64

// node is a built component with what the agent knows about it. Nodes are
// never modified once a topology is published; a reload builds new ones.
type node[T any] struct {
	component T
	name      string
	typ       string
	// fingerprint identifies the configuration the component was built
	// from (for a runner: its group's and its sinks').
	fingerprint string
	id          uint64

	// Sources and runners: the channels they are connected to, as objects
	// (for reloads) and by name (a runner's in member order).
	channels     []flume.Channel
	channelNames []string
	// selector is a source's channel selector type.
	selector string
	// members are a runner's sinks, in configuration order; group tells a
	// configured sink group from a lone sink's runner.
	members []string
	group   bool
	// txCap is a channel's transaction capacity under the configuration it
	// was (or, for a reconfigured channel, is about to be) given.
	txCap int
	// reconfigure holds a changed configuration for a kept channel.
	reconfigure *flume.Context
}

func findNode[T any](nodes []node[T], name string) (node[T], bool) {
	for _, n := range nodes {
		if n.name == name {
			return n, true
		}
	}
	return node[T]{}, false
}

// counterKey names a component's counter groups.
type counterKey struct {
	kind flume.Kind
	name string
}

// topology is what a graph runs. A published topology is never modified:
// Reload builds the next one and swaps it in.
type topology struct {
	channels []node[flume.Channel]
	runners  []node[*sinkrunner.Runner]
	sources  []node[flume.Source]
	// sinks holds every built sink, grouped or not, by name.
	sinks map[string]node[flume.Sink]
	// counters holds the groups components published.
	counters map[counterKey][]flume.CounterGroup
	// needs are what the components built for this topology declared they
	// need from the machine (flume.Context.Need).
	needs []flume.Need
	// dropped are the configured components that do not run;
	// droppedLinks, for running sources and sink groups, the channels and
	// sinks they are configured with that do not run.
	dropped      []Dropped
	droppedLinks map[counterKey][]string
}

func (t *topology) empty() bool { return len(t.sources) == 0 && len(t.runners) == 0 }

// Graph is a built agent: its components, wired, ready to start. Start,
// Stop and Reload drive it; Snapshot describes it at any time.
type Graph struct {
	agent string
	opts  Options
	log   *slog.Logger

	// life serialises Start, Stop and Reload. It is held while they call
	// into components, and taken by nothing else.
	life sync.Mutex

	// mu guards the fields below. It is never held while calling into a
	// component, so Snapshot and the retry loops never wait for one.
	mu         sync.Mutex
	topo       *topology // written under life and mu: life holders read it freely
	generation uint64
	run        runState
	supCtx     context.Context
	stopSup    context.CancelFunc
	retrying   map[uint64]*retry
	states     map[uint64]State
	// unstopped holds components a reload removed whose Stop did not
	// complete in time; Stop stops them again.
	unstopped []pending
	supWG     sync.WaitGroup
}

// Needs returns what the components built by the last Build or Reload
// declared they need from the machine (flume.Context.Need), for the
// environment checks (package envcheck). Components a reload kept are not
// built again and are not included.
func (g *Graph) Needs() []flume.Need {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.topo.needs
}

// Build builds every component of cfg that can be built. The problems it
// returns are cfg's own plus those found while building (unknown types,
// factory errors, batch sizes, unknown keys). A component with an error is
// left out; the graph runs the rest.
func Build(cfg *conf.AgentConfig, opts Options) (*Graph, flume.Problems) {
	t, problems := build(cfg, opts, nil)
	return &Graph{agent: cfg.Name, opts: opts, log: opts.logger(), topo: t, states: map[uint64]State{}}, problems
}

// build builds cfg; components of old whose configuration and channels did
// not change are taken over instead of being built again.
func build(cfg *conf.AgentConfig, opts Options, old *topology) (*topology, flume.Problems) {
	b := &builder{cfg: cfg, opts: opts, reg: opts.registry(), log: opts.logger(), old: old,
		pubs: map[counterKey][]flume.CounterGroup{}}
	t := &topology{sinks: map[string]node[flume.Sink]{}, counters: map[counterKey][]flume.CounterGroup{}}
	b.problems = append(b.problems, cfg.Problems...)
	channels := b.channels()
	t.runners = b.runners(channels, t.sinks)
	t.sources = b.sources(channels)
	b.inspectDropped()
	t.needs = b.needs
	// Flume removes channels nothing is connected to.
	used := map[string]bool{}
	for _, s := range cfg.Sinks {
		if _, ok := t.sinks[s.Name]; ok {
			used[s.Channel] = true
		}
	}
	for _, name := range b.sourceChannels {
		used[name] = true
	}
	for _, c := range cfg.Channels {
		n, ok := channels[c.Name]
		if !ok {
			continue
		}
		if !used[c.Name] {
			b.add(flume.Warning, c.Anchor, "channel %q has no source or sink connected; it is not started", c.Name)
			continue
		}
		t.channels = append(t.channels, n)
	}
	t.dropped, t.droppedLinks = droppedOf(cfg, t)
	// Keep the counters of what the graph runs: new components' from this
	// build, kept components' from the old graph.
	for _, k := range t.componentKeys() {
		if groups, ok := b.pubs[k]; ok {
			t.counters[k] = groups
		} else if old != nil {
			if groups, ok := old.counters[k]; ok {
				t.counters[k] = groups
			}
		}
	}
	return t, b.problems
}

func (t *topology) componentKeys() []counterKey {
	var keys []counterKey
	for _, n := range t.channels {
		keys = append(keys, counterKey{flume.KindChannel, n.name})
	}
	for name := range t.sinks {
		keys = append(keys, counterKey{flume.KindSink, name})
	}
	for _, n := range t.runners {
		if n.group {
			keys = append(keys, counterKey{KindSinkGroup, n.name})
		}
	}
	for _, n := range t.sources {
		keys = append(keys, counterKey{flume.KindSource, n.name})
	}
	return keys
}

type builder struct {
	cfg            *conf.AgentConfig
	opts           Options
	reg            *flume.Registry
	log            *slog.Logger
	old            *topology
	problems       flume.Problems
	needs          []flume.Need
	sourceChannels []string
	pubs           map[counterKey][]flume.CounterGroup
}

// add records a problem located at a property; the first error among args
// becomes its cause (so errors.Is sees, e.g., flume.ErrUnsupported).
func (b *builder) add(sev flume.Severity, at flume.Property, format string, args ...any) {
	var cause error
	for _, a := range args {
		if err, ok := a.(error); ok {
			cause = err
			break
		}
	}
	b.problems = append(b.problems, flume.Problem{Severity: sev, File: at.File, Line: at.Line, Key: at.Key,
		Value: at.Value, HasValue: at.Key != "", Message: fmt.Sprintf(format, args...), Err: cause})
}

// settings returns the Settings for a component. Its counters are staged
// and published when the component is started.
func (b *builder) settings(kind flume.Kind, name, typ string, stage bool) flume.Settings {
	set := flume.Settings{Agent: b.cfg.Name, Name: name, Type: typ,
		Logger: b.log.With("component", string(kind), "name", name, "type", typ), Registry: b.reg}
	if stage {
		k := counterKey{kind, name}
		set.Publisher = func(g flume.CounterGroup) { b.pubs[k] = append(b.pubs[k], g) }
	}
	return set
}

// finish records the context's problems and unknown keys and reports
// whether the component is usable.
func (b *builder) finish(cfg *flume.Context, what string, err error) bool {
	b.problems = append(b.problems, cfg.Problems()...)
	if err != nil && !errors.As(err, new(flume.Problems)) {
		b.add(flume.Error, cfg.Anchor(), "%s: %v; it is dropped", what, err)
	}
	if err != nil || cfg.Err() != nil {
		return false
	}
	b.needs = append(b.needs, cfg.Needs()...)
	for _, p := range cfg.Unused() {
		b.problems = append(b.problems, flume.Problem{Severity: flume.Warning, File: p.File, Line: p.Line, Key: p.Key,
			Message: "unknown property for this component type; it is ignored"})
	}
	return true
}

// same reports whether two components are the same object.
func same(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if !reflect.TypeOf(a).Comparable() || !reflect.TypeOf(b).Comparable() {
		return false
	}
	return a == b
}

func sameChannels(a, b []flume.Channel) bool {
	return slices.EqualFunc(a, b, func(x, y flume.Channel) bool { return same(x, y) })
}

func (b *builder) channels() map[string]node[flume.Channel] {
	out := map[string]node[flume.Channel]{}
	for _, c := range b.cfg.Channels {
		f, canonical, err := b.reg.Channel(c.Type)
		if err != nil {
			b.add(flume.Error, c.Anchor, "%v; channel %q is dropped", err, c.Name)
			continue
		}
		fp := c.Fingerprint()
		var prev node[flume.Channel]
		hasPrev := false
		if b.old != nil {
			prev, hasPrev = findNode(b.old.channels, c.Name)
		}
		if hasPrev && prev.fingerprint == fp {
			out[c.Name] = node[flume.Channel]{component: prev.component, name: c.Name, typ: canonical, fingerprint: fp,
				id: prev.id, txCap: prev.component.TransactionCapacity()}
			continue
		}
		_, canReconfigure := prev.component.(Reconfigurer)
		keep := hasPrev && prev.typ == canonical && canReconfigure
		cfg := c.Context()
		cfg.MarkUsed("type")
		// A kept channel is built only to validate the new configuration;
		// the built instance tells the capacity the kept one will have.
		ch, err := f(b.settings(flume.KindChannel, c.Name, canonical, !keep), cfg)
		if !b.finish(cfg, fmt.Sprintf("channel %q", c.Name), err) {
			continue
		}
		n := node[flume.Channel]{component: ch, name: c.Name, typ: canonical, fingerprint: fp, id: lastID.Add(1),
			txCap: ch.TransactionCapacity()}
		if keep {
			n.component, n.id, n.reconfigure = prev.component, prev.id, c.Context()
		}
		out[c.Name] = n
	}
	return out
}

// batchFits applies Flume's rule that a component's batch size must not
// exceed its channel's transactionCapacity. The error points at the
// property the component names as its batch size.
func (b *builder) batchFits(c any, comp *conf.Component, kind flume.Kind, name string, ch node[flume.Channel]) bool {
	bs, ok := c.(flume.Batcher)
	if !ok {
		return true
	}
	n, key := bs.BatchSize()
	if n <= ch.txCap {
		return true
	}
	at, size := comp.Anchor, fmt.Sprintf("batch size %d", n)
	if i := slices.IndexFunc(comp.Props, func(p flume.Property) bool { return p.Key == comp.Prefix+key }); key != "" && i >= 0 {
		at = comp.Props[i]
	} else if key != "" {
		size += " (the default of " + key + ")"
	}
	b.add(flume.Error, at, "%s %q: %s exceeds the transactionCapacity %d of channel %q; every transaction would fail, so the %s is dropped",
		kind, name, size, ch.txCap, ch.name, kind)
	return false
}

// sink builds one sink on its channel.
func (b *builder) sink(s *conf.Sink, channels map[string]node[flume.Channel]) (node[flume.Sink], bool) {
	ch, ok := channels[s.Channel]
	if !ok {
		b.add(flume.Error, propOf(&s.Component, "channel"), "sink %q: its channel %q was dropped; the sink is dropped", s.Name, s.Channel)
		b.checkType(&s.Component)
		return node[flume.Sink]{}, false
	}
	f, canonical, err := b.reg.Sink(s.Type)
	if err != nil {
		b.add(flume.Error, s.Anchor, "%v; sink %q is dropped", err, s.Name)
		return node[flume.Sink]{}, false
	}
	cfg := s.Context()
	cfg.MarkUsed("type", "channel")
	sk, err := f(b.settings(flume.KindSink, s.Name, canonical, true), cfg, ch.component)
	if !b.finish(cfg, fmt.Sprintf("sink %q", s.Name), err) || !b.batchFits(sk, &s.Component, flume.KindSink, s.Name, ch) {
		return node[flume.Sink]{}, false
	}
	return node[flume.Sink]{component: sk, name: s.Name, typ: canonical, fingerprint: s.Fingerprint(), id: lastID.Add(1),
		channels: []flume.Channel{ch.component}, channelNames: []string{s.Channel}}, true
}

// runnerPlan is one sink runner to build: a sink group or a lone sink.
type runnerPlan struct {
	name        string
	group       *conf.SinkGroup
	sinks       []*conf.Sink
	fingerprint string
}

func (b *builder) plans() []runnerPlan {
	byName := map[string]*conf.Sink{}
	for _, s := range b.cfg.Sinks {
		byName[s.Name] = s
	}
	var plans []runnerPlan
	grouped := map[string]bool{}
	for _, g := range b.cfg.SinkGroups {
		p := runnerPlan{name: g.Name, group: g, fingerprint: g.Fingerprint()}
		for _, name := range g.Sinks {
			if s, ok := byName[name]; ok {
				p.sinks = append(p.sinks, s)
				p.fingerprint += "\x02" + s.Fingerprint()
				grouped[name] = true
			}
		}
		plans = append(plans, p)
	}
	for _, s := range b.cfg.Sinks {
		if !grouped[s.Name] {
			plans = append(plans, runnerPlan{name: s.Name, sinks: []*conf.Sink{s}, fingerprint: s.Fingerprint()})
		}
	}
	return plans
}

func (b *builder) runners(channels map[string]node[flume.Channel], sinks map[string]node[flume.Sink]) []node[*sinkrunner.Runner] {
	var out []node[*sinkrunner.Runner]
	for _, p := range b.plans() {
		var chs []flume.Channel
		for _, s := range p.sinks {
			if ch, ok := channels[s.Channel]; ok {
				chs = append(chs, ch.component)
			}
		}
		if b.old != nil { // unchanged runner on unchanged channels: keep it, and its sinks
			if prev, ok := findNode(b.old.runners, p.name); ok && prev.fingerprint == p.fingerprint && sameChannels(prev.channels, chs) {
				for _, s := range p.sinks { // a kept channel may get a smaller transactionCapacity
					b.batchFits(b.old.sinks[s.Name].component, &s.Component, flume.KindSink, s.Name, channels[s.Channel])
				}
				out = append(out, prev)
				for _, name := range prev.members {
					sinks[name] = b.old.sinks[name]
				}
				continue
			}
		}
		var members []flume.NamedSink
		var names, channelNames []string
		for _, s := range p.sinks {
			n, ok := b.sink(s, channels)
			if !ok {
				if p.group != nil {
					b.add(flume.Error, p.group.Anchor, "sink group %q: sink %q was dropped; the group goes on without it", p.name, s.Name)
				}
				continue
			}
			sinks[s.Name] = n
			members = append(members, flume.NamedSink{Name: s.Name, Sink: n.component})
			names = append(names, s.Name)
			channelNames = append(channelNames, s.Channel)
		}
		if len(members) == 0 {
			if p.group != nil {
				b.add(flume.Error, p.group.Anchor, "sink group %q has no sink left; it is dropped", p.name)
			}
			continue
		}
		proc, typ := members[0].Sink, sinkgroup.TypeDefault
		if p.group != nil {
			cfg := p.group.Context()
			var err error
			proc, err = sinkgroup.New(b.settings(KindSinkGroup, p.name, "", true), cfg, members, b.reg)
			if !b.finish(cfg, fmt.Sprintf("sink group %q", p.name), err) {
				continue
			}
			typ = b.processorType(cfg)
		}
		out = append(out, node[*sinkrunner.Runner]{component: b.runner(p.name, proc), name: p.name, typ: typ,
			fingerprint: p.fingerprint, id: lastID.Add(1), channels: chs, channelNames: channelNames,
			members: names, group: p.group != nil})
	}
	return out
}

// processorType returns the registered name of a sink group's
// processor.type (failover for org.apache.flume.sink.FailoverSinkProcessor).
func (b *builder) processorType(group *flume.Context) string {
	p, _ := group.Lookup("processor.type")
	if _, canonical, err := b.reg.SinkProcessor(p.Value); err == nil {
		return canonical
	}
	return p.Value
}

// selectorType returns the registered name of a source's selector.type,
// replicating when it is absent.
func (b *builder) selectorType(src *flume.Context) string {
	p, ok := src.Lookup("selector.type")
	if !ok {
		return "replicating"
	}
	if _, canonical, err := b.reg.ChannelSelector(p.Value); err == nil {
		return canonical
	}
	return p.Value
}

func (b *builder) runner(name string, s flume.Sink) *sinkrunner.Runner {
	r := sinkrunner.New(name, s, b.log)
	if rb := b.opts.RunnerBackoff; rb != nil {
		r.BackoffStep, r.MaxBackoff, r.ErrorBackoff = rb.Step, rb.Max, rb.Error
	}
	return r
}

func (b *builder) sources(channels map[string]node[flume.Channel]) []node[flume.Source] {
	var out []node[flume.Source]
	for _, s := range b.cfg.Sources {
		var chs []flume.NamedChannel
		var nodes []node[flume.Channel]
		var comps []flume.Channel
		var names []string
		for _, name := range s.Channels {
			if n, ok := channels[name]; ok {
				chs = append(chs, flume.NamedChannel{Name: name, Channel: n.component})
				nodes = append(nodes, n)
				comps = append(comps, n.component)
				names = append(names, name)
			} else {
				b.add(flume.Warning, propOf(&s.Component, "channels"), "source %q: its channel %q was dropped; the source does not use it", s.Name, name)
			}
		}
		if len(chs) == 0 {
			b.add(flume.Error, propOf(&s.Component, "channels"), "source %q has no channel left; it is dropped", s.Name)
			b.checkType(&s.Component)
			continue
		}
		markUsed := func() {
			for _, n := range nodes {
				if !slices.Contains(b.sourceChannels, n.name) {
					b.sourceChannels = append(b.sourceChannels, n.name)
				}
			}
		}
		if b.old != nil {
			if prev, ok := findNode(b.old.sources, s.Name); ok && prev.fingerprint == s.Fingerprint() && sameChannels(prev.channels, comps) {
				for _, n := range nodes { // a kept channel may get a smaller transactionCapacity
					b.batchFits(prev.component, &s.Component, flume.KindSource, s.Name, n)
				}
				out = append(out, prev)
				markUsed()
				continue
			}
		}
		f, canonical, err := b.reg.Source(s.Type)
		if err != nil {
			b.add(flume.Error, s.Anchor, "%v; source %q is dropped", err, s.Name)
			// Its interceptors and selector can still be checked.
			ctx := s.Context()
			_, _ = source.NewProcessorFromConfig(b.settings("source", s.Name, s.Type, false), ctx, chs, b.reg)
			b.problems = append(b.problems, ctx.Problems()...)
			continue
		}
		cfg := s.Context()
		cfg.MarkUsed("type", "channels")
		set := b.settings(flume.KindSource, s.Name, canonical, true)
		proc, err := source.NewProcessorFromConfig(set, cfg, chs, b.reg)
		if err != nil {
			b.finish(cfg, fmt.Sprintf("source %q", s.Name), err)
			continue
		}
		src, err := f(set, cfg, proc)
		if !b.finish(cfg, fmt.Sprintf("source %q", s.Name), err) {
			continue
		}
		fits := true
		for _, n := range nodes {
			fits = fits && b.batchFits(src, &s.Component, flume.KindSource, s.Name, n)
		}
		if !fits {
			continue
		}
		markUsed()
		out = append(out, node[flume.Source]{component: src, name: s.Name, typ: canonical, fingerprint: s.Fingerprint(),
			id: lastID.Add(1), channels: comps, channelNames: names, selector: b.selectorType(s.Context())})
	}
	return out
}

// inspectDropped reports the problems of the sources and sinks that
// configuration validation dropped for another reason (no channel, a
// channel that is not valid), so that check shows every problem at once:
// their unknown types and their interceptors' unknown types.
func (b *builder) inspectDropped() {
	for _, c := range b.cfg.Dropped {
		if c.Type != "" { // without a type, conf reported why
			b.checkType(c)
		}
	}
}

// checkType reports the unknown type of a component that is dropped for
// another reason, and for a source the unknown types of its interceptors
// (its selector needs the channels it no longer has).
func (b *builder) checkType(c *conf.Component) {
	var err error
	switch c.Kind {
	case flume.KindSource:
		_, _, err = b.reg.Source(c.Type)
		ctx := c.Context()
		for _, name := range ctx.Fields("interceptors") {
			if typ, ok := ctx.Lookup("interceptors." + name + ".type"); ok {
				if _, _, ierr := b.reg.Interceptor(typ.Value); ierr != nil {
					b.add(flume.Error, typ, "%v", ierr)
				}
			}
		}
	case flume.KindChannel:
		_, _, err = b.reg.Channel(c.Type)
	case flume.KindSink:
		_, _, err = b.reg.Sink(c.Type)
	}
	if err != nil {
		b.add(flume.Error, c.Anchor, "%v; %s %q is dropped", err, c.Kind, c.Name)
	}
}

// propOf returns a component's property (key without its prefix), or its
// anchor when it has none.
func propOf(c *conf.Component, key string) flume.Property {
	for _, p := range c.Props {
		if p.Key == c.Prefix+key {
			return p
		}
	}
	return c.Anchor
}
