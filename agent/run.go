package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/sinkrunner"
)

// runState is where a graph is in its lifecycle.
type runState int

const (
	graphStopped runState = iota
	graphRunning
	// graphStopping: a Stop ended before every component had stopped; the
	// next Stop stops them again.
	graphStopping
)

// lifecycle is what Start and Stop drive: channels, runners and sources.
type lifecycle interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// pending is a component to start or stop, with how to name it in logs.
type pending struct {
	kind flume.Kind
	name string
	id   uint64
	c    lifecycle
}

func sourcesOf(t *topology) []pending {
	out := make([]pending, len(t.sources))
	for i, n := range t.sources {
		out[i] = pending{flume.KindSource, n.name, n.id, n.component}
	}
	return out
}

func runnersOf(t *topology) []pending {
	out := make([]pending, len(t.runners))
	for i, n := range t.runners {
		out[i] = pending{flume.KindSink, n.name, n.id, n.component}
	}
	return out
}

func channelsOf(t *topology) []pending {
	out := make([]pending, len(t.channels))
	for i, n := range t.channels {
		out[i] = pending{flume.KindChannel, n.name, n.id, n.component}
	}
	return out
}

// retry is a running retry loop of a component that failed to start.
type retry struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Start publishes the components' counters and starts the channels, then the
// sink runners, then the sources. A component whose Start fails is logged
// and retried every RestartInterval until it starts or is stopped; Start
// itself returns nil unless ctx ends first.
func (g *Graph) Start(ctx context.Context) error {
	g.life.Lock()
	defer g.life.Unlock()
	g.mu.Lock()
	if g.run == graphRunning {
		g.mu.Unlock()
		return nil
	}
	g.run = graphRunning
	g.supCtx, g.stopSup = context.WithCancel(context.Background())
	g.retrying = map[uint64]*retry{}
	t := g.topo
	g.mu.Unlock()

	if g.opts.Publish != nil {
		for k, groups := range t.counters {
			for _, grp := range groups {
				g.opts.Publish(k.name, grp)
			}
		}
	}
	for _, list := range [][]pending{channelsOf(t), runnersOf(t), sourcesOf(t)} {
		for _, p := range list {
			g.start(ctx, p)
		}
	}
	return ctx.Err()
}

func (g *Graph) restartInterval() time.Duration {
	if g.opts.RestartInterval > 0 {
		return g.opts.RestartInterval
	}
	return 3 * time.Second
}

func (g *Graph) setState(id uint64, s State) {
	g.mu.Lock()
	g.states[id] = s
	g.mu.Unlock()
}

// start starts a component, handing it to a retry loop if it fails. The
// caller holds life.
func (g *Graph) start(ctx context.Context, p pending) {
	err := safeStart(ctx, p.c)
	if err == nil {
		g.setState(p.id, Running)
		g.log.Debug("component started", "component", string(p.kind), "name", p.name)
		return
	}
	g.log.Error("component failed to start; retrying", "component", string(p.kind), "name", p.name,
		"retry", g.restartInterval(), "error", err)
	g.mu.Lock()
	defer g.mu.Unlock()
	rctx, cancel := context.WithCancel(g.supCtx)
	r := &retry{cancel: cancel, done: make(chan struct{})}
	g.retrying[p.id] = r
	g.states[p.id] = Retrying
	g.supWG.Add(1)
	go g.retryStart(rctx, r, p)
}

// retryStart is Flume's AlwaysRestart supervision of a component that
// failed to start.
func (g *Graph) retryStart(ctx context.Context, r *retry, p pending) {
	defer g.supWG.Done()
	defer close(r.done)
	t := time.NewTicker(g.restartInterval())
	defer t.Stop()
	for attempt := 2; ; attempt++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := safeStart(ctx, p.c)
		if err == nil {
			g.log.Info("component started after retrying", "component", string(p.kind), "name", p.name, "attempt", attempt)
			g.mu.Lock()
			if g.retrying[p.id] == r {
				delete(g.retrying, p.id)
				g.states[p.id] = Running
			}
			g.mu.Unlock()
			r.cancel()
			return
		}
		if ctx.Err() != nil {
			return
		}
		g.log.Error("component failed to start; retrying", "component", string(p.kind), "name", p.name, "attempt", attempt, "error", err)
	}
}

