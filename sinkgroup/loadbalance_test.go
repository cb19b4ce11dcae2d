package sinkgroup

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

func lbGroup(t *testing.T, clock *fakeClock, extra map[string]string, reg *flume.Registry, names ...string) (flume.Sink, []*testSink, flume.Channel) {
	t.Helper()
	ch := flumetest.MemoryChannel(t, 100000, 100, 0)
	ts, ns := newSinks(ch, 10, names...)
	props := map[string]string{"sinks": strings.Join(names, " "), "processor.type": "load_balance"}
	for k, v := range extra {
		props[k] = v
	}
	p, cfg := newGroup(t, clock, props, ns, reg)
	if u := cfg.Unused(); len(u) != 0 {
		t.Fatalf("unused keys: %v", u)
	}
	return p, ts, ch
}

func TestLoadBalanceRoundRobin(t *testing.T) {
	p, s, ch := lbGroup(t, newClock(), nil, nil, "k1", "k2", "k3")
	put(t, ch, 0, 300)
	for i := range 30 {
		before := []int{len(s[0].got()), len(s[1].got()), len(s[2].got())}
		if st, err := p.Process(context.Background()); err != nil || st != flume.Ready {
			t.Fatalf("Process = %v, %v", st, err)
		}
		want := i % 3
		if got := len(s[want].got()) - before[want]; got != 10 {
			t.Fatalf("batch %d should go to k%d", i, want+1)
		}
	}
	for _, x := range s {
		if len(x.got()) != 100 {
			t.Fatalf("sink %s got %d events, want 100", x.name, len(x.got()))
		}
	}
	exactlyOnce(t, 300, s...)
}

func TestLoadBalanceRandom(t *testing.T) {
	p, s, ch := lbGroup(t, newClock(), map[string]string{"processor.selector": "RANDOM"}, nil, "k1", "k2", "k3")
	put(t, ch, 0, 6000)
	drain(t, p, 700)
	for _, x := range s {
		// 600 batches over 3 sinks: 200 expected each; below 120 is
		// astronomically unlikely for a uniform choice.
		if n := len(x.got()) / 10; n < 120 {
			t.Fatalf("sink %s got only %d of 600 batches", x.name, n)
		}
	}
	exactlyOnce(t, 6000, s...)
}

func TestLoadBalanceFailingSinkWithoutBackoff(t *testing.T) {
	p, s, ch := lbGroup(t, newClock(), nil, nil, "k1", "k2")
	s[0].fail.Store(true)
	put(t, ch, 0, 200)
	drain(t, p, 50)
	if len(s[1].got()) != 200 {
		t.Fatalf("k2 got %d events, want all 200", len(s[1].got()))
	}
	// Without backoff the failing sink is tried again on its turn (every
	// other call starts with it).
	if tries := s[0].tries.Load(); tries < 9 {
		t.Fatalf("k1 tried %d times; without backoff it stays in the rotation", tries)
	}
	exactlyOnce(t, 200, s...)
}

func TestLoadBalanceBackoff(t *testing.T) {
	clock := newClock()
	p, s, ch := lbGroup(t, clock, map[string]string{"processor.backoff": "true", "processor.selector.maxTimeOut": "5000"}, nil, "k1", "k2", "k3")
	k2 := s[1]
	k2.fail.Store(true)
	seq := 0
	// run processes `calls` batches and returns how often k2 was tried.
	run := func(calls int) int64 {
		t.Helper()
		before := k2.tries.Load()
		put(t, ch, seq, seq+10*calls)
		seq += 10 * calls
		for range calls {
			if st, err := p.Process(context.Background()); err != nil || st != flume.Ready {
				t.Fatalf("Process = %v, %v", st, err)
			}
		}
		return k2.tries.Load() - before
	}
	if n := run(3); n != 1 {
		t.Fatalf("k2 tried %d times in the first round, want 1", n)
	}
	// Excluded for 2 s, then 4 s, then 5 s (maxTimeOut), 5 s.
	for _, excl := range []time.Duration{2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		clock.Advance(excl - time.Millisecond)
		if n := run(6); n != 0 {
			t.Fatalf("k2 tried %d times during its %v exclusion", n, excl)
		}
		clock.Advance(2 * time.Millisecond)
		if n := run(2); n != 1 {
			t.Fatalf("k2 tried %d times after its %v exclusion, want 1", n, excl)
		}
	}
	// Recovered: back in the rotation for good.
	k2.fail.Store(false)
	clock.Advance(5*time.Second + time.Millisecond)
	run(6)
	if len(k2.got()) != 20 {
		t.Fatalf("recovered k2 delivered %d events, want 2 of 6 batches", len(k2.got()))
	}
	exactlyOnce(t, seq, s...)
}

