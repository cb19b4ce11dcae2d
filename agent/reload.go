package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/sinkrunner"
)

// ErrReloadRefused is returned by Reload when the new configuration has
// errors; the running components are left as they were.
var ErrReloadRefused = errors.New("configuration has errors; the running agent is kept unchanged")

// Reload switches a running graph to cfg, restarting only what changed:
//
//   - a component whose properties, and whose channels, are unchanged keeps
//     running untouched, counters included;
//   - a memory channel (any Reconfigurer) whose properties changed is
//     reconfigured in place and keeps its events;
//   - a channel that is removed, or replaced because its type changed, is
//     first drained through its old sinks (bounded by DrainTimeout);
//   - changed sources are stopped first and started last, so nothing is
//     put on a channel while it is being switched.
//
// A configuration with errors is refused (ErrReloadRefused) and changes
// nothing, unlike Flume, which would drop the invalid components. The
// returned problems are those of the new configuration. On a graph that is
// not running, Reload only replaces what Start will start.
//
// ctx bounds the drain and the stops; a component whose Stop did not
// complete in time is stopped again by the graph's Stop.
func (g *Graph) Reload(ctx context.Context, cfg *conf.AgentConfig) (flume.Problems, error) {
	g.life.Lock()
	defer g.life.Unlock()
	p, problems, err := g.plan(cfg)
	if err != nil {
		return problems, err
	}
	return problems, g.apply(ctx, p)
}

// reloadPlan is what a reload does, worked out before anything is touched.
type reloadPlan struct {
	next *topology
	// The old components that go away (or are replaced), in stop order.
	stopSources []pending
	drainers    []node[*sinkrunner.Runner]
	leaving     []node[flume.Channel]
	stopRunners []pending
	// The new components, in start order.
	start []pending
	// reconfigure are kept channels that take a new configuration.
	reconfigure []node[flume.Channel]
	kept        int
}

// plan builds cfg against the running topology and works out what to stop,
// drain, reconfigure and start. It touches no running component. The caller
// holds life.
func (g *Graph) plan(cfg *conf.AgentConfig) (*reloadPlan, flume.Problems, error) {
	cur := g.topo
	next, problems := build(cfg, g.opts, cur)
	if len(problems.Errors()) > 0 {
		return nil, problems, ErrReloadRefused
	}
	if next.empty() {
		return nil, problems, fmt.Errorf("%w: nothing to run", ErrReloadRefused)
	}
	p := &reloadPlan{next: next}
	keptSources := kept(cur.sources, next.sources)
	keptRunners := kept(cur.runners, next.runners)
	keptChannels := kept(cur.channels, next.channels)
	p.kept = len(keptSources) + len(keptRunners) + len(keptChannels)

	for _, n := range slices.Backward(cur.sources) {
		if !keptSources[n.id] {
			p.stopSources = append(p.stopSources, pending{flume.KindSource, n.name, n.id, n.component})
		}
	}
	for _, n := range cur.channels {
		if !keptChannels[n.id] {
			p.leaving = append(p.leaving, n)
		}
	}
	// The channels that go away are drained through their old sinks: each
	// runner that reads one of them, once.
	for _, r := range cur.runners {
		if !keptRunners[r.id] && slices.ContainsFunc(r.channels, func(ch flume.Channel) bool {
			return slices.ContainsFunc(p.leaving, func(l node[flume.Channel]) bool { return same(ch, l.component) })
		}) {
			p.drainers = append(p.drainers, r)
		}
	}
	for _, n := range slices.Backward(cur.runners) {
		if !keptRunners[n.id] {
			p.stopRunners = append(p.stopRunners, pending{flume.KindSink, n.name, n.id, n.component})
		}
	}
	for _, n := range next.channels {
		if n.reconfigure != nil {
			p.reconfigure = append(p.reconfigure, n)
		}
	}
	for _, n := range channelsOf(next) {
		if !keptChannels[n.id] {
			p.start = append(p.start, n)
		}
	}
	for _, n := range runnersOf(next) {
		if !keptRunners[n.id] {
			p.start = append(p.start, n)
		}
	}
	for _, n := range sourcesOf(next) {
		if !keptSources[n.id] {
			p.start = append(p.start, n)
		}
	}
	return p, problems, nil
}