// cancelRetry stops retrying a component that is about to be stopped and
// waits for its retry loop to end, so Start and Stop never overlap.
func (g *Graph) cancelRetry(id uint64) {
	g.mu.Lock()
	r, ok := g.retrying[id]
	delete(g.retrying, id)
	g.mu.Unlock()
	if ok {
		r.cancel()
		<-r.done
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
// the errors components reported while stopping. When ctx ends first, every
// component has still been told to stop, and another Stop stops again the
// ones that had not finished.
func (g *Graph) Stop(ctx context.Context) error {
	g.life.Lock()
	defer g.life.Unlock()
	g.mu.Lock()
	state := g.run
	if state == graphStopped {
		g.mu.Unlock()
		return nil
	}
	if state == graphRunning {
		g.stopSup()
	}
	g.run = graphStopped
	t, unstopped := g.topo, g.unstopped
	g.unstopped = nil
	g.mu.Unlock()
	g.supWG.Wait()

	var errs []error
	errs = append(errs, g.stopAll(ctx, unstopped)...)
	errs = append(errs, g.stopAll(ctx, reversed(sourcesOf(t)))...)
	if state == graphRunning {
		g.drain(ctx, t.runners, t.channels)
	}
	errs = append(errs, g.stopAll(ctx, reversed(runnersOf(t)))...)
	errs = append(errs, g.stopAll(ctx, reversed(channelsOf(t)))...)
	if err := errors.Join(errs...); err != nil {
		g.mu.Lock()
		g.run = graphStopping
		g.mu.Unlock()
		return err
	}
	return nil
}

func reversed(ps []pending) []pending {
	for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
		ps[i], ps[j] = ps[j], ps[i]
	}
	return ps
}

// stopAll stops each component in order and returns their errors.
func (g *Graph) stopAll(ctx context.Context, ps []pending) []error {
	var errs []error
	for _, p := range ps {
		if err := g.stop(ctx, p); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (g *Graph) stop(ctx context.Context, p pending) error {
	err := p.c.Stop(ctx)
	g.setState(p.id, Stopped)
	if err != nil {
		return fmt.Errorf("stop %s %q: %w", p.kind, p.name, err)
	}
	return nil
}

// holder is implemented by channels that tell, read together, how many
// committed events wait in them (Len) and how many open take transactions
// hold (the memory and file channels).
type holder interface {
	Held() (queued, inFlight int)
}

// drain lets the runners empty the channels, in parallel, bounded by
// DrainTimeout.
func (g *Graph) drain(ctx context.Context, runners []node[*sinkrunner.Runner], channels []node[flume.Channel]) {
	timeout := g.opts.DrainTimeout
	if timeout < 0 || len(runners) == 0 {
		return
	}
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	held, known := heldEvents(channels)
	if held == 0 {
		return
	}
	g.log.Info("draining channels", "events", held, "timeout", timeout)
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var emptied atomic.Bool
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.component.Drain(dctx); err != nil && !emptied.Load() {
				g.log.Warn("sink did not drain its channel in time", "sink", r.name, "error", err)
			}
		}()
	}
	drained := make(chan struct{})
	go func() {
		wg.Wait()
		close(drained)
	}()
	// A sink tells it drained its channel when a take finds it empty,
	// which waits the channel's keep-alive; when the channels tell what
	// their takes hold, the drain ends as soon as they hold nothing.
	if known {
		tick := time.NewTicker(drainPoll)
		defer tick.Stop()
	watch:
		for {
			select {
			case <-drained:
				break watch
			case <-dctx.Done():
				break watch
			case <-tick.C:
				if n, _ := heldEvents(channels); n == 0 {
					emptied.Store(true)
					cancel()
					break watch
				}
			}
		}
	}
	<-drained
	if left, _ := heldEvents(channels); left > 0 {
		g.log.Warn("events left in channels at shutdown", "events", left)
	}
}

// drainPoll is how often a drain looks whether the channels are empty.
const drainPoll = 10 * time.Millisecond

// heldEvents returns the events the channels hold: committed ones and, for
// channels that tell (holder), those of open take transactions, which
// come back if the delivery in progress fails. known reports whether every
// channel tells.
func heldEvents(channels []node[flume.Channel]) (held int, known bool) {
	known = true
	for _, c := range channels {
		if h, ok := c.component.(holder); ok {
			queued, inFlight := h.Held()
			held += queued + inFlight
		} else {
			held += c.component.Len()
			known = false
		}
	}
	return held, known
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