func TestLoadBalanceAllFail(t *testing.T) {
	clock := newClock()
	p, s, ch := lbGroup(t, clock, map[string]string{"processor.backoff": "true"}, nil, "k1", "k2")
	s[0].fail.Store(true)
	s[1].fail.Store(true)
	put(t, ch, 0, 10)
	if _, err := p.Process(context.Background()); err == nil || !strings.Contains(err.Error(), "all configured sinks have failed") {
		t.Fatalf("err = %v", err)
	}
	if _, err := p.Process(context.Background()); err == nil || !strings.Contains(err.Error(), "backed off") {
		t.Fatalf("with every sink excluded: err = %v", err)
	}
	if ch.Len() != 10 {
		t.Fatalf("the batch must stay in the channel, %d events left", ch.Len())
	}
}

// fixedSelector always tries the sinks from the last to the first.
type fixedSelector struct{ failed []int }

func (f *fixedSelector) Order(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = n - 1 - i
	}
	return out
}
func (f *fixedSelector) Failed(i int) { f.failed = append(f.failed, i) }

func TestLoadBalanceCustomSelector(t *testing.T) {
	reg := flume.NewRegistry()
	var built *fixedSelector
	var gotOpt string
	if err := reg.RegisterSinkSelector("com.example.Fixed", func(set flume.Settings, cfg *flume.Context) (flume.SinkSelector, error) {
		gotOpt = cfg.String("opt", "")
		built = &fixedSelector{}
		return built, nil
	}); err != nil {
		t.Fatal(err)
	}
	p, s, ch := lbGroup(t, newClock(), map[string]string{
		"processor.selector": "com.example.Fixed", "processor.selector.opt": "x",
	}, reg, "k1", "k2")
	if gotOpt != "x" {
		t.Fatalf("the custom selector should read processor.selector.* keys; opt = %q", gotOpt)
	}
	s[1].fail.Store(true)
	put(t, ch, 0, 30)
	drain(t, p, 10)
	if len(s[0].got()) != 30 || len(built.failed) == 0 || built.failed[0] != 1 {
		t.Fatalf("k1 got %d, failures reported %v", len(s[0].got()), built.failed)
	}
}

func TestLoadBalanceNeedsTwoSinks(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	_, ns := newSinks(ch, 10, "k1")
	_, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "load_balance"}), ns, testRegistry(t, nil, nil))
	if err == nil || !strings.Contains(err.Error(), "at least two sinks") {
		t.Fatalf("err = %v", err)
	}
}

// TestLoadBalanceMemberStates checks what a load_balance group reports of
// its members: all active at first; a failing sink's consecutive failures
// and, with backoff, the end of its exclusion; active again once it works.
func TestLoadBalanceMemberStates(t *testing.T) {
	clock := newClock()
	p, s, ch := lbGroup(t, clock, map[string]string{"processor.backoff": "true"}, nil, "k1", "k2")
	lb := p.(*LoadBalance)
	states := func() string {
		var out []string
		for _, m := range lb.MemberStates() {
			until := "-"
			if !m.PenaltyUntil.IsZero() {
				until = m.PenaltyUntil.Sub(clock.Now()).String()
			}
			out = append(out, fmt.Sprintf("%s active=%v failures=%d until=%s", m.Name, m.Active, m.Failures, until))
		}
		return strings.Join(out, "; ")
	}
	if got := states(); got != "k1 active=true failures=0 until=-; k2 active=true failures=0 until=-" {
		t.Fatalf("at first: %s", got)
	}
	s[1].fail.Store(true)
	put(t, ch, 0, 40)
	for range 2 {
		if _, err := p.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := states(); got != "k1 active=true failures=0 until=-; k2 active=false failures=1 until=2s" {
		t.Fatalf("after k2 failed: %s", got)
	}
	s[1].fail.Store(false)
	clock.Advance(2*time.Second + time.Millisecond)
	for range 2 {
		if _, err := p.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := states(); got != "k1 active=true failures=0 until=-; k2 active=true failures=0 until=-" {
		t.Fatalf("after k2 recovered: %s", got)
	}
}