// kept returns the ids of the old nodes that are also in next (the same
// component under the same name).
func kept[T any](old, next []node[T]) map[uint64]bool {
	out := map[uint64]bool{}
	for _, o := range old {
		if n, ok := findNode(next, o.name); ok && n.id == o.id {
			out[o.id] = true
		}
	}
	return out
}

// apply carries a plan out: it stops what goes away (sources first, then
// drains and stops the old runners and channels), reconfigures the kept
// channels, swaps the topology in and starts what is new. The caller holds
// life; g.mu is taken only to swap and to record states.
func (g *Graph) apply(ctx context.Context, p *reloadPlan) error {
	g.mu.Lock()
	running := g.run == graphRunning
	stopping := g.run == graphStopping
	g.mu.Unlock()
	if stopping {
		return errors.New("reload: the graph's Stop has not completed; stop it again first")
	}
	var errs []error
	if running {
		errs = append(errs, g.stopLeaving(ctx, p.stopSources)...)
		g.drain(ctx, p.drainers, p.leaving)
		errs = append(errs, g.stopLeaving(ctx, p.stopRunners)...)
		var channels []pending
		for _, n := range p.leaving {
			channels = append(channels, pending{flume.KindChannel, n.name, n.id, n.component})
		}
		errs = append(errs, g.stopLeaving(ctx, channels)...)
	}
	for _, n := range p.reconfigure {
		if err := n.component.(Reconfigurer).Reconfigure(n.reconfigure); err != nil {
			g.log.Error("could not apply the channel's new configuration; it keeps the old one", "channel", n.name, "error", err)
		} else {
			g.log.Info("channel reconfigured in place; its events are kept", "channel", n.name)
		}
	}

	g.mu.Lock()
	old := g.topo
	g.topo = p.next
	g.generation++
	for _, s := range p.stopSources {
		delete(g.states, s.id)
	}
	for _, s := range p.stopRunners {
		delete(g.states, s.id)
	}
	for _, n := range p.leaving {
		delete(g.states, n.id)
	}
	g.mu.Unlock()
	g.republish(old.counters, p.next.counters)
	if !running {
		return errors.Join(errs...)
	}
	for _, n := range p.start {
		g.start(ctx, n)
	}
	g.log.Info("configuration reloaded", "restarted", len(p.start), "kept", p.kept)
	return errors.Join(errs...)
}

// stopLeaving stops components a reload removes. One whose Stop did not
// complete is remembered, so the graph's Stop stops it again.
func (g *Graph) stopLeaving(ctx context.Context, ps []pending) []error {
	var errs []error
	for _, p := range ps {
		g.cancelRetry(p.id)
		if err := g.stop(ctx, p); err != nil {
			errs = append(errs, err)
			g.mu.Lock()
			g.unstopped = append(g.unstopped, p)
			g.mu.Unlock()
		}
	}
	return errs
}

// republish unpublishes the counter groups of components that left and
// publishes those of components that are new.
func (g *Graph) republish(old, next map[counterKey][]flume.CounterGroup) {
	if g.opts.Unpublish != nil {
		for k, groups := range old {
			if _, ok := next[k]; !ok {
				for _, grp := range groups {
					g.opts.Unpublish(k.name, grp)
				}
			}
		}
	}
	if g.opts.Publish != nil {
		for k, groups := range next {
			if !slices.EqualFunc(old[k], groups, func(a, b flume.CounterGroup) bool { return same(a, b) }) {
				for _, grp := range groups {
					g.opts.Publish(k.name, grp)
				}
			}
		}
	}
}
