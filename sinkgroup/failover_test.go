package sinkgroup

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/sinkrunner"
)

func failoverGroup(t *testing.T, clock *fakeClock, extra map[string]string, names ...string) (*Failover, []*testSink, *flume.Context, flume.Channel) {
	t.Helper()
	ch := flumetest.MemoryChannel(t, 10000, 100, 0)
	ts, ns := newSinks(ch, 10, names...)
	props := map[string]string{"sinks": strings.Join(names, " "), "processor.type": "failover"}
	for k, v := range extra {
		props[k] = v
	}
	p, cfg := newGroup(t, clock, props, ns, nil)
	return p.(*Failover), ts, cfg, ch
}

func TestFailoverSwitchOverAndBack(t *testing.T) {
	clock := newClock()
	f, s, _, ch := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "10", "processor.priority.k2": "5",
	}, "k1", "k2")
	k1, k2 := s[0], s[1]

	// The primary takes everything while it works.
	put(t, ch, 0, 100)
	drain(t, f, 20)
	if got := k1.got(); !slices.Equal(got, span(0, 100)) || len(k2.got()) != 0 {
		t.Fatalf("primary working: k1 got %d events, k2 %d", len(got), len(k2.got()))
	}

	// Primary down: the standby takes the same events in the same call.
	k1.fail.Store(true)
	put(t, ch, 100, 200)
	drain(t, f, 20)
	if f.Active() != "k2" {
		t.Fatalf("active = %q, want k2", f.Active())
	}
	if got := k2.got(); !slices.Equal(got, span(100, 200)) {
		t.Fatalf("standby got %v, want 100..199", got)
	}

	// Primary back, but its 2 s penalty has not expired: still the standby.
	k1.fail.Store(false)
	clock.Advance(1999 * time.Millisecond)
	put(t, ch, 200, 250)
	drain(t, f, 20)
	if got := k2.got(); len(got) != 150 {
		t.Fatalf("during the penalty the standby should take everything; it has %d events", len(got))
	}

	// Penalty over: the primary is tried first, succeeds and stays active.
	clock.Advance(2 * time.Millisecond)
	put(t, ch, 250, 300)
	drain(t, f, 20)
	if f.Active() != "k1" {
		t.Fatalf("active = %q after recovery, want k1", f.Active())
	}
	if got := k1.got(); !slices.Equal(got[100:], span(250, 300)) {
		t.Fatalf("recovered primary got %v, want 250..299", got[100:])
	}
	exactlyOnce(t, 300, k1, k2)
	if n := ch.Len(); n != 0 {
		t.Fatalf("%d events left in the channel", n)
	}
}

func TestFailoverPenaltyDoublesAndCaps(t *testing.T) {
	clock := newClock()
	f, s, _, ch := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "10", "processor.priority.k2": "5", "processor.maxpenalty": "10000",
	}, "k1", "k2")
	k1, k2 := s[0], s[1]
	k1.fail.Store(true)
	seq := 0
	// batch puts one batch and processes it once; it reports whether k1 was
	// tried for it.
	batch := func() bool {
		t.Helper()
		before := k1.tries.Load()
		put(t, ch, seq, seq+10)
		seq += 10
		if st, err := f.Process(context.Background()); err != nil || st != flume.Ready {
			t.Fatalf("Process = %v, %v", st, err)
		}
		return k1.tries.Load() > before
	}
	if !batch() { // first failure: 2 s
		t.Fatal("k1 not tried first")
	}
	// Expected penalties after each failed retry: 4 s, 8 s, 10 s (cap), 10 s.
	for _, pen := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		clock.Advance(pen - time.Millisecond)
		if batch() {
			t.Fatalf("k1 retried before its %v penalty expired", pen)
		}
		clock.Advance(2 * time.Millisecond)
		if !batch() {
			t.Fatalf("k1 not retried after its %v penalty expired", pen)
		}
	}
	if len(k1.got()) != 0 || len(k2.got()) != seq {
		t.Fatalf("k1 delivered %d, k2 %d of %d", len(k1.got()), len(k2.got()), seq)
	}
	exactlyOnce(t, seq, k1, k2)

	// A successful retry resets the count: the next failure costs 2 s again.
	k1.fail.Store(false)
	clock.Advance(10*time.Second + time.Millisecond)
	if !batch() || f.Active() != "k1" {
		t.Fatal("k1 did not come back")
	}
	k1.fail.Store(true)
	batch()
	clock.Advance(2*time.Second + time.Millisecond)
	if !batch() {
		t.Fatal("after a recovery the penalty should start again at 2 s")
	}
	exactlyOnce(t, seq, k1, k2)
}

