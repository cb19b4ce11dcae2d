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
)

// lifecycle is what Start and Stop drive: channels, runners and sources.
type lifecycle interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Start starts the channels, then the sink runners, then the sources. A
// component whose Start fails is logged and retried every RestartInterval
// until it starts or the graph stops; Start itself returns nil unless ctx
// ends first.
func (g *Graph) Start(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started {
		return nil
	}
	g.started = true
	supCtx, cancel := context.WithCancel(context.Background())
	g.stopSup = cancel
	start := func(kind, name string, c lifecycle) {
		if err := safeStart(ctx, c); err != nil {
			g.log.Error("component failed to start; retrying", "component", kind, "name", name,
				"retry", g.restartInterval(), "error", err)
			g.supWG.Add(1)
			go g.retryStart(supCtx, kind, name, c)
			return
		}
		g.log.Debug("component started", "component", kind, "name", name)
	}
	for _, n := range g.Channels {
		start("channel", n.Name, n.Component)
	}
	for _, n := range g.Runners {
		start("sink", n.Name, n.Component)
	}
	for _, n := range g.Sources {
		start("source", n.Name, n.Component)
	}
	return ctx.Err()
}

func (g *Graph) restartInterval() time.Duration {
	if g.opts.RestartInterval > 0 {
		return g.opts.RestartInterval
	}
	return 3 * time.Second
}

// retryStart is Flume's AlwaysRestart supervision of a component that
// failed to start.
func (g *Graph) retryStart(ctx context.Context, kind, name string, c lifecycle) {
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
			return
		}
		if ctx.Err() != nil {
			return
		}
		g.log.Error("component failed to start; retrying", "component", kind, "name", name, "attempt", attempt, "error", err)
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
	stop := func(kind, name string, c lifecycle) {
		if err := c.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop %s %q: %w", kind, name, err))
		}
	}
	for i := len(g.Sources) - 1; i >= 0; i-- {
		stop("source", g.Sources[i].Name, g.Sources[i].Component)
	}
	g.drain(ctx)
	for i := len(g.Runners) - 1; i >= 0; i-- {
		stop("sink", g.Runners[i].Name, g.Runners[i].Component)
	}
	for i := len(g.Channels) - 1; i >= 0; i-- {
		stop("channel", g.Channels[i].Name, g.Channels[i].Component)
	}
	return errors.Join(errs...)
}

// drain lets every sink runner empty its channel, in parallel, bounded by
// DrainTimeout.
func (g *Graph) drain(ctx context.Context) {
	timeout := g.opts.DrainTimeout
	if timeout < 0 || len(g.Runners) == 0 {
		return
	}
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	held := 0
	for _, c := range g.Channels {
		held += c.Component.Len()
	}
	if held == 0 {
		return
	}
	g.log.Info("draining channels before shutdown", "events", held, "timeout", timeout)
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range g.Runners {
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
	for _, c := range g.Channels {
		left += c.Component.Len()
	}
	if left > 0 {
		g.log.Warn("events left in channels at shutdown", "events", left)
	}
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
