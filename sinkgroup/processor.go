package sinkgroup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/ratelog"
)

// Processor type names, as Flume spells them in processor.type, and the
// Java class names that select the same processors.
const (
	TypeDefault     = "default"
	TypeFailover    = "failover"
	TypeLoadBalance = "load_balance"

	classDefault     = "org.apache.flume.sink.DefaultSinkProcessor"
	classFailover    = "org.apache.flume.sink.FailoverSinkProcessor"
	classLoadBalance = "org.apache.flume.sink.LoadBalancingSinkProcessor"
)

// Register adds Flume's sink processors to r: default, failover and
// load_balance, with their class names. The load_balance processor looks a
// custom processor.selector up in r.
func Register(r *flume.Registry) error { return register(r, time.Now) }

// register is Register with an injected clock, so tests move time instead
// of sleeping through penalties.
func register(r *flume.Registry, now func() time.Time) error {
	return errors.Join(
		r.RegisterSinkProcessor(TypeDefault, newDefault, classDefault),
		r.RegisterSinkProcessor(TypeFailover, func(set flume.Settings, cfg *flume.Context, sinks []flume.NamedSink) (flume.Sink, error) {
			return newFailover(set, cfg, sinks, now), nil
		}, classFailover),
		r.RegisterSinkProcessor(TypeLoadBalance, func(set flume.Settings, cfg *flume.Context, sinks []flume.NamedSink) (flume.Sink, error) {
			return newLoadBalance(set, cfg, sinks, r, now)
		}, classLoadBalance),
	)
}

// New builds the processor of a sink group. cfg is the group's context (the
// keys under "<agent>.sinkgroups.<group>.": sinks, processor.type and the
// processor.* options); sinks are the group's members in configuration
// order, already built. processor.type is looked up in reg (nil means
// flume.DefaultRegistry()): Flume's default, failover and load_balance
// (which Register adds) or a plugin's processor. The configuration layer
// (package conf) has already dropped a group without processor.type, as
// Flume does.
//
// The result is a flume.Sink for a sinkrunner.Runner: its Start and Stop
// start and stop the member sinks; the default processor is the group's one
// sink itself. Problems are recorded in cfg; the returned error is non-nil
// when the group cannot run.
func New(set flume.Settings, cfg *flume.Context, sinks []flume.NamedSink, reg *flume.Registry) (flume.Sink, error) {
	if reg == nil {
		reg = flume.DefaultRegistry()
	}
	cfg.MarkUsed("sinks")
	if len(sinks) == 0 {
		cfg.Errorf("sinks", "the group has no usable sink")
		return nil, groupErr(set, cfg.Err())
	}
	seen := map[string]bool{}
	for _, s := range sinks {
		if s.Sink == nil || s.Name == "" {
			return nil, groupErr(set, errors.New("a member sink is nil or has no name"))
		}
		if seen[s.Name] {
			cfg.Errorf("sinks", "sink %q is listed twice", s.Name)
		}
		seen[s.Name] = true
	}
	pcfg := cfg.Sub("processor.")
	f, canonical, err := reg.SinkProcessor(pcfg.String("type", ""))
	if err != nil {
		pcfg.Errorf("type", "%v", err)
	}
	if err := cfg.Err(); err != nil {
		return nil, groupErr(set, err)
	}
	set.Type = canonical
	p, err := f(set, pcfg, sinks)
	if err == nil && p == nil && cfg.Err() == nil {
		err = errors.New("the processor factory returned no processor")
	}
	if err != nil && (!errors.As(err, new(flume.Problems)) || cfg.Err() == nil) { // problems are usually recorded in cfg already
		pcfg.Errorf("type", "%v", err)
	}
	if err := cfg.Err(); err != nil {
		return nil, groupErr(set, err)
	}
	return p, nil
}

// newDefault is Flume's DefaultSinkProcessor: a group of exactly one sink,
// which is returned as is.
func newDefault(_ flume.Settings, cfg *flume.Context, sinks []flume.NamedSink) (flume.Sink, error) {
	if len(sinks) != 1 {
		cfg.Errorf("type", "the default processor takes exactly one sink, the group has %d (use failover or load_balance)", len(sinks))
		return nil, cfg.Err()
	}
	return sinks[0].Sink, nil
}

func groupErr(set flume.Settings, err error) error {
	return fmt.Errorf("sink group %q: %w", set.Name, err)
}

// members is what both processors share: the member sinks, their lifecycle
// and a per-sink failure streak that keeps a sink failing on every batch to
// one warning per 10 s, and logs when it works again.
type members struct {
	group   string
	sinks   []flume.NamedSink
	log     *slog.Logger // carries the group's name
	failing []ratelog.Streak
}

func newMembers(set flume.Settings, sinks []flume.NamedSink) members {
	return members{group: set.Name, sinks: sinks, log: set.Log(), failing: make([]ratelog.Streak, len(sinks))}
}

// Start starts every member sink in order. If one fails, the ones already
// started are stopped again and the error is returned.
func (m *members) Start(ctx context.Context) error {
	for i, s := range m.sinks {
		if err := s.Start(ctx); err != nil {
			for j := i - 1; j >= 0; j-- {
				_ = m.sinks[j].Stop(ctx)
			}
			return fmt.Errorf("sink group %q: start sink %q: %w", m.group, s.Name, err)
		}
	}
	return nil
}

// Stop stops every member sink, in reverse order, and returns their errors
// joined.
func (m *members) Stop(ctx context.Context) error {
	var errs []error
	for i := len(m.sinks) - 1; i >= 0; i-- {
		if err := m.sinks[i].Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("sink group %q: stop sink %q: %w", m.group, m.sinks[i].Name, err))
		}
	}
	return errors.Join(errs...)
}

// process calls member i and keeps its failure streak.
func (m *members) process(ctx context.Context, i int) (flume.Status, error) {
	status, err := m.sinks[i].Process(ctx)
	switch {
	case err == nil:
		m.failing[i].OK(m.log, "sink works again", "sink", m.sinks[i].Name)
	case ctx.Err() == nil:
		m.failing[i].Fail(m.log, "sink failed; its events were rolled back for another sink", "sink", m.sinks[i].Name, "error", err)
	default:
		m.log.Debug("sink failed while the group stops", "sink", m.sinks[i].Name, "error", err)
	}
	return status, err
}
