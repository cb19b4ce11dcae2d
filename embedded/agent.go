package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/channel/file"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/monitor"
	avrosink "github.com/flumego/flume/sink/avro"
	thriftsink "github.com/flumego/flume/sink/thrift"
	"github.com/flumego/flume/sinkgroup"
	flumesource "github.com/flumego/flume/source"
	"github.com/flumego/flume/source/interceptor"
)

// ErrClosed is returned by Put and PutBatch when the agent is not running:
// after Close (or Stop), or while it stops. Events a Put was given when it
// returned ErrClosed are not committed.
var ErrClosed = errors.New("embedded agent closed")

// DefaultName is the agent's name when Config.Name is empty.
const DefaultName = "embedded"

// Config configures an embedded agent. Only Properties is required.
type Config struct {
	// Name names the agent, as Flume's EmbeddedAgent(name): it appears in
	// logs, and its components are named after it (see Names). Empty means
	// DefaultName.
	Name string
	// Properties are Flume's embedded agent properties (see the package
	// documentation): from a file with conf.LoadFiles, or from a map with
	// conf.FromMap.
	Properties *conf.Properties

	// Registry resolves the types of the channel, the sinks, the sink
	// processor and the interceptors. nil means flume.DefaultRegistry().
	// Whatever it holds, the embedded agent also has the types it needs
	// (memory, file, avro, thrift, the sink processors, Flume's
	// interceptors) and its own source type, in a copy of it.
	Registry *flume.Registry
	// Logger receives the agent's logs; nil means slog.Default().
	Logger *slog.Logger
	// Metrics is the monitoring registry the components publish their
	// counters to, so that an application can serve them with its own;
	// nil means a new one (see Agent.Metrics).
	Metrics *monitor.Registry
	// SystemProperties are Flume's -D monitoring properties
	// (flume.monitoring.type, .port, .bind): when set, the agent serves its
	// counters as a flume-ng agent does.
	SystemProperties map[string]string
	// DrainTimeout bounds how long Close lets the sinks deliver what the
	// channel holds: zero means 10 s, negative disables draining (a file
	// channel keeps the events for the next start).
	DrainTimeout time.Duration
	// RestartInterval is how often a component that failed to start (a
	// sink whose peer is down at start) is retried; zero means 3 s.
	RestartInterval time.Duration
	// RunnerBackoff, when set, replaces the sink runner's sleeps (Flume's:
	// 1 s more per empty poll of the channel up to 5 s, and 5 s after a
	// delivery that failed on every sink).
	RunnerBackoff *agent.RunnerBackoff
}

// Agent is an embedded agent: a Flume agent inside the application, whose
// source is the application itself. Put and PutBatch commit events to its
// channel; its sinks deliver them to the collectors. Its methods are safe
// for concurrent use.
type Agent struct {
	name string
	cfg  Config
	run  *agent.Agent

	// intercepts tells whether the source has interceptors.
	intercepts bool
	// src is the source of the running graph: each start builds one.
	src   atomic.Pointer[source]
	txCap atomic.Int64

	mu       sync.Mutex // guards the fields below
	warnings flume.Problems
	failed   map[string]string // channel -> why it failed to start
	loadErrs flume.Problems    // the errors of the last load
}

