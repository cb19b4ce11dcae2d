package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/envcheck"
	"github.com/flumego/flume/monitor"
)

// Default intervals of an Agent.
const (
	// DefaultPollInterval is how often the configuration is checked for
	// changes: Flume's 30 s for files.
	DefaultPollInterval = 30 * time.Second
	// DefaultStopTimeout bounds Run's stop.
	DefaultStopTimeout = 60 * time.Second
)

// ErrNotStarted wraps the error that kept an agent from starting.
var ErrNotStarted = errors.New("agent not started")

// Config configures an Agent. Only Source is required.
type Config struct {
	// Source is where the configuration comes from.
	Source ConfigSource
	// Reload makes the agent poll Source.Version every PollInterval and
	// apply a changed configuration, restarting only what changed (see
	// Graph.Reload).
	Reload bool
	// PollInterval is how often Reload polls; zero means 30 s.
	PollInterval time.Duration
	// Strict refuses to start a configuration with errors instead of
	// running the components that could be built, as Flume does.
	Strict bool

	// Registry resolves type names; nil means flume.DefaultRegistry().
	Registry *flume.Registry
	// Logger receives the agent's logs; nil discards them.
	Logger *slog.Logger
	// Metrics lists every running component's counters; nil means a new
	// registry (see Agent.Metrics).
	Metrics *monitor.Registry
	// SystemProperties are Flume's -D system properties as the agent sees
	// them: flume.monitoring.type (http or prometheus), .port and .bind
	// start a monitoring server on Metrics, as in Flume. Without
	// flume.monitoring.type no server is started.
	SystemProperties map[string]string

	// DrainTimeout bounds how long stopping (or a reload that removes a
	// channel) lets sinks drain channels: zero means 10 s, negative
	// disables draining.
	DrainTimeout time.Duration
	// StopTimeout bounds Run's stop once its ctx ends; zero means 60 s.
	StopTimeout time.Duration
	// RestartInterval is how often a component whose Start failed is
	// retried; zero means Flume's 3 s.
	RestartInterval time.Duration
	// RunnerBackoff, when set, replaces the sink runners' backoff steps.
	RunnerBackoff *RunnerBackoff

	// OnLoad, when set, receives the outcome of every configuration load:
	// at start and for each reload, on the goroutine that loaded it. The
	// problems are logged either way.
	OnLoad func(LoadReport)
}

// LoadReport is the outcome of loading the configuration.
type LoadReport struct {
	// Reload is set for a reload, clear for the load at start.
	Reload bool
	// Problems are the configuration's problems, errors and warnings,
	// located.
	Problems flume.Problems
	// Environment are what the checks against this machine found about
	// the components built (package envcheck), located; they change
	// nothing (the components start, and retry, as before).
	Environment flume.Problems
	// Err is nil when the configuration was applied (at start, the agent
	// runs the components that could be built). Otherwise it says why not:
	// the source failed, the reload was refused (ErrReloadRefused), there
	// is nothing to run, or Strict found errors.
	Err error
}

// Agent runs a flume agent inside a program: it loads the configuration
// from its source, builds and starts the graph, serves monitoring if the
// system properties ask for it, reloads the configuration when it changes,
// and stops everything within a bound. The flume-ng agent command is an
// Agent configured from the command line.
//
// Run is all most programs need; Start and Stop are for programs that
// manage the agent's lifetime themselves. Snapshot may be called at any
// time, from any goroutine.
type Agent struct {
	cfg     Config
	log     *slog.Logger
	metrics *monitor.Registry
	opts    Options

	// life serialises Start and Stop.
	life sync.Mutex

	mu           sync.Mutex // guards the fields below
	graph        *Graph
	running      bool
	server       *monitor.Server
	stopWatch    context.CancelFunc
	watchDone    chan struct{}
	cancelReload context.CancelFunc
}