func TestFailoverBackoffIsNotAFailure(t *testing.T) {
	clock := newClock()
	f, s, _, ch := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "10", "processor.priority.k2": "5",
	}, "k1", "k2")
	k1, k2 := s[0], s[1]
	k1.fail.Store(true)
	put(t, ch, 0, 10)
	drain(t, f, 5)
	k1.fail.Store(false)
	clock.Advance(3 * time.Second)
	// Channel empty: the cooled-down k1 is tried first and reports BACKOFF.
	st, err := f.Process(context.Background())
	if err != nil || st != flume.Backoff {
		t.Fatalf("Process on an empty channel = %v, %v", st, err)
	}
	if f.Active() != "k2" {
		t.Fatalf("a BACKOFF must not revive k1 yet; active = %q", f.Active())
	}
	// No new penalty: k1 is still eligible and takes the next batch at once.
	put(t, ch, 10, 20)
	drain(t, f, 5)
	if f.Active() != "k1" || !slices.Equal(k1.got(), span(10, 20)) {
		t.Fatalf("active %q, k1 got %v", f.Active(), k1.got())
	}
	exactlyOnce(t, 20, k1, k2)
}

func TestFailoverAllSinksFail(t *testing.T) {
	clock := newClock()
	f, s, _, ch := failoverGroup(t, clock, nil, "k1", "k2", "k3")
	for _, x := range s {
		x.fail.Store(true)
	}
	put(t, ch, 0, 30)
	_, err := f.Process(context.Background())
	if err == nil || !strings.Contains(err.Error(), "nothing left to failover to") {
		t.Fatalf("err = %v, want all sinks failed", err)
	}
	if ch.Len() != 30 {
		t.Fatalf("the failed batch must stay in the channel: %d events", ch.Len())
	}
	// Nothing is tried again until a penalty expires.
	_, err = f.Process(context.Background())
	if err == nil {
		t.Fatal("want an error while every sink is penalised")
	}
	for _, x := range s {
		if x.tries.Load() != 1 {
			t.Fatalf("sink %s tried %d times, want 1", x.name, x.tries.Load())
		}
	}
	s[2].fail.Store(false)
	clock.Advance(2*time.Second + time.Millisecond)
	drain(t, f, 10)
	// k1 and k2 were retried (and failed, now 4 s) before k3 recovered.
	if got := s[2].got(); !slices.Equal(got, span(0, 30)) {
		t.Fatalf("k3 got %v", got)
	}
	exactlyOnce(t, 30, s...)
}

func TestFailoverDefaultPrioritiesFollowConfigurationOrder(t *testing.T) {
	clock := newClock()
	// No priorities: k9 (listed first) gets -1, k1 gets -2.
	f, s, _, ch := failoverGroup(t, clock, nil, "k9", "k1")
	put(t, ch, 0, 10)
	drain(t, f, 5)
	if len(s[0].got()) != 10 {
		t.Fatalf("the first listed sink should be preferred; got %d/%d", len(s[0].got()), len(s[1].got()))
	}
}

func TestFailoverEqualPrioritiesWarnAndKeepBoth(t *testing.T) {
	clock := newClock()
	f, s, cfg, ch := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "5", "processor.priority.k2": "5",
	}, "k1", "k2")
	var warned bool
	for _, p := range cfg.Problems() {
		if p.Severity == flume.Warning && strings.Contains(p.Message, "both have priority 5") {
			warned = true
		}
	}
	if !warned {
		t.Fatalf("no warning about equal priorities: %v", cfg.Problems())
	}
	s[0].fail.Store(true)
	put(t, ch, 0, 10)
	drain(t, f, 5)
	if len(s[1].got()) != 10 {
		t.Fatal("the second sink with an equal priority must still be used (Flume would have dropped it)")
	}
}

