package sinkgroup

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestFailoverMemberStates follows the states a live page would show
// through a failure, its penalty and the recovery.
func TestFailoverMemberStates(t *testing.T) {
	clock := newClock()
	f, s, _, ch := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "10", "processor.priority.k2": "5",
	}, "k1", "k2")
	k1 := s[0]
	want := func(what string, states []MemberState, exp ...MemberState) {
		t.Helper()
		if len(states) != len(exp) {
			t.Fatalf("%s: %d states, want %d", what, len(states), len(exp))
		}
		for i := range exp {
			if states[i] != exp[i] {
				t.Errorf("%s: member %d = %+v, want %+v", what, i, states[i], exp[i])
			}
		}
	}
	want("at start", f.MemberStates(),
		MemberState{Name: "k1", Priority: 10, Active: true}, MemberState{Name: "k2", Priority: 5})

	k1.fail.Store(true)
	put(t, ch, 0, 10)
	failedAt := clock.Now()
	drain(t, f, 5)
	want("after k1 failed", f.MemberStates(),
		MemberState{Name: "k1", Priority: 10, Failures: 1, PenaltyUntil: failedAt.Add(2 * time.Second)},
		MemberState{Name: "k2", Priority: 5, Active: true})

	// The returned slice is a copy: changing it changes nothing.
	st := f.MemberStates()
	st[0].Active = true
	if f.MemberStates()[0].Active {
		t.Fatal("MemberStates returned the processor's own slice")
	}

	k1.fail.Store(false)
	clock.Advance(2*time.Second + time.Millisecond)
	put(t, ch, 10, 20)
	drain(t, f, 5)
	want("after k1 recovered", f.MemberStates(),
		MemberState{Name: "k1", Priority: 10, Active: true}, MemberState{Name: "k2", Priority: 5})
}

// TestFailoverMemberStatesWhileRunning reads the states from another
// goroutine while the group fails over and back (run with -race).
func TestFailoverMemberStatesWhileRunning(t *testing.T) {
	clock := newClock()
	f, s, _, ch := failoverGroup(t, clock, map[string]string{
		"processor.priority.k1": "10", "processor.priority.k2": "5",
	}, "k1", "k2")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			active := 0
			for _, m := range f.MemberStates() {
				if m.Active {
					active++
				}
			}
			if active != 1 {
				t.Errorf("%d active sinks, want 1", active)
				return
			}
		}
	}()
	for i := 0; i < 50; i++ {
		s[0].fail.Store(i%2 == 0)
		put(t, ch, i*10, i*10+10)
		clock.Advance(3 * time.Second)
		if _, err := f.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	exactlyOnce(t, 500, s[0], s[1])
}
