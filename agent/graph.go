package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/sinkgroup"
	"github.com/flumego/flume/source"
)

// Options configure how a graph is built and run.
type Options struct {
	// Registry resolves type names; nil means flume.DefaultRegistry().
	Registry *flume.Registry
	// Logger receives the agent's logs; nil discards them.
	Logger *slog.Logger
	// Publish receives each component's counter group with the component's
	// name; nil discards them.
	Publish func(name string, g flume.CounterGroup)
	// DrainTimeout bounds how long Stop lets sinks drain their channels
	// after the sources stopped. Zero means 10 s; negative disables draining.
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

// Node is a built component with its name.
type Node[T any] struct {
	Name      string
	Type      string
	Component T
	// Fingerprint identifies the configuration the component was built from.
	Fingerprint string
}

// Graph is a built agent, ready to start.
type Graph struct {
	Channels []Node[flume.Channel]
	Runners  []Node[*sinkgroup.Runner]
	Sources  []Node[flume.Source]

	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	stopSup context.CancelFunc
	supWG   sync.WaitGroup
	started bool
}

// Build builds every component of cfg that can be built. The problems it
// returns are cfg's own plus those found while building (unknown types,
// factory errors, batch sizes, unknown keys). A component with an error is
// left out; the graph runs the rest.
func Build(cfg *conf.AgentConfig, opts Options) (*Graph, flume.Problems) {
	b := &build{cfg: cfg, opts: opts, reg: opts.registry(), log: opts.logger()}
	g := &Graph{opts: opts, log: b.log}
	b.problems = append(b.problems, cfg.Problems...)
	channels := b.channels()
	sinks := b.sinks(channels)
	g.Runners = b.runners(sinks)
	g.Sources = b.sources(channels)
	// Flume removes channels nothing is connected to.
	used := map[string]bool{}
	for _, s := range b.sourceChannels {
		used[s] = true
	}
	for _, s := range sinks {
		used[s.channel] = true
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
	return g, b.problems
}

type build struct {
	cfg            *conf.AgentConfig
	opts           Options
	reg            *flume.Registry
	log            *slog.Logger
	problems       flume.Problems
	sourceChannels []string
}

type builtSink struct {
	Node[flume.Sink]
	channel string
}

func (b *build) add(sev flume.Severity, at flume.Property, format string, args ...any) {
	b.problems = append(b.problems, flume.Problem{Severity: sev, File: at.File, Line: at.Line, Key: at.Key,
		Value: at.Value, HasValue: at.Key != "", Message: fmt.Sprintf(format, args...)})
}

// settings returns the Settings for a component.
func (b *build) settings(kind, name, typ string) flume.Settings {
	set := flume.Settings{Agent: b.cfg.Name, Name: name, Type: typ,
		Logger: b.log.With("component", kind, "name", name, "type", typ)}
	if b.opts.Publish != nil {
		publish := b.opts.Publish
		set.Publisher = func(g flume.CounterGroup) { publish(name, g) }
	}
	return set
}

// finish records the context's problems and unknown keys and reports
// whether the component is usable.
func (b *build) finish(ctx *flume.Context, what string, err error) bool {
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

func (b *build) channels() map[string]Node[flume.Channel] {
	out := map[string]Node[flume.Channel]{}
	for _, c := range b.cfg.Channels {
		f, canonical, err := b.reg.Channel(c.Type)
		if err != nil {
			b.add(flume.Error, c.Anchor, "%v; channel %q is dropped", err, c.Name)
			continue
		}
		ctx := c.Context()
		ctx.MarkUsed("type")
		ch, err := f(b.settings("channel", c.Name, canonical), ctx)
		if !b.finish(ctx, fmt.Sprintf("channel %q", c.Name), err) {
			continue
		}
		out[c.Name] = Node[flume.Channel]{Name: c.Name, Type: canonical, Component: ch, Fingerprint: c.Fingerprint()}
	}
	return out
}

func (b *build) sinks(channels map[string]Node[flume.Channel]) map[string]builtSink {
	out := map[string]builtSink{}
	for _, s := range b.cfg.Sinks {
		ch, ok := channels[s.Channel]
		if !ok {
			b.add(flume.Error, s.Anchor, "sink %q: its channel %q was dropped; the sink is dropped", s.Name, s.Channel)
			continue
		}
		f, canonical, err := b.reg.Sink(s.Type)
		if err != nil {
			b.add(flume.Error, s.Anchor, "%v; sink %q is dropped", err, s.Name)
			continue
		}
		ctx := s.Context()
		ctx.MarkUsed("type", "channel")
		sk, err := f(b.settings("sink", s.Name, canonical), ctx, ch.Component)
		if !b.finish(ctx, fmt.Sprintf("sink %q", s.Name), err) {
			continue
		}
		if !b.batchFits(sk, &s.Component, "sink", s.Name, ch) {
			continue
		}
		out[s.Name] = builtSink{Node: Node[flume.Sink]{Name: s.Name, Type: canonical, Component: sk, Fingerprint: s.Fingerprint()}, channel: s.Channel}
	}
	return out
}

// batchFits applies Flume's rule that a component's batch size must not
// exceed its channel's transactionCapacity.
func (b *build) batchFits(c any, comp *conf.Component, kind, name string, ch Node[flume.Channel]) bool {
	bs, ok := c.(flume.Batcher)
	if !ok {
		return true
	}
	if n, tc := bs.BatchSize(), ch.Component.TransactionCapacity(); n > tc {
		at := comp.Anchor
		for _, p := range comp.Props { // point at the batch-size property when there is one
			key := strings.ToLower(strings.TrimPrefix(p.Key, comp.Prefix))
			if (strings.HasSuffix(key, "batchsize") || strings.HasSuffix(key, "batch-size")) && p.Value == strconv.Itoa(n) {
				at = p
			}
		}
		b.add(flume.Error, at, "%s %q: batch size %d exceeds the transactionCapacity %d of channel %q; every transaction would fail, so the %s is dropped",
			kind, name, n, tc, ch.Name, kind)
		return false
	}
	return true
}

func (b *build) runners(sinks map[string]builtSink) []Node[*sinkgroup.Runner] {
	var out []Node[*sinkgroup.Runner]
	grouped := map[string]bool{}
	for _, g := range b.cfg.SinkGroups {
		var members []sinkgroup.NamedSink
		fp := g.Fingerprint()
		for _, name := range g.Sinks {
			s, ok := sinks[name]
			if !ok {
				b.add(flume.Error, g.Anchor, "sink group %q: sink %q was dropped; the group goes on without it", g.Name, name)
				continue
			}
			members = append(members, sinkgroup.NamedSink{Name: name, Sink: s.Component})
			grouped[name] = true
			fp += "\x02" + s.Fingerprint
		}
		if len(members) == 0 {
			b.add(flume.Error, g.Anchor, "sink group %q has no sink left; it is dropped", g.Name)
			continue
		}
		ctx := g.Context()
		proc, err := sinkgroup.New(b.settings("sinkgroup", g.Name, ""), ctx, members, b.reg)
		if !b.finish(ctx, fmt.Sprintf("sink group %q", g.Name), err) {
			continue
		}
		out = append(out, Node[*sinkgroup.Runner]{Name: g.Name, Type: "sinkgroup", Component: b.runner(g.Name, proc), Fingerprint: fp})
	}
	for _, s := range b.cfg.Sinks {
		bs, ok := sinks[s.Name]
		if !ok || grouped[s.Name] {
			continue
		}
		out = append(out, Node[*sinkgroup.Runner]{Name: s.Name, Type: bs.Type, Component: b.runner(s.Name, bs.Component), Fingerprint: bs.Fingerprint})
	}
	return out
}

func (b *build) runner(name string, s flume.Sink) *sinkgroup.Runner {
	r := sinkgroup.NewRunner(name, s, b.log.With("runner", name))
	if rb := b.opts.RunnerBackoff; rb != nil {
		r.BackoffStep, r.MaxBackoff, r.ErrorBackoff = rb.Step, rb.Max, rb.Error
	}
	return r
}

func (b *build) sources(channels map[string]Node[flume.Channel]) []Node[flume.Source] {
	var out []Node[flume.Source]
	for _, s := range b.cfg.Sources {
		var chs []source.Channel
		var nodes []Node[flume.Channel]
		for _, name := range s.Channels {
			if n, ok := channels[name]; ok {
				chs = append(chs, source.Channel{Name: name, Channel: n.Component})
				nodes = append(nodes, n)
			} else {
				b.add(flume.Warning, s.Anchor, "source %q: its channel %q was dropped; the source does not use it", s.Name, name)
			}
		}
		if len(chs) == 0 {
			b.add(flume.Error, s.Anchor, "source %q has no channel left; it is dropped", s.Name)
			continue
		}
		f, canonical, err := b.reg.Source(s.Type)
		if err != nil {
			b.add(flume.Error, s.Anchor, "%v; source %q is dropped", err, s.Name)
			continue
		}
		ctx := s.Context()
		ctx.MarkUsed("type", "channels")
		set := b.settings("source", s.Name, canonical)
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
		for _, n := range nodes {
			if !slices.Contains(b.sourceChannels, n.Name) {
				b.sourceChannels = append(b.sourceChannels, n.Name)
			}
		}
		out = append(out, Node[flume.Source]{Name: s.Name, Type: canonical, Component: src, Fingerprint: s.Fingerprint()})
	}
	return out
}