// New returns an agent for cfg, not started.
func New(cfg Config) (*Agent, error) {
	if cfg.Source.Load == nil {
		return nil, errors.New("agent: Config.Source has no Load function")
	}
	a := &Agent{cfg: cfg, log: cfg.Logger, metrics: cfg.Metrics}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.metrics == nil {
		a.metrics = monitor.NewRegistry()
	}
	a.opts = Options{Registry: cfg.Registry, Logger: a.log,
		Publish:         a.metrics.Publish,
		Unpublish:       func(name string, g flume.CounterGroup) { a.metrics.Remove(g.Type() + "." + name) },
		DrainTimeout:    cfg.DrainTimeout,
		RestartInterval: cfg.RestartInterval,
		RunnerBackoff:   cfg.RunnerBackoff,
	}
	return a, nil
}

// Metrics returns the registry the components' counters are published to.
func (a *Agent) Metrics() *monitor.Registry { return a.metrics }

// MonitorAddr returns the address the monitoring server listens on, or ""
// when none runs.
func (a *Agent) MonitorAddr() string {
	a.mu.Lock()
	srv := a.server
	a.mu.Unlock()
	if srv == nil {
		return ""
	}
	return srv.Addr()
}

// Snapshot describes the running graph (see Graph.Snapshot); before the
// first Start it is empty.
func (a *Agent) Snapshot() Snapshot {
	a.mu.Lock()
	g := a.graph
	a.mu.Unlock()
	if g == nil {
		return Snapshot{}
	}
	return g.Snapshot()
}

// Run starts the agent, keeps it running until ctx ends, then stops it
// within StopTimeout. It returns an error wrapping ErrNotStarted when the
// agent could not start; otherwise the errors components reported while
// stopping (nil after a clean stop), which include a stop that overran
// StopTimeout.
func (a *Agent) Run(ctx context.Context) error {
	if err := a.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	timeout := a.cfg.StopTimeout
	if timeout <= 0 {
		timeout = DefaultStopTimeout
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return a.Stop(stopCtx)
}

// DryRun loads and builds the configuration as Start does, reports its
// problems, and returns what would run, without starting anything.
func (a *Agent) DryRun(ctx context.Context) (Snapshot, error) {
	g, err := a.build(ctx, false)
	if g == nil {
		return Snapshot{}, err
	}
	return g.Snapshot(), err
}

// build loads the configuration and builds it, logging and reporting its
// problems. It returns an error when the graph must not run.
func (a *Agent) build(ctx context.Context, reload bool) (*Graph, error) {
	cfg, err := a.cfg.Source.Load(ctx)
	if err != nil {
		a.report(LoadReport{Reload: reload, Err: err})
		return nil, err
	}
	a.metrics.SetAgent(cfg.Name)
	g, problems := Build(cfg, a.opts)
	LogProblems(a.log, problems)
	env := envcheck.Check(ctx, g.Needs())
	envcheck.Log(a.log, env)
	switch n := len(problems.Errors()); {
	case a.cfg.Strict && n > 0:
		err = fmt.Errorf("the configuration has %d errors and strict mode is on", n)
	case g.topo.empty():
		err = fmt.Errorf("nothing to run: no source and no sink of agent %s could be built", cfg.Name)
	}
	a.report(LoadReport{Reload: reload, Problems: problems, Environment: env, Err: err})
	return g, err
}

func (a *Agent) report(r LoadReport) {
	if a.cfg.OnLoad != nil {
		a.cfg.OnLoad(r)
	}
}

// Start loads the configuration, builds it and starts it, then the
// monitoring server and, with Reload, the configuration watch. A component
// that fails to start is retried in the background; Start fails (wrapping
// ErrNotStarted) only when the configuration cannot be read, has nothing
// to run, or has errors in strict mode. ctx bounds start-up only. Starting
// a running agent does nothing.
func (a *Agent) Start(ctx context.Context) error {
	a.life.Lock()
	defer a.life.Unlock()
	a.mu.Lock()
	running := a.running
	a.mu.Unlock()
	if running {
		return nil
	}
	// The version is read before the configuration, so a change made while
	// it loads is seen by the first poll.
	var v0 string
	if a.cfg.Reload && a.cfg.Source.Version != nil {
		v0, _ = a.cfg.Source.Version(ctx)
	}
	g, err := a.build(ctx, false)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotStarted, err)
	}
	a.mu.Lock()
	a.graph, a.running = g, true
	a.mu.Unlock()
	if err := g.Start(ctx); err != nil {
		a.log.Error("start interrupted", "error", err)
	}
	snap := g.Snapshot()
	a.log.Info("agent started", "agent", snap.Agent, "sources", len(snap.Sources), "channels", len(snap.Channels), "sinks", len(snap.Runners))
	server := a.startMonitoring(ctx)

	reloadCtx, cancelReload := context.WithCancel(context.Background())
	watchCtx, stopWatch := context.WithCancel(context.Background())
	done := make(chan struct{})
	a.mu.Lock()
	a.server, a.stopWatch, a.watchDone, a.cancelReload = server, stopWatch, done, cancelReload
	a.mu.Unlock()
	if !a.cfg.Reload || a.cfg.Source.Version == nil {
		close(done)
		return nil
	}
	interval := a.cfg.PollInterval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	go func() {
		defer close(done)
		version := func() (string, error) { return a.cfg.Source.Version(watchCtx) }
		Watch(watchCtx, interval, v0, version, func() {
			a.log.Info("configuration changed; reloading")
			_, _ = a.Reload(reloadCtx)
		})
	}()
	return nil
}

