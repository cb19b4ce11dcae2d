package sinkrunner

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
	r := New("k1", s, nil)
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
	r := New("k1", s, nil)
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

// stubborn is a sink whose Process ignores its context: it returns only
// when released, or, when abortable, when the sink is stopped.
type stubborn struct {
	abortable bool
	entered   chan struct{} // receives one value per Process call
	release   chan struct{}
	abort     chan struct{}
	stops     atomic.Int32
	once      sync.Once
}

func newStubborn(abortable bool) *stubborn {
	return &stubborn{abortable: abortable, entered: make(chan struct{}, 10), release: make(chan struct{}), abort: make(chan struct{})}
}

func (s *stubborn) Start(context.Context) error { return nil }

func (s *stubborn) Stop(context.Context) error {
	s.stops.Add(1)
	if s.abortable {
		s.once.Do(func() { close(s.abort) })
	}
	return nil
}

func (s *stubborn) Process(context.Context) (flume.Status, error) {
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-s.abort:
	}
	return flume.Backoff, nil
}

func shortCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

// TestStopTimesOutButStopsTheSink checks the lifecycle contract when the
// sink's Process ignores its context: Stop returns the ctx error, has told
// the sink to stop anyway, and a second Stop waits for the loop again.
func TestStopTimesOutButStopsTheSink(t *testing.T) {
	s := newStubborn(false)
	r := New("k1", s, nil)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-s.entered
	if err := r.Stop(shortCtx(t)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first Stop = %v, want a deadline error", err)
	}
	if s.stops.Load() != 1 {
		t.Fatalf("the sink was stopped %d times, want 1: an expired Stop must still tell it to abort", s.stops.Load())
	}
	if err := r.Start(context.Background()); err == nil {
		t.Fatal("Start succeeded while the previous loop is still in Process")
	}
	if err := r.Stop(shortCtx(t)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Stop = %v, want it to wait for the loop again and time out", err)
	}
	close(s.release) // Process returns at last
	if err := r.Stop(context.Background()); err != nil {
		t.Fatalf("third Stop: %v", err)
	}
	if s.stops.Load() != 3 {
		t.Fatalf("the sink was stopped %d times, want 3", s.stops.Load())
	}
	if err := r.Stop(shortCtx(t)); err != nil || s.stops.Load() != 3 {
		t.Fatalf("Stop after a completed Stop = %v, sink stops %d: it must be a no-op", err, s.stops.Load())
	}
	// A completed Stop leaves the runner ready to start again.
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-s.entered // Process runs again (and returns at once: released)
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestStopAbortsThroughTheSink: a sink whose Process ignores its context
// but ends when the sink is stopped ends with the first Stop's abort; the
// next Stop then completes at once.
func TestStopAbortsThroughTheSink(t *testing.T) {
	s := newStubborn(true)
	r := New("k1", s, nil)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-s.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // already over: Stop cannot wait at all
	if err := r.Stop(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop with an ended ctx = %v, want context.Canceled", err)
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatalf("Stop after the abort: %v", err)
	}
	if n := s.stops.Load(); n != 2 {
		t.Fatalf("the sink was stopped %d times, want 2", n)
	}
}