// New builds an embedded agent from cfg and starts it: the channel (a file
// channel replays what it holds), the sinks, and the source Put feeds. ctx
// bounds the start.
//
// Configuration errors are returned all at once, located
// (flume.Problems: file, line, key, value, what was expected), and nothing
// is started; warnings (unknown keys) are logged and kept (Problems). New
// also fails when the channel cannot start (a file channel whose
// directories another process holds).
func New(ctx context.Context, cfg Config) (*Agent, error) {
	a, err := build(cfg)
	if err != nil {
		return nil, err
	}
	if err := a.Start(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Check validates cfg as New builds it, without starting anything, and
// returns its problems, errors and warnings, located; err is non-nil when
// New would refuse cfg. It is for an application's tests and tools.
func Check(ctx context.Context, cfg Config) (flume.Problems, error) {
	a, err := build(cfg)
	if err != nil {
		var problems flume.Problems
		errors.As(err, &problems)
		return problems, err
	}
	_, err = a.run.DryRun(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.loadErrs) > 0 {
		return append(slices.Clone(a.loadErrs), a.warnings...), fmt.Errorf("embedded agent %q: %w", a.name, a.loadErrs)
	}
	if err != nil {
		return a.warnings, fmt.Errorf("embedded agent %q: %w", a.name, err)
	}
	return a.warnings, nil
}

// build returns the agent cfg configures, not started.
func build(cfg Config) (*Agent, error) {
	if cfg.Properties == nil {
		return nil, errors.New("embedded agent: Config.Properties is nil")
	}
	a := &Agent{name: cfg.Name, cfg: cfg, failed: map[string]string{}}
	if a.name == "" {
		a.name = DefaultName
	}
	reg, err := a.registry(cfg.Registry)
	if err != nil {
		return nil, err
	}
	acfg, problems := Translate(a.name, cfg.Properties, reg)
	if acfg == nil {
		return nil, fmt.Errorf("embedded agent %q: %w", a.name, problems.Errors())
	}
	a.intercepts = hasInterceptors(acfg)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	a.run, err = agent.New(agent.Config{
		Source:           agent.Static(acfg),
		Strict:           true,
		Registry:         reg,
		Logger:           slog.New(&startErrors{next: log.Handler(), a: a}),
		Metrics:          cfg.Metrics,
		SystemProperties: cfg.SystemProperties,
		DrainTimeout:     cfg.DrainTimeout,
		RestartInterval:  cfg.RestartInterval,
		RunnerBackoff:    cfg.RunnerBackoff,
		OnLoad:           a.loaded,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// registry returns a copy of base (the default registry when nil) with
// the types an embedded agent needs and its source type.
func (a *Agent) registry(base *flume.Registry) (*flume.Registry, error) {
	if base == nil {
		base = flume.DefaultRegistry()
	}
	reg := base.Clone()
	var errs []error
	for _, need := range []struct {
		lacks    bool
		register func(*flume.Registry) error
	}{
		{lacks(reg.Channel("memory")), memory.Register},
		{lacks(reg.Channel("file")), file.Register},
		{lacks(reg.Sink("avro")), avrosink.Register},
		{lacks(reg.Sink("thrift")), thriftsink.Register},
		{lacks(reg.SinkProcessor("failover")), sinkgroup.Register},
		{lacks(reg.ChannelSelector("replicating")), flumesource.Register},
		{lacks(reg.Interceptor("timestamp")), interceptor.Register},
	} {
		if need.lacks {
			errs = append(errs, need.register(reg))
		}
	}
	errs = append(errs, reg.RegisterSource(SourceType, a.newSource, SourceClass))
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("embedded agent %q: registry: %w", a.name, err)
	}
	return reg, nil
}

// lacks reports whether a registry lookup failed.
func lacks[F any](_ F, _ string, err error) bool { return err != nil }

// newSource is the factory of the embedded source type, registered only in
// this agent's registry: the source it builds is the one Put feeds.
func (a *Agent) newSource(set flume.Settings, _ *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	s := &source{name: set.Name, agent: a.name, out: out, intercepts: a.intercepts}
	set.Publish(&s.counter)
	a.src.Store(s)
	return s, nil
}

// loaded keeps the outcome of a configuration load.
func (a *Agent) loaded(r agent.LoadReport) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.loadErrs = r.Problems.Errors()
	var warnings flume.Problems
	for _, p := range r.Problems {
		if p.Severity == flume.Warning {
			warnings = append(warnings, p)
		}
	}
	a.warnings = warnings
}

// Start starts the agent again after Stop (New starts it): the channel, the
// sinks and the source, built anew from the same configuration. ctx bounds
// the start. Starting a running agent does nothing.
func (a *Agent) Start(ctx context.Context) error {
	a.mu.Lock()
	clear(a.failed)
	a.mu.Unlock()
	if err := a.run.Start(ctx); err != nil {
		a.mu.Lock()
		loadErrs := a.loadErrs
		a.mu.Unlock()
		if len(loadErrs) > 0 {
			return fmt.Errorf("embedded agent %q: %w", a.name, loadErrs)
		}
		return fmt.Errorf("embedded agent %q: %w", a.name, err)
	}
	snap := a.run.Snapshot()
	_, chName, _ := Names(a.name)
	ch, ok := snap.Channel(chName)
	if !ok || ch.State != agent.Running {
		a.mu.Lock()
		why := a.failed[chName]
		a.mu.Unlock()
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = a.run.Stop(stopCtx)
		if why == "" {
			why = "see the log"
		}
		return fmt.Errorf("embedded agent %q: channel %q did not start: %s", a.name, chName, why)
	}
	a.txCap.Store(int64(ch.TransactionCapacity))
	return nil
}

// Stop stops the agent as a flume-ng agent stops on SIGTERM: the source
// first (Put returns ErrClosed from then on, and puts in progress are
// aborted), then the sinks deliver what the channel holds, for at most
// Config.DrainTimeout, then the sinks and the channel stop. It follows
// flume.Lifecycle: when ctx ends first, everything has been told to stop,
// the error wraps ctx.Err(), and another Stop waits again. Events left in
// a file channel are delivered after the next start; a memory channel's
// are lost.
func (a *Agent) Stop(ctx context.Context) error {
	if err := a.run.Stop(ctx); err != nil {
		return fmt.Errorf("embedded agent %q: %w", a.name, err)
	}
	return nil
}

// Close is Stop, for the application's defer.
func (a *Agent) Close(ctx context.Context) error { return a.Stop(ctx) }

// Put commits events to the channel in one transaction, after the
// source's interceptors. It returns nil only once every event is
// committed: with a file channel, written and fsynced, so that it is
// delivered even if the application is killed right after.
//
// When the channel has no room (or no disk space), Put waits and tries
// again until ctx ends, and then returns an error matching both
// flume.ErrChannelFull (or the channel's own refusal) and ctx.Err(): none
// of the events is committed, nothing is dropped. More events than the
// channel's transactionCapacity are refused at once with an error matching
// flume.ErrTxFull: use PutBatch. After Close it returns ErrClosed.
//
// The events belong to the agent once Put is called: the application must
// not modify their bodies or headers afterwards (as in Flume).
func (a *Agent) Put(ctx context.Context, events ...flume.Event) error {
	if n, limit := len(events), int(a.txCap.Load()); limit > 0 && n > limit {
		return fmt.Errorf("embedded agent %q: a Put of %d events exceeds the channel's transactionCapacity %d; use PutBatch: %w",
			a.name, n, limit, flume.ErrTxFull)
	}
	s := a.src.Load()
	if s == nil {
		return fmt.Errorf("embedded agent %q: %w", a.name, ErrClosed)
	}
	return s.put(ctx, events)
}

// PutBatch commits events in order, in transactions of at most the
// channel's transactionCapacity, each as Put commits it. It returns how many
// events are committed: all of them when the error is nil, otherwise a
// prefix of events (the rest are not committed and are still the
// application's to retry).
func (a *Agent) PutBatch(ctx context.Context, events []flume.Event) (int, error) {
	s := a.src.Load()
	if s == nil {
		return 0, fmt.Errorf("embedded agent %q: %w", a.name, ErrClosed)
	}
	limit := max(int(a.txCap.Load()), 1)
	done := 0
	for done < len(events) {
		n := min(limit, len(events)-done)
		if err := s.put(ctx, events[done:done+n]); err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// Problems returns the warnings of the configuration (unknown keys,
// deprecated names), located. Errors keep the agent from starting and are
// returned by New.
func (a *Agent) Problems() flume.Problems {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.warnings
}

// Metrics returns the monitoring registry the agent's components publish
// their counters to, under Flume's names (SOURCE.source-<name>,
// CHANNEL.channel-<name>, SINK.<sink>): what a flume-ng agent serves at
// /metrics. An application can serve it with monitor.NewServer, or pass
// its own registry in Config.Metrics.
func (a *Agent) Metrics() *monitor.Registry { return a.run.Metrics() }

// MonitorAddr returns the address of the monitoring server that
// Config.SystemProperties asked for, or "" when none runs.
func (a *Agent) MonitorAddr() string { return a.run.MonitorAddr() }

// Snapshot describes the running agent: its components, their state and
// counters, the channel's fill, the failover state of the sinks.
func (a *Agent) Snapshot() agent.Snapshot { return a.run.Snapshot() }

// Counters are an embedded agent's main counters at one moment.
type Counters struct {
	// Received counts the events given to Put and PutBatch since the agent
	// (re)started, committed or not: the source's EventReceivedCount.
	Received int64
	// Accepted counts the events Put and PutBatch committed since the
	// agent (re)started: the source's EventAcceptedCount.
	Accepted int64
	// Refused counts the times the channel refused a transaction of a Put
	// (full, out of disk space), each retried: the source's
	// ChannelWriteFail.
	Refused int64
	// Pending is the number of events in the channel not delivered yet:
	// waiting, or in a batch a sink is delivering (with a file channel,
	// replayed ones included). Capacity is the channel's capacity.
	Pending, Capacity int64
	// Delivered counts the events the sinks delivered, over all sinks
	// (their EventDrainSuccessCount).
	Delivered int64
	// DeliveryFailures counts the sinks' failed connections and failed
	// deliveries (ConnectionFailedCount and EventWriteFail).
	DeliveryFailures int64
}

// Counters returns the agent's main counters; Metrics and Snapshot have
// all of them.
func (a *Agent) Counters() Counters {
	snap := a.run.Snapshot()
	var c Counters
	for _, s := range snap.Sources {
		c.Received += attr(s.Counters, "EventReceivedCount")
		c.Accepted += attr(s.Counters, "EventAcceptedCount")
		c.Refused += attr(s.Counters, "ChannelWriteFail")
	}
	for _, ch := range snap.Channels {
		c.Pending += int64(ch.Len + ch.InFlight)
		c.Capacity += int64(ch.Capacity)
	}
	for _, s := range snap.Sinks {
		c.Delivered += attr(s.Counters, "EventDrainSuccessCount")
		c.DeliveryFailures += attr(s.Counters, "ConnectionFailedCount") + attr(s.Counters, "EventWriteFail")
	}
	return c
}

// attr returns a counter by name from a component's counter groups.
func attr(groups []flume.CounterGroup, name string) int64 {
	for _, g := range groups {
		for _, at := range g.Attributes() {
			if at.Name == name {
				return int64(at.Value)
			}
		}
	}
	return 0
}

// startErrors passes the agent's logs on to the application's handler and
// keeps why a component failed to start, so that New can say why the
// channel did not.
type startErrors struct {
	next slog.Handler
	a    *Agent
}

func (h *startErrors) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.next.Enabled(ctx, l)
}

func (h *startErrors) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && strings.HasPrefix(r.Message, "component failed to start") {
		var kind, name, why string
		r.Attrs(func(at slog.Attr) bool {
			switch at.Key {
			case "component":
				kind = at.Value.String()
			case "name":
				name = at.Value.String()
			case "error":
				why = at.Value.String()
			}
			return true
		})
		if kind == string(flume.KindChannel) {
			h.a.mu.Lock()
			h.a.failed[name] = why
			h.a.mu.Unlock()
		}
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *startErrors) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &startErrors{next: h.next.WithAttrs(attrs), a: h.a}
}

func (h *startErrors) WithGroup(name string) slog.Handler {
	return &startErrors{next: h.next.WithGroup(name), a: h.a}
}