// startMonitoring starts the monitoring server the system properties ask
// for; the agent runs without it when it cannot.
func (a *Agent) startMonitoring(ctx context.Context) *monitor.Server {
	server, err := monitor.FromSystemProperties(a.cfg.SystemProperties, a.metrics, a.log)
	if err != nil {
		a.log.Error("monitoring is not started", "error", err)
		return nil
	}
	if server == nil {
		return nil
	}
	server.ShowTopology(a.topology)
	if err := server.Start(ctx); err != nil {
		a.log.Error("monitoring server failed to start; the agent runs without it", "error", err)
		return nil
	}
	return server
}

// Reload loads the configuration again and applies it to the running
// graph (see Graph.Reload); with Config.Reload the agent calls it whenever
// the configuration's version changes. A configuration that cannot be read
// or has errors leaves the running agent as it is. ctx bounds the drain of
// removed channels and the stops.
func (a *Agent) Reload(ctx context.Context) (flume.Problems, error) {
	a.mu.Lock()
	g, running := a.graph, a.running
	a.mu.Unlock()
	if !running {
		return nil, errors.New("agent: reload: the agent is not running")
	}
	cfg, err := a.cfg.Source.Load(ctx)
	if err != nil {
		a.log.Error("configuration reload failed; the running agent is kept", "error", err)
		a.report(LoadReport{Reload: true, Err: err})
		return nil, err
	}
	problems, err := g.Reload(ctx, cfg)
	LogProblems(a.log, problems)
	if err != nil {
		a.log.Error("configuration reload", "error", err)
	}
	a.report(LoadReport{Reload: true, Problems: problems, Err: err})
	return problems, err
}

// Stop stops the configuration watch (a reload in progress is aborted if
// ctx ends first), the graph (see Graph.Stop) and the monitoring server.
// It follows flume.Lifecycle: when ctx ends first everything has been told
// to stop, the error wraps ctx.Err(), and another Stop waits again.
func (a *Agent) Stop(ctx context.Context) error {
	a.life.Lock()
	defer a.life.Unlock()
	a.mu.Lock()
	g, server, stopWatch, done, cancelReload := a.graph, a.server, a.stopWatch, a.watchDone, a.cancelReload
	a.mu.Unlock()
	if g == nil || done == nil {
		return nil
	}
	a.log.Info("stopping agent", "agent", g.agent)
	stopWatch()
	// A reload in progress may finish its work until ctx ends.
	abort := context.AfterFunc(ctx, cancelReload)
	defer abort()
	var errs []error
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("agent: stop: the configuration reload in progress did not end: %w", ctx.Err()))
	}
	errs = append(errs, g.Stop(ctx))
	if server != nil {
		errs = append(errs, server.Stop(ctx))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	cancelReload()
	a.mu.Lock()
	a.running, a.server, a.stopWatch, a.watchDone, a.cancelReload = false, nil, nil, nil, nil
	a.mu.Unlock()
	a.log.Info("agent stopped", "agent", g.agent)
	return nil
}
