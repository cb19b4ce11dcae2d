package sinkgroup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/orderselect"
)

// DefaultMaxPenalty is Flume's processor.maxpenalty default: the longest a
// failed sink of a failover group waits before it is tried again.
const DefaultMaxPenalty = 30 * time.Second

// Failover is Flume's FailoverSinkProcessor: every batch goes to the live
// sink with the highest priority; a sink that fails is set aside for a
// penalty of min(maxpenalty, 1 s × 2^n) after its n-th consecutive failure
// (2 s, 4 s, 8 s, 16 s, 30 s, 30 s, ...) and the next sink takes the same
// events in the same Process call. When a penalty has expired the failed
// sink is tried before the active one: READY puts it back among the live
// sinks (so traffic returns to a recovered primary), BACKOFF (nothing to
// take) leaves it eligible without a new penalty, and another failure
// doubles its penalty.
//
// Differences from Flume, on purpose:
//   - sinks without processor.priority.<sink> get -1, -2, ... in
//     configuration order (Flume numbers them in Java HashMap order, which
//     users cannot predict);
//   - two sinks with the same priority are both used, the one listed first
//     in the group preferred (Flume silently discards the later one and
//     never uses it); the configuration gets a warning either way;
//   - a sink whose Process fails because the group is being stopped is not
//     penalised.
//
// Failover is driven by one goroutine (the sink runner), like every sink;
// MemberStates may be called from any goroutine.
type Failover struct {
	members
	now        func() time.Time
	maxPenalty time.Duration
	prio       []int      // per member
	live       []int      // member indexes, most preferred first
	failed     []*penalty // ordered by refresh time
	// states is what MemberStates returns, republished by the runner's
	// goroutine whenever live or failed change (failures and recoveries
	// only, never on the delivery path).
	states atomic.Pointer[[]MemberState]
}

type penalty struct {
	member  int
	fails   int
	refresh time.Time
}

var (
	_ flume.Sink     = (*Failover)(nil)
	_ MemberReporter = (*Failover)(nil)
)

func newFailover(set flume.Settings, cfg *flume.Context, sinks []flume.NamedSink, now func() time.Time) *Failover {
	f := &Failover{members: newMembers(set, sinks), now: now, prio: make([]int, len(sinks))}
	f.maxPenalty = time.Duration(cfg.LenientIntAtLeast("maxpenalty", int(DefaultMaxPenalty/time.Millisecond), 0)) * time.Millisecond
	member := map[string]bool{}
	for _, s := range sinks {
		member[s.Name] = true
	}
	for _, k := range cfg.Sub("priority.").Keys() {
		if !member[k] {
			cfg.Warnf("priority."+k, "sink %q is not a member of this group; the priority is ignored", k)
			cfg.MarkUsed("priority." + k)
		}
	}
	next := 0
	byPrio := map[int]string{}
	for i, s := range sinks {
		key := "priority." + s.Name
		p, ok := cfg.Lookup(key)
		var v int64
		var err error
		if ok {
			v, err = flume.ParseJavaInt(p.Value, 32)
		}
		if !ok || err != nil {
			next--
			v = int64(next)
			if ok {
				cfg.Warnf(key, "not an integer; sink %q gets priority %d, as Flume gives sinks without a priority", s.Name, next)
			}
		}
		f.prio[i] = int(v)
		if other, dup := byPrio[f.prio[i]]; dup {
			cfg.Warnf(key, "sinks %q and %q both have priority %d: Flume would silently drop %q from the group; "+
				"flumego uses both and prefers %q, listed first (give each sink its own priority to be explicit)",
				other, s.Name, f.prio[i], s.Name, other)
		} else {
			byPrio[f.prio[i]] = s.Name
		}
		f.live = append(f.live, i)
	}
	sort.SliceStable(f.live, func(a, b int) bool { return f.prio[f.live[a]] > f.prio[f.live[b]] })
	f.publish()
	return f
}

