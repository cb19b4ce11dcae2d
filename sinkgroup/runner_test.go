package sinkgroup

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
)

// scripted is a sink whose Process follows a script of results.
type scripted struct {
	mu      sync.Mutex
	calls   int
	results func(call int) (flume.Status, error)
	called  chan int
	stopped atomic.Bool
}

func (s *scripted) Start(context.Context) error { return nil }
func (s *scripted) Stop(context.Context) error  { s.stopped.Store(true); return nil }
func (s *scripted) Process(ctx context.Context) (flume.Status, error) {
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()
	select {
	case s.called <- n:
	case <-ctx.Done():
	}
	return s.results(n)
}

func TestRunnerBacksOffAndContainsPanics(t *testing.T) {
	s := &scripted{called: make(chan int), results: func(n int) (flume.Status, error) {
		switch n {
		case 1:
			return flume.Ready, nil
		case 2:
			return flume.Backoff, nil
		case 3:
			return flume.Backoff, errors.New("down")
		case 4:
			panic("plugin bug")
		}
		return flume.Backoff, nil
	}}
	r := NewRunner("k1", s, nil)
	r.BackoffStep, r.MaxBackoff, r.ErrorBackoff = time.Millisecond, 2*time.Millisecond, time.Millisecond
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for want := 1; want <= 6; want++ {
		select {
		case n := <-s.called:
			if n != want {
				t.Fatalf("call %d, want %d", n, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("runner stopped calling after %d calls (a panic killed it?)", want-1)
		}
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !s.stopped.Load() {
		t.Fatal("Stop did not stop the sink")
	}
}

func TestRunnerDrainStopsAtFirstEmptyBackoff(t *testing.T) {
	var remaining atomic.Int64
	remaining.Store(5)
	s := &scripted{called: make(chan int, 100), results: func(int) (flume.Status, error) {
		if remaining.Add(-1) >= 0 {
			return flume.Ready, nil
		}
		return flume.Backoff, nil
	}}
	r := NewRunner("k1", s, nil)
	r.BackoffStep, r.MaxBackoff = time.Hour, time.Hour // a drain must not wait for these
	_ = r.Start(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Drain(ctx); err != nil {
		t.Fatalf("drain: %v", err)
	}
	if remaining.Load() >= 0 {
		t.Fatal("drain returned before the sink emptied its channel")
	}
	_ = r.Stop(context.Background())
}
