package sinkgroup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/orderselect"
)

// DefaultMaxTimeOut is Flume's processor.selector.maxTimeOut default: the
// longest a failed sink of a load_balance group with backoff is left out.
const DefaultMaxTimeOut = orderselect.DefaultMaxTimeOut

// LoadBalance is Flume's LoadBalancingSinkProcessor: each Process call asks
// the selector for an order of the eligible sinks and tries them in that
// order until one does not fail; its status (READY or BACKOFF) is returned.
// A failing sink has rolled its transaction back, so the next sink takes
// the same events. When every sink fails (or none is eligible) Process
// returns an error and the runner backs off.
//
// The built-in selectors are round_robin (the start advances by one per
// call over the eligible sinks, in configuration order) and random (a
// random permutation per call). With processor.backoff = true a sink that
// fails is left out for min(selector.maxTimeOut, 1 s × 2^n) after its n-th
// sequential failure (2 s, 4 s, 8 s, 16 s, 30 s, ...; n counts up to 16 and
// starts again at 1 when the sink last failed more than that exclusion plus
// one hour ago). A custom selector registered with RegisterSinkSelector is
// built from the processor.selector.* keys and does its own backoff.
type LoadBalance struct {
	members
	selector flume.SinkSelector
	// fails counts each sink's consecutive failures (the runner's
	// goroutine only); states is what MemberStates returns, republished
	// when a sink fails or works again.
	fails  []int
	states atomic.Pointer[[]MemberState]
}

var (
	_ flume.Sink     = (*LoadBalance)(nil)
	_ MemberReporter = (*LoadBalance)(nil)
)

// MemberStates returns each member sink's state, in configuration order:
// Active while it takes batches in turn, and for a sink whose last batch
// failed its consecutive failures and, with backoff, the end of its
// exclusion (PenaltyUntil). It is safe to call from any goroutine while
// the group runs.
func (lb *LoadBalance) MemberStates() []MemberState {
	return slices.Clone(*lb.states.Load())
}

// publish stores the members' states for MemberStates.
func (lb *LoadBalance) publish() {
	states := make([]MemberState, len(lb.sinks))
	sel, _ := lb.selector.(*orderselect.Selector)
	for i, s := range lb.sinks {
		states[i] = MemberState{Name: s.Name, Active: lb.fails[i] == 0, Failures: lb.fails[i]}
		if sel != nil && lb.fails[i] > 0 {
			states[i].PenaltyUntil = sel.Excluded(i)
		}
	}
	lb.states.Store(&states)
}

func newLoadBalance(set flume.Settings, cfg *flume.Context, sinks []flume.NamedSink, reg *flume.Registry, now func() time.Time) (flume.Sink, error) {
	if len(sinks) < 2 {
		cfg.Errorf("type", "a load_balance group needs at least two sinks, it has %d (use default for a single sink)", len(sinks))
		return nil, cfg.Err()
	}
	lb := &LoadBalance{members: newMembers(set, sinks), fails: make([]int, len(sinks))}
	typ := cfg.String("selector", "round_robin")
	backoff := cfg.Bool("backoff", false)
	scfg := cfg.Sub("selector.")
	switch {
	case strings.EqualFold(typ, "round_robin") || strings.EqualFold(typ, "random"):
		maxTimeOut := DefaultMaxTimeOut
		if d := scfg.MillisAtLeast("maxTimeOut", 0, 0); d != 0 { // 0 keeps the default, as in Flume
			maxTimeOut = d
		}
		if !backoff && scfg.Has("maxTimeOut") {
			scfg.Warnf("maxTimeOut", "has no effect without processor.backoff = true")
		}
		lb.selector = orderselect.New(len(sinks), strings.EqualFold(typ, "random"), backoff, maxTimeOut, now)
	default:
		factory, _, err := reg.SinkSelector(typ)
		if err != nil {
			cfg.Errorf("selector", "%v; the built-in selectors are round_robin and random", err)
			return nil, cfg.Err()
		}
		sset := set
		sset.Type = typ
		sel, err := factory(sset, scfg)
		if err != nil {
			if !errors.As(err, new(flume.Problems)) || cfg.Err() == nil { // problems may already be recorded in scfg
				cfg.Errorf("selector", "%v", err)
			}
			return nil, cfg.Err()
		}
		if sel == nil {
			cfg.Errorf("selector", "the selector factory returned no selector")
			return nil, cfg.Err()
		}
		if cfg.Has("backoff") {
			cfg.Warnf("backoff", "applies to round_robin and random only; the custom selector %q does its own backoff, as in Flume", typ)
		}
		lb.selector = sel
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	lb.publish()
	return lb, nil
}

// Process tries the sinks in the selector's order until one does not fail.
func (lb *LoadBalance) Process(ctx context.Context) (flume.Status, error) {
	order := lb.selector.Order(len(lb.sinks))
	var errs []error
	for _, i := range order {
		if i < 0 || i >= len(lb.sinks) {
			return flume.Backoff, fmt.Errorf("load_balance sink group %q: the sink selector returned index %d for %d sinks", lb.group, i, len(lb.sinks))
		}
		status, err := lb.process(ctx, i)
		if err == nil {
			if lb.fails[i] > 0 {
				lb.fails[i] = 0
				lb.publish()
			}
			return status, nil
		}
		if ctx.Err() != nil {
			return flume.Backoff, err
		}
		lb.selector.Failed(i)
		lb.fails[i]++
		lb.publish()
		errs = append(errs, fmt.Errorf("sink %q: %w", lb.sinks[i].Name, err))
	}
	if len(errs) == 0 {
		return flume.Backoff, fmt.Errorf("load_balance sink group %q: all configured sinks have failed (every sink is backed off)", lb.group)
	}
	return flume.Backoff, fmt.Errorf("load_balance sink group %q: all configured sinks have failed: %w", lb.group, errors.Join(errs...))
}
