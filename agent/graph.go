package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
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

// Node is a built component with its name.
type Node[T any] struct {
	Name      string
	Type      string
	Component T
	// Fingerprint identifies the configuration the component was built from.
	Fingerprint string
	// channels are what a source or sink runner is connected to.
	channels []flume.Channel
	// txCap is a channel's transaction capacity under the configuration it
	// was (or, for a reconfigured channel, is about to be) given.
	txCap int
	// reconfigure holds a changed configuration for a kept channel.
	reconfigure *flume.Context
}

// Graph is a built agent, ready to start.
type Graph struct {
	Channels []Node[flume.Channel]
	Runners  []Node[*sinkrunner.Runner]
	Sources  []Node[flume.Source]

	// sinks holds every built sink, grouped or not, for reuse by reloads.
	sinks map[string]Node[flume.Sink]
	// counters holds the groups components published, by component name.
	counters map[string][]flume.CounterGroup

	opts Options
	log  *slog.Logger

	mu       sync.Mutex // guards started, supCtx, retrying, and (during Reload) the node lists
	started  bool
	supCtx   context.Context
	stopSup  context.CancelFunc
	supWG    sync.WaitGroup
	retrying map[string]context.CancelFunc
}

// Build builds every component of cfg that can be built. The problems it
// returns are cfg's own plus those found while building (unknown types,
// factory errors, batch sizes, unknown keys). A component with an error is
// left out; the graph runs the rest.
func Build(cfg *conf.AgentConfig, opts Options) (*Graph, flume.Problems) {
	return build(cfg, opts, nil)
}

