package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/sinkrunner"
)

// lifecycle is what Start and Stop drive: channels, runners and sources.
type lifecycle interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Start publishes the components' counters and starts the channels, then the
// sink runners, then the sources. A component whose Start fails is logged
// and retried every RestartInterval until it starts or is stopped; Start
// itself returns nil unless ctx ends first.
func (g *Graph) Start(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started {
		return nil
	}
	g.started = true
	g.supCtx, g.stopSup = context.WithCancel(context.Background())
	g.retrying = map[string]context.CancelFunc{}
	if g.opts.Publish != nil {
		for name, groups := range g.counters {
			for _, grp := range groups {
				g.opts.Publish(name, grp)
			}
		}
	}
	for _, n := range g.Channels {
		g.startLocked(ctx, "channel", n.Name, n.Component)
	}
	for _, n := range g.Runners {
		g.startLocked(ctx, "sink", n.Name, n.Component)
	}
	for _, n := range g.Sources {
		g.startLocked(ctx, "source", n.Name, n.Component)
	}
	return ctx.Err()
}

func (g *Graph) restartInterval() time.Duration {
	if g.opts.RestartInterval > 0 {
		return g.opts.RestartInterval
	}
	return 3 * time.Second
}

// startLocked starts a component, handing it to a retry loop if it fails.
// g.mu is held.
func (g *Graph) startLocked(ctx context.Context, kind, name string, c lifecycle) {
	if err := safeStart(ctx, c); err != nil {
		g.log.Error("component failed to start; retrying", "component", kind, "name", name,
			"retry", g.restartInterval(), "error", err)
		key := kind + "/" + name
		rctx, cancel := context.WithCancel(g.supCtx)
		g.retrying[key] = cancel
		g.supWG.Add(1)
		go g.retryStart(rctx, key, kind, name, c)
		return
	}
	g.log.Debug("component started", "component", kind, "name", name)
}

// retryStart is Flume's AlwaysRestart supervision of a component that
// failed to start.
func (g *Graph) retryStart(ctx context.Context, key, kind, name string, c lifecycle) {
	defer g.supWG.Done()
	t := time.NewTicker(g.restartInterval())
	defer t.Stop()
	for attempt := 2; ; attempt++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := safeStart(ctx, c)
		if err == nil {
			g.log.Info("component started after retrying", "component", kind, "name", name, "attempt", attempt)
			g.mu.Lock()
			if cancel, ok := g.retrying[key]; ok {
				cancel()
				delete(g.retrying, key)
			}
			g.mu.Unlock()
			return
		}
		if ctx.Err() != nil {
			return
		}
		g.log.Error("component failed to start; retrying", "component", kind, "name", name, "attempt", attempt, "error", err)
	}
}

// cancelRetry stops retrying a component that is about to be stopped.
// g.mu is held.
func (g *Graph) cancelRetryLocked(kind, name string) {
	if cancel, ok := g.retrying[kind+"/"+name]; ok {
		cancel()
		delete(g.retrying, kind+"/"+name)
	}
}

// safeStart calls Start, turning a panic (a faulty plugin) into an error so
// the component is retried like any other that failed to start.
func safeStart(ctx context.Context, c lifecycle) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in Start: %v\n%s", p, debug.Stack())
		}
	}()
	return c.Start(ctx)
}

// Stop stops the sources, lets the sink runners drain their channels for at
// most DrainTimeout, stops the runners and then the channels. It returns
// the errors components reported while stopping.
func (g *Graph) Stop(ctx context.Context) error {
	g.mu.Lock()
	if !g.started {
		g.mu.Unlock()
		return nil
	}
	g.started = false
	g.stopSup()
	g.mu.Unlock()
	g.supWG.Wait()

	var errs []error
	for i := len(g.Sources) - 1; i >= 0; i-- {
		errs = append(errs, stop(ctx, "source", g.Sources[i].Name, g.Sources[i].Component))
	}
	g.drain(ctx, g.Runners, g.Channels)
	for i := len(g.Runners) - 1; i >= 0; i-- {
		errs = append(errs, stop(ctx, "sink", g.Runners[i].Name, g.Runners[i].Component))
	}
	for i := len(g.Channels) - 1; i >= 0; i-- {
		errs = append(errs, stop(ctx, "channel", g.Channels[i].Name, g.Channels[i].Component))
	}
	return errors.Join(errs...)
}

func stop(ctx context.Context, kind, name string, c lifecycle) error {
	if err := c.Stop(ctx); err != nil {
		return fmt.Errorf("stop %s %q: %w", kind, name, err)
	}
	return nil
}