// Process delivers one batch through the best sink that works: first any
// failed sink whose penalty has expired, then the active sink, failing over
// down the priority list within the same call.
func (f *Failover) Process(ctx context.Context) (flume.Status, error) {
	var now time.Time
	if len(f.failed) > 0 { // read the clock only when a penalty may have expired
		now = f.now()
	}
	for len(f.failed) > 0 && f.failed[0].refresh.Before(now) {
		cur := f.failed[0]
		f.failed = f.failed[1:]
		status, err := f.process(ctx, cur.member)
		if err == nil {
			if status == flume.Ready {
				f.revive(cur.member)
			} else {
				f.pushFailed(cur) // BACKOFF is not a failure: still eligible, no new penalty
			}
			return status, nil
		}
		if ctx.Err() != nil {
			f.pushFailed(cur)
			return flume.Backoff, err
		}
		cur.fails++
		cur.refresh = f.now().Add(orderselect.Backoff(cur.fails, f.maxPenalty))
		f.pushFailed(cur)
	}
	var lastErr error
	for len(f.live) > 0 {
		active := f.live[0]
		status, err := f.process(ctx, active)
		if err == nil {
			return status, nil
		}
		if ctx.Err() != nil {
			return flume.Backoff, err
		}
		lastErr = err
		f.live = f.live[1:]
		f.pushFailed(&penalty{member: active, fails: 1, refresh: f.now().Add(orderselect.Backoff(1, f.maxPenalty))}) // publishes
		if len(f.live) > 0 {
			f.log.Warn("failing over", "from", f.sinks[active].Name, "to", f.sinks[f.live[0]].Name)
		}
	}
	err := errors.New("all sinks failed to process, nothing left to failover to")
	if lastErr != nil {
		err = fmt.Errorf("%w (last error: %w)", err, lastErr)
	}
	return flume.Backoff, fmt.Errorf("failover sink group %q: %w", f.group, err)
}

// revive puts member i back among the live sinks, keeping them ordered by
// priority and then by configuration order.
func (f *Failover) revive(i int) {
	f.live = append(f.live, i)
	sort.SliceStable(f.live, func(a, b int) bool {
		pa, pb := f.prio[f.live[a]], f.prio[f.live[b]]
		if pa != pb {
			return pa > pb
		}
		return f.live[a] < f.live[b]
	})
	f.publish()
	f.log.Info("sink is back in the failover group", "sink", f.sinks[i].Name, "active", f.sinks[f.live[0]].Name)
}

// pushFailed inserts p into the failed list, ordered by refresh time (ties
// keep insertion order).
func (f *Failover) pushFailed(p *penalty) {
	i := sort.Search(len(f.failed), func(j int) bool { return f.failed[j].refresh.After(p.refresh) })
	f.failed = append(f.failed, nil)
	copy(f.failed[i+1:], f.failed[i:])
	f.failed[i] = p
	f.publish()
}

// publish stores the members' states for MemberStates. A sink being
// retried after its penalty (popped from failed, not yet back) keeps its
// last published state, an expired penalty, until the retry's outcome is
// published.
func (f *Failover) publish() {
	states := make([]MemberState, len(f.sinks))
	for i, s := range f.sinks {
		states[i] = MemberState{Name: s.Name, Priority: f.prio[i]}
	}
	if len(f.live) > 0 {
		states[f.live[0]].Active = true
	}
	for _, p := range f.failed {
		states[p.member].Failures, states[p.member].PenaltyUntil = p.fails, p.refresh
	}
	f.states.Store(&states)
}

// MemberStates returns each member sink's state, in configuration order:
// its priority, whether it is the active sink, and for a failed sink its
// consecutive failures and the end of its penalty. It is safe to call from
// any goroutine while the group runs.
func (f *Failover) MemberStates() []MemberState {
	return slices.Clone(*f.states.Load())
}

// Active returns the name of the sink that takes the next batch unless a
// failed sink's penalty has expired first; "" when every sink has failed.
func (f *Failover) Active() string {
	if len(f.live) == 0 {
		return ""
	}
	return f.sinks[f.live[0]].Name
}
