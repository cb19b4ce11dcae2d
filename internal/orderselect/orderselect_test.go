package orderselect

import (
	"fmt"
	"testing"
	"time"
)

// clock is a manual clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestRoundRobinWithBackoff(t *testing.T) {
	c := &clock{time.Unix(1000, 0)}
	s := New(3, false, true, 0, c.now)
	if got := s.Order(3); fmt.Sprint(got) != "[0 1 2]" {
		t.Fatalf("first order %v", got)
	}
	if got := s.Order(3); fmt.Sprint(got) != "[1 2 0]" {
		t.Fatalf("second order %v", got)
	}
	s.Failed(1)
	if got := s.Order(3); fmt.Sprint(got) != "[0 2]" && fmt.Sprint(got) != "[2 0]" {
		t.Fatalf("order with member 1 backing off: %v", got)
	}
	c.t = c.t.Add(2*time.Second + time.Millisecond) // first penalty: 2 s
	if got := s.Order(3); len(got) != 3 {
		t.Fatalf("member 1 not restored after its penalty: %v", got)
	}
	s.Failed(1)
	c.t = c.t.Add(3 * time.Second) // second penalty: 4 s
	if got := s.Order(3); len(got) != 2 {
		t.Fatalf("member 1 restored too early: %v", got)
	}
}

func TestRandomIsAPermutation(t *testing.T) {
	s := New(5, true, false, 0, nil)
	for range 20 {
		seen := map[int]bool{}
		for _, i := range s.Order(5) {
			seen[i] = true
		}
		if len(seen) != 5 {
			t.Fatalf("order %v is not a permutation of 5 members", s.Order(5))
		}
	}
}

func TestSequentialWindow(t *testing.T) {
	c := &clock{time.Unix(1000, 0)}
	sel := New(2, false, true, DefaultMaxTimeOut, c.now)
	sel.Failed(0)
	sel.Failed(0) // within the window: second sequential failure, 4 s
	if got := sel.state[0].restore.Sub(c.now()); got != 4*time.Second {
		t.Fatalf("exclusion after 2 sequential failures = %v, want 4s", got)
	}
	for range 30 {
		sel.Failed(0)
	}
	if sel.state[0].fails != maxSequentialFails {
		t.Fatalf("fails = %d, want capped at %d", sel.state[0].fails, maxSequentialFails)
	}
	// More than the exclusion plus an hour later, the count starts over.
	c.t = c.t.Add(30*time.Second + time.Hour + time.Millisecond)
	sel.Failed(0)
	if sel.state[0].fails != 1 || sel.state[0].restore.Sub(c.now()) != 2*time.Second {
		t.Fatalf("after the window: fails %d, exclusion %v", sel.state[0].fails, sel.state[0].restore.Sub(c.now()))
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{0: time.Second, 1: 2 * time.Second, 4: 16 * time.Second, 5: 30 * time.Second, 100: 30 * time.Second} {
		if got := Backoff(n, 30*time.Second); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