// drain lets the runners empty the channels, in parallel, bounded by
// DrainTimeout.
func (g *Graph) drain(ctx context.Context, runners []Node[*sinkrunner.Runner], channels []Node[flume.Channel]) {
	timeout := g.opts.DrainTimeout
	if timeout < 0 || len(runners) == 0 {
		return
	}
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	held := 0
	for _, c := range channels {
		held += c.Component.Len()
	}
	if held == 0 {
		return
	}
	g.log.Info("draining channels", "events", held, "timeout", timeout)
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Component.Drain(dctx); err != nil {
				g.log.Warn("sink did not drain its channel in time", "sink", r.Name, "error", err)
			}
		}()
	}
	wg.Wait()
	left := 0
	for _, c := range channels {
		left += c.Component.Len()
	}
	if left > 0 {
		g.log.Warn("events left in channels at shutdown", "events", left)
	}
}

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
// returned problems are those of the new configuration.
func (g *Graph) Reload(ctx context.Context, cfg *conf.AgentConfig) (flume.Problems, error) {
	next, problems := build(cfg, g.opts, g)
	if len(problems.Errors()) > 0 {
		return problems, ErrReloadRefused
	}
	if len(next.Sources) == 0 && len(next.Runners) == 0 {
		return problems, fmt.Errorf("%w: nothing to run", ErrReloadRefused)
	}
	g.mu.Lock()
	defer g.mu.Unlock()

	keptSources := keptIn(g.Sources, next.Sources)
	keptRunners := keptIn(g.Runners, next.Runners)
	keptChannels := keptIn(g.Channels, next.Channels)
	var errs []error
	for i := len(g.Sources) - 1; i >= 0; i-- {
		if n := g.Sources[i]; !keptSources[n.Name] {
			g.cancelRetryLocked("source", n.Name)
			errs = append(errs, stop(ctx, "source", n.Name, n.Component))
		}
	}
	// Drain the channels that go away through their old sinks.
	var leaving []Node[flume.Channel]
	for _, n := range g.Channels {
		if !keptChannels[n.Name] {
			leaving = append(leaving, n)
		}
	}
	var drainers []Node[*sinkrunner.Runner]
	for _, r := range g.Runners {
		for _, ch := range r.channels {
			for _, l := range leaving {
				if same(ch, l.Component) && !keptRunners[r.Name] {
					drainers = append(drainers, r)
				}
			}
		}
	}
	g.drain(ctx, drainers, leaving)
	for i := len(g.Runners) - 1; i >= 0; i-- {
		if n := g.Runners[i]; !keptRunners[n.Name] {
			g.cancelRetryLocked("sink", n.Name)
			errs = append(errs, stop(ctx, "sink", n.Name, n.Component))
		}
	}
	for _, n := range leaving {
		g.cancelRetryLocked("channel", n.Name)
		errs = append(errs, stop(ctx, "channel", n.Name, n.Component))
	}
	for _, n := range next.Channels {
		if n.reconfigure != nil {
			if err := n.Component.(Reconfigurer).Reconfigure(n.reconfigure); err != nil {
				g.log.Error("could not apply the channel's new configuration; it keeps the old one", "channel", n.Name, "error", err)
			} else {
				g.log.Info("channel reconfigured in place; its events are kept", "channel", n.Name)
			}
		}
	}

	// Swap in the new graph and start what is new.
	old := g.counters
	g.Channels, g.Runners, g.Sources, g.sinks, g.counters = next.Channels, next.Runners, next.Sources, next.sinks, next.counters
	if g.opts.Unpublish != nil {
		for name, groups := range old {
			if _, ok := g.counters[name]; !ok {
				for _, grp := range groups {
					g.opts.Unpublish(name, grp)
				}
			}
		}
	}
	if g.opts.Publish != nil {
		for name, groups := range g.counters {
			if !sameGroups(old[name], groups) {
				for _, grp := range groups {
					g.opts.Publish(name, grp)
				}
			}
		}
	}
	started := 0
	for _, n := range g.Channels {
		if !keptChannels[n.Name] {
			g.startLocked(ctx, "channel", n.Name, n.Component)
			started++
		}
	}
	for _, n := range g.Runners {
		if !keptRunners[n.Name] {
			g.startLocked(ctx, "sink", n.Name, n.Component)
			started++
		}
	}
	for _, n := range g.Sources {
		if !keptSources[n.Name] {
			g.startLocked(ctx, "source", n.Name, n.Component)
			started++
		}
	}
	g.log.Info("configuration reloaded", "restarted", started,
		"kept", len(keptSources)+len(keptRunners)+len(keptChannels))
	return problems, errors.Join(errs...)
}

// keptIn returns the names of the old nodes whose component is also in
// next (same object under the same name).
func keptIn[T any](old, next []Node[T]) map[string]bool {
	kept := map[string]bool{}
	for _, o := range old {
		if n, ok := findNode(next, o.Name); ok && same(n.Component, o.Component) {
			kept[o.Name] = true
		}
	}
	return kept
}

func sameGroups(a, b []flume.CounterGroup) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !same(a[i], b[i]) {
			return false
		}
	}
	return true
}

// LogProblems logs configuration problems: errors at level Error,
// warnings at Warn.
func LogProblems(log *slog.Logger, ps flume.Problems) {
	for _, p := range ps {
		if p.Severity == flume.Error {
			log.Error("configuration: " + p.Error())
		} else {
			log.Warn("configuration: " + p.Error())
		}
	}
}