func TestFailoverConfigProblems(t *testing.T) {
	clock := newClock()
	_, _, cfg, _ := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "high", "processor.priority.k7": "3", "processor.maxpenalty": "soon",
	}, "k1", "k2")
	var msgs []string
	for _, p := range cfg.Problems() {
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"processor.priority.k1", "processor.priority.k7", "processor.maxpenalty"} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning for %s in:\n%s", want, all)
		}
	}
	if len(cfg.Unused()) != 0 {
		t.Errorf("keys reported unused: %v", cfg.Unused())
	}
}

// TestFailoverUnderRunner runs a failover group in a real sink runner while
// a producer fills the channel, takes the primary down and brings it back,
// and checks that every event arrives exactly once.
func TestFailoverUnderRunner(t *testing.T) {
	clock := newClock()
	f, s, _, ch := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "10", "processor.priority.k2": "5",
	}, "k1", "k2")
	k1, k2 := s[0], s[1]
	const n = 3000
	var mu sync.Mutex
	total := 0
	done := make(chan struct{})
	progress := make(chan int, 1000)
	count := func(int) {
		mu.Lock()
		defer mu.Unlock()
		total += 10
		select {
		case progress <- total:
		default:
		}
		if total == n {
			close(done)
		}
	}
	k1.onDeliver, k2.onDeliver = count, count
	r := sinkrunner.New("g1", f, nil)
	r.BackoffStep, r.MaxBackoff, r.ErrorBackoff = time.Millisecond, time.Millisecond, time.Millisecond
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if k1.started.Load() != 1 || k2.started.Load() != 1 {
		t.Fatal("the group's Start must start its sinks")
	}
	waitFor := func(min int) {
		t.Helper()
		for {
			select {
			case got := <-progress:
				if got >= min {
					return
				}
			case <-done:
				return
			case <-time.After(10 * time.Second):
				t.Fatalf("stuck before %d events", min)
			}
		}
	}
	put(t, ch, 0, 1000)
	waitFor(500)
	k1.fail.Store(true) // primary goes down mid-stream
	put(t, ch, 1000, 2000)
	waitFor(1500)
	k1.fail.Store(false)
	clock.Advance(3 * time.Second) // its penalty expires
	put(t, ch, 2000, n)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("only %d of %d events delivered", len(k1.got())+len(k2.got()), n)
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if k1.started.Load() != 0 || k2.started.Load() != 0 {
		t.Fatal("the group's Stop must stop its sinks")
	}
	exactlyOnce(t, n, k1, k2)
	if len(k2.got()) == 0 {
		t.Fatal("the standby never took over")
	}
	last := k1.got()
	if len(last) == 0 || last[len(last)-1] != n-1 {
		t.Fatal("traffic did not return to the primary")
	}
}

// TestDrainWithFailoverGroup stops a runner gracefully: Drain keeps the
// group working (here on the standby, the primary being down) until the
// channel is empty, and nothing is lost or duplicated.
func TestDrainWithFailoverGroup(t *testing.T) {
	clock := newClock()
	f, s, _, ch := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "10", "processor.priority.k2": "5",
	}, "k1", "k2")
	s[0].fail.Store(true)
	put(t, ch, 0, 2000)
	r := sinkrunner.New("g1", f, nil)
	r.BackoffStep, r.MaxBackoff, r.ErrorBackoff = time.Millisecond, time.Millisecond, time.Millisecond
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if ch.Len() != 0 {
		t.Fatalf("%d events left after drain", ch.Len())
	}
	exactlyOnce(t, 2000, s...)
	if len(s[1].got()) != 2000 {
		t.Fatalf("standby delivered %d", len(s[1].got()))
	}
}