// build builds cfg; components of old whose configuration and channels did
// not change are taken over instead of being built again.
func build(cfg *conf.AgentConfig, opts Options, old *Graph) (*Graph, flume.Problems) {
	b := &builder{cfg: cfg, opts: opts, reg: opts.registry(), log: opts.logger(), old: old,
		pubs: map[string][]flume.CounterGroup{}}
	g := &Graph{opts: opts, log: b.log, sinks: map[string]Node[flume.Sink]{}, counters: map[string][]flume.CounterGroup{}}
	b.problems = append(b.problems, cfg.Problems...)
	channels := b.channels()
	g.Runners = b.runners(channels, g.sinks)
	g.Sources = b.sources(channels)
	b.inspectDropped()
	// Flume removes channels nothing is connected to.
	used := map[string]bool{}
	for _, s := range cfg.Sinks {
		if _, ok := g.sinks[s.Name]; ok {
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
		g.Channels = append(g.Channels, n)
	}
	// Keep the counters of what the graph runs: new components' from this
	// build, kept components' from the old graph.
	for _, name := range g.componentNames() {
		if groups, ok := b.pubs[name]; ok {
			g.counters[name] = groups
		} else if old != nil {
			if groups, ok := old.counters[name]; ok {
				g.counters[name] = groups
			}
		}
	}
	return g, b.problems
}

func (g *Graph) componentNames() []string {
	var names []string
	for _, n := range g.Channels {
		names = append(names, n.Name)
	}
	for name := range g.sinks {
		names = append(names, name)
	}
	for _, n := range g.Runners {
		names = append(names, n.Name)
	}
	for _, n := range g.Sources {
		names = append(names, n.Name)
	}
	return names
}

type builder struct {
	cfg            *conf.AgentConfig
	opts           Options
	reg            *flume.Registry
	log            *slog.Logger
	old            *Graph
	problems       flume.Problems
	sourceChannels []string
	pubs           map[string][]flume.CounterGroup
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
func (b *builder) settings(kind, name, typ string, stage bool) flume.Settings {
	set := flume.Settings{Agent: b.cfg.Name, Name: name, Type: typ,
		Logger: b.log.With("component", kind, "name", name, "type", typ), Registry: b.reg}
	if stage {
		set.Publisher = func(g flume.CounterGroup) { b.pubs[name] = append(b.pubs[name], g) }
	}
	return set
}

// finish records the context's problems and unknown keys and reports
// whether the component is usable.
func (b *builder) finish(ctx *flume.Context, what string, err error) bool {
	b.problems = append(b.problems, ctx.Problems()...)
	if err != nil && !errors.As(err, new(flume.Problems)) {
		b.add(flume.Error, ctx.Anchor(), "%s: %v; it is dropped", what, err)
	}
	if err != nil || ctx.Err() != nil {
		return false
	}
	for _, p := range ctx.Unused() {
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

func findNode[T any](nodes []Node[T], name string) (Node[T], bool) {
	for _, n := range nodes {
		if n.Name == name {
			return n, true
		}
	}
	return Node[T]{}, false
}

func (b *builder) channels() map[string]Node[flume.Channel] {
	out := map[string]Node[flume.Channel]{}
	for _, c := range b.cfg.Channels {
		f, canonical, err := b.reg.Channel(c.Type)
		if err != nil {
			b.add(flume.Error, c.Anchor, "%v; channel %q is dropped", err, c.Name)
			continue
		}
		fp := c.Fingerprint()
		var prev Node[flume.Channel]
		hasPrev := false
		if b.old != nil {
			prev, hasPrev = findNode(b.old.Channels, c.Name)
		}
		if hasPrev && prev.Fingerprint == fp {
			out[c.Name] = Node[flume.Channel]{Name: c.Name, Type: canonical, Component: prev.Component, Fingerprint: fp,
				txCap: prev.Component.TransactionCapacity()}
			continue
		}
		_, canReconfigure := prev.Component.(Reconfigurer)
		keep := hasPrev && prev.Type == canonical && canReconfigure
		ctx := c.Context()
		ctx.MarkUsed("type")
		// A kept channel is built only to validate the new configuration;
		// the built instance tells the capacity the kept one will have.
		ch, err := f(b.settings("channel", c.Name, canonical, !keep), ctx)
		if !b.finish(ctx, fmt.Sprintf("channel %q", c.Name), err) {
			continue
		}
		n := Node[flume.Channel]{Name: c.Name, Type: canonical, Component: ch, Fingerprint: fp, txCap: ch.TransactionCapacity()}
		if keep {
			n.Component, n.reconfigure = prev.Component, c.Context()
		}
		out[c.Name] = n
	}
	return out
}

// batchFits applies Flume's rule that a component's batch size must not
// exceed its channel's transactionCapacity. The error points at the
// property the component names as its batch size.
func (b *builder) batchFits(c any, comp *conf.Component, kind, name string, ch Node[flume.Channel]) bool {
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
		kind, name, size, ch.txCap, ch.Name, kind)
	return false
}

// sink builds one sink on its channel.
func (b *builder) sink(s *conf.Sink, channels map[string]Node[flume.Channel]) (Node[flume.Sink], bool) {
	ch, ok := channels[s.Channel]
	if !ok {
		b.add(flume.Error, propOf(&s.Component, "channel"), "sink %q: its channel %q was dropped; the sink is dropped", s.Name, s.Channel)
		b.checkType(&s.Component)
		return Node[flume.Sink]{}, false
	}
	f, canonical, err := b.reg.Sink(s.Type)
	if err != nil {
		b.add(flume.Error, s.Anchor, "%v; sink %q is dropped", err, s.Name)
		return Node[flume.Sink]{}, false
	}
	ctx := s.Context()
	ctx.MarkUsed("type", "channel")
	sk, err := f(b.settings("sink", s.Name, canonical, true), ctx, ch.Component)
	if !b.finish(ctx, fmt.Sprintf("sink %q", s.Name), err) || !b.batchFits(sk, &s.Component, "sink", s.Name, ch) {
		return Node[flume.Sink]{}, false
	}
	return Node[flume.Sink]{Name: s.Name, Type: canonical, Component: sk, Fingerprint: s.Fingerprint(),
		channels: []flume.Channel{ch.Component}}, true
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

func (b *builder) runners(channels map[string]Node[flume.Channel], sinks map[string]Node[flume.Sink]) []Node[*sinkrunner.Runner] {
	var out []Node[*sinkrunner.Runner]
	for _, p := range b.plans() {
		var chs []flume.Channel
		for _, s := range p.sinks {
			if ch, ok := channels[s.Channel]; ok {
				chs = append(chs, ch.Component)
			}
		}
		if b.old != nil { // unchanged runner on unchanged channels: keep it, and its sinks
			if prev, ok := findNode(b.old.Runners, p.name); ok && prev.Fingerprint == p.fingerprint && slices.EqualFunc(prev.channels, chs, func(x, y flume.Channel) bool { return same(x, y) }) {
				for _, s := range p.sinks { // a kept channel may get a smaller transactionCapacity
					b.batchFits(b.old.sinks[s.Name].Component, &s.Component, "sink", s.Name, channels[s.Channel])
				}
				out = append(out, prev)
				for _, s := range p.sinks {
					sinks[s.Name] = b.old.sinks[s.Name]
				}
				continue
			}
		}
		var members []flume.NamedSink
		for _, s := range p.sinks {
			n, ok := b.sink(s, channels)
			if !ok {
				if p.group != nil {
					b.add(flume.Error, p.group.Anchor, "sink group %q: sink %q was dropped; the group goes on without it", p.name, s.Name)
				}
				continue
			}
			sinks[s.Name] = n
			members = append(members, flume.NamedSink{Name: s.Name, Sink: n.Component})
		}
		if len(members) == 0 {
			if p.group != nil {
				b.add(flume.Error, p.group.Anchor, "sink group %q has no sink left; it is dropped", p.name)
			}
			continue
		}
		proc, typ := members[0].Sink, sinks[members[0].Name].Type
		if p.group != nil {
			ctx := p.group.Context()
			var err error
			proc, err = sinkgroup.New(b.settings("sinkgroup", p.name, "", true), ctx, members, b.reg)
			if !b.finish(ctx, fmt.Sprintf("sink group %q", p.name), err) {
				continue
			}
			typ = "sinkgroup"
		}
		out = append(out, Node[*sinkrunner.Runner]{Name: p.name, Type: typ, Component: b.runner(p.name, proc),
			Fingerprint: p.fingerprint, channels: chs})
	}
	return out
}

func (b *builder) runner(name string, s flume.Sink) *sinkrunner.Runner {
	r := sinkrunner.New(name, s, b.log)
	if rb := b.opts.RunnerBackoff; rb != nil {
		r.BackoffStep, r.MaxBackoff, r.ErrorBackoff = rb.Step, rb.Max, rb.Error
	}
	return r
}

func (b *builder) sources(channels map[string]Node[flume.Channel]) []Node[flume.Source] {
	var out []Node[flume.Source]
	for _, s := range b.cfg.Sources {
		var chs []flume.NamedChannel
		var nodes []Node[flume.Channel]
		var comps []flume.Channel
		for _, name := range s.Channels {
			if n, ok := channels[name]; ok {
				chs = append(chs, flume.NamedChannel{Name: name, Channel: n.Component})
				nodes = append(nodes, n)
				comps = append(comps, n.Component)
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
				if !slices.Contains(b.sourceChannels, n.Name) {
					b.sourceChannels = append(b.sourceChannels, n.Name)
				}
			}
		}
		if b.old != nil {
			if prev, ok := findNode(b.old.Sources, s.Name); ok && prev.Fingerprint == s.Fingerprint() && slices.EqualFunc(prev.channels, comps, func(x, y flume.Channel) bool { return same(x, y) }) {
				for _, n := range nodes { // a kept channel may get a smaller transactionCapacity
					b.batchFits(prev.Component, &s.Component, "source", s.Name, n)
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
		ctx := s.Context()
		ctx.MarkUsed("type", "channels")
		set := b.settings("source", s.Name, canonical, true)
		proc, err := source.NewProcessorFromConfig(set, ctx, chs, b.reg)
		if err != nil {
			b.finish(ctx, fmt.Sprintf("source %q", s.Name), err)
			continue
		}
		src, err := f(set, ctx, proc)
		if !b.finish(ctx, fmt.Sprintf("source %q", s.Name), err) {
			continue
		}
		fits := true
		for _, n := range nodes {
			fits = fits && b.batchFits(src, &s.Component, "source", s.Name, n)
		}
		if !fits {
			continue
		}
		markUsed()
		out = append(out, Node[flume.Source]{Name: s.Name, Type: canonical, Component: src, Fingerprint: s.Fingerprint(), channels: comps})
	}
	return out
}

// inspectDropped reports the problems of the sources and sinks that
// configuration validation dropped for another reason (no channel, a
// channel that is not valid), so that check shows every problem at once:
// their unknown types and their interceptors' unknown types.
func (b *builder) inspectDropped() {
	for _, c := range b.cfg.Dropped {
		b.checkType(c)
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
