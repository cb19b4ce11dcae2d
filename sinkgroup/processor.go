package sinkgroup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/flumego/flume"
)

// NamedSink is a member of a sink group: a built sink with the name it has
// in the configuration.
type NamedSink struct {
	Name string
	flume.Sink
}

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

// New builds the processor of a sink group. cfg is the group's context (the
// keys under "<agent>.sinkgroups.<group>.": sinks, processor.type and the
// processor.* options); sinks are the group's members in configuration
// order, already built; reg supplies custom load_balance selectors
// (processor.selector = a name registered with RegisterSinkSelector).
//
// The result is a flume.Sink for a sinkgroup.Runner: its Start and Stop
// start and stop the member sinks. processor.type is default (exactly one
// sink, which is returned as is), failover or load_balance, or one of
// Flume's class names for them. Problems are recorded in cfg; the returned
// error is non-nil when the group cannot run.
func New(set flume.Settings, cfg *flume.Context, sinks []NamedSink, reg *flume.Registry) (flume.Sink, error) {
	return build(set, cfg, sinks, reg, time.Now)
}

// build is New with an injected clock, so tests move time instead of
// sleeping through penalties.
func build(set flume.Settings, cfg *flume.Context, sinks []NamedSink, reg *flume.Registry, now func() time.Time) (flume.Sink, error) {
	cfg.MarkUsed("sinks")
	pcfg := cfg.Sub("processor.")
	typ, ok := pcfg.Lookup("type")
	if !ok {
		// Flume 1.11 fails to build a group without processor.type (it tries
		// to load a class named null); say so plainly instead.
		cfg.Errorf("processor.type", "required property is missing (expected default, failover or load_balance)")
		return nil, groupErr(set, cfg.Err())
	}
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
	if err := cfg.Err(); err != nil {
		return nil, groupErr(set, err)
	}
	var p flume.Sink
	unsupported := false
	switch kind := typ.Value; {
	case strings.EqualFold(kind, TypeDefault) || kind == classDefault:
		if len(sinks) != 1 {
			pcfg.Errorf("type", "the default processor takes exactly one sink, the group has %d (use failover or load_balance)", len(sinks))
			break
		}
		p = sinks[0].Sink
	case strings.EqualFold(kind, TypeFailover) || kind == classFailover:
		p = newFailover(set, pcfg, sinks, now)
	case strings.EqualFold(kind, TypeLoadBalance) || kind == classLoadBalance:
		p = newLoadBalance(set, pcfg, sinks, reg, now)
	case strings.Contains(kind, "."):
		unsupported = true
		pcfg.Errorf("type", "custom sink processor classes cannot be loaded (use default, failover or load_balance)")
	default:
		pcfg.Errorf("type", "unknown sink processor type (expected default, failover or load_balance)")
	}
	if err := cfg.Err(); err != nil {
		if unsupported {
			err = fmt.Errorf("%w: %w", flume.ErrUnsupported, err)
		}
		return nil, groupErr(set, err)
	}
	if p == nil {
		return nil, groupErr(set, errors.New("the processor could not be built"))
	}
	return p, nil
}

func groupErr(set flume.Settings, err error) error {
	return fmt.Errorf("sink group %q: %w", set.Name, err)
}

// members is what both processors share: the member sinks, their lifecycle
// and a per-sink failure state used to keep logs to one line per change.
type members struct {
	group string
	sinks []NamedSink
	log   *slog.Logger
	// failing[i] is set while sink i's last Process call failed, so that a
	// sink failing on every batch logs once, not once per batch.
	failing []bool
}

func newMembers(set flume.Settings, sinks []NamedSink) members {
	return members{group: set.Name, sinks: sinks, log: set.Log(), failing: make([]bool, len(sinks))}
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

// process calls member i and keeps its failing flag, logging transitions.
func (m *members) process(ctx context.Context, i int) (flume.Status, error) {
	status, err := m.sinks[i].Process(ctx)
	switch {
	case err == nil && m.failing[i]:
		m.failing[i] = false
		m.log.Info("sink works again", "group", m.group, "sink", m.sinks[i].Name)
	case err != nil && !m.failing[i] && ctx.Err() == nil:
		m.failing[i] = true
		m.log.Warn("sink failed; its events were rolled back for another sink", "group", m.group, "sink", m.sinks[i].Name, "error", err)
	case err != nil:
		m.log.Debug("sink failed again", "group", m.group, "sink", m.sinks[i].Name, "error", err)
	}
	return status, err
}
