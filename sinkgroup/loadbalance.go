package sinkgroup

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/flumego/flume"
)

// DefaultMaxTimeOut is Flume's processor.selector.maxTimeOut default: the
// longest a failed sink of a load_balance group with backoff is left out.
const DefaultMaxTimeOut = 30 * time.Second

// Flume's OrderSelector constants: the exponent of the backoff stops
// growing at 16, and a failure counts as "sequential" (doubling the
// exclusion) when it comes within the previous exclusion plus one hour.
const (
	maxSequentialFails = 16
	sequentialWindow   = time.Hour
)

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
}

var _ flume.Sink = (*LoadBalance)(nil)

func newLoadBalance(set flume.Settings, cfg *flume.Context, sinks []NamedSink, reg *flume.Registry, now func() time.Time) flume.Sink {
	if len(sinks) < 2 {
		cfg.Errorf("type", "a load_balance group needs at least two sinks, it has %d (use default for a single sink)", len(sinks))
		return nil
	}
	lb := &LoadBalance{members: newMembers(set, sinks)}
	typ := cfg.String("selector", "round_robin")
	backoff := cfg.Bool("backoff", false)
	scfg := cfg.Sub("selector.")
	switch {
	case strings.EqualFold(typ, "round_robin") || strings.EqualFold(typ, "random"):
		sel := &orderSelector{random: strings.EqualFold(typ, "random"), backoff: backoff, now: now,
			maxTimeOut: DefaultMaxTimeOut, state: make([]failureState, len(sinks))}
		if ms := scfg.Int64("maxTimeOut", 0); ms < 0 {
			scfg.Errorf("maxTimeOut", "must not be negative")
		} else if ms != 0 { // 0 keeps the default, as in Flume
			sel.maxTimeOut = time.Duration(ms) * time.Millisecond
		}
		if !backoff && scfg.Has("maxTimeOut") {
			scfg.Warnf("maxTimeOut", "has no effect without processor.backoff = true")
		}
		lb.selector = sel
	default:
		if reg == nil {
			cfg.Errorf("selector", "unknown sink selector (expected round_robin, random or a registered selector)")
			return nil
		}
		factory, _, err := reg.SinkSelector(typ)
		if err != nil {
			cfg.Errorf("selector", "%v", err)
			return nil
		}
		sset := set
		sset.Type = typ
		sel, err := factory(sset, scfg)
		if err != nil {
			if !errors.As(err, new(flume.Problems)) || cfg.Err() == nil { // problems may already be recorded in scfg
				cfg.Errorf("selector", "%v", err)
			}
			return nil
		}
		if sel == nil {
			cfg.Errorf("selector", "the selector factory returned no selector")
			return nil
		}
		if cfg.Has("backoff") {
			cfg.Warnf("backoff", "applies to round_robin and random only; the custom selector %q does its own backoff, as in Flume", typ)
		}
		lb.selector = sel
	}
	return lb
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
			return status, nil
		}
		if ctx.Err() != nil {
			return flume.Backoff, err
		}
		lb.selector.Failed(i)
		errs = append(errs, fmt.Errorf("sink %q: %w", lb.sinks[i].Name, err))
	}
	if len(errs) == 0 {
		return flume.Backoff, fmt.Errorf("load_balance sink group %q: all configured sinks have failed (every sink is backed off)", lb.group)
	}
	return flume.Backoff, fmt.Errorf("load_balance sink group %q: all configured sinks have failed: %w", lb.group, errors.Join(errs...))
}

// orderSelector is Flume's RoundRobinOrderSelector / RandomOrderSelector
// with the exponential backoff of OrderSelector.
type orderSelector struct {
	random     bool
	backoff    bool
	maxTimeOut time.Duration
	now        func() time.Time
	state      []failureState
	nextHead   int
	buf, order []int     // reused between calls; the group uses an order only within one Process
	until      time.Time // the latest restore time of any sink; zero when none is excluded
}

type failureState struct {
	lastFail, restore time.Time
	fails             int
}

// Order returns the eligible sinks in the order to try them.
func (s *orderSelector) Order(n int) []int {
	active := s.buf[:0]
	// Read the clock only while some sink may still be excluded (reading
	// it costs more than the rest of this call on some machines).
	var now time.Time
	filter := false
	if s.backoff && !s.until.IsZero() {
		now = s.now()
		if s.until.Before(now) {
			s.until = time.Time{}
		} else {
			filter = true
		}
	}
	for i := 0; i < n && i < len(s.state); i++ {
		if !filter || s.state[i].restore.Before(now) {
			active = append(active, i)
		}
	}
	s.buf = active
	if len(active) == 0 {
		return nil
	}
	if s.random {
		rand.Shuffle(len(active), func(a, b int) { active[a], active[b] = active[b], active[a] })
		return active
	}
	if s.nextHead >= len(active) {
		s.nextHead = 0
	}
	begin := s.nextHead
	s.nextHead = (s.nextHead + 1) % len(active)
	order := s.order[:0]
	for i := range active {
		order = append(order, active[(begin+i)%len(active)])
	}
	s.order = order
	return order
}

// Failed records a failure of sink i and, with backoff, excludes it.
func (s *orderSelector) Failed(i int) {
	if !s.backoff || i < 0 || i >= len(s.state) {
		return
	}
	st := &s.state[i]
	now := s.now()
	last := backoffDelay(st.fails, s.maxTimeOut)
	if now.Sub(st.lastFail) < last+sequentialWindow {
		if st.fails < maxSequentialFails {
			st.fails++
		}
	} else {
		st.fails = 1
	}
	st.lastFail = now
	st.restore = now.Add(backoffDelay(st.fails, s.maxTimeOut))
	if st.restore.After(s.until) {
		s.until = st.restore
	}
}
