package background

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestStartStop(t *testing.T) {
	var task Task
	if ok, err := task.Stop(context.Background()); ok || err != nil {
		t.Fatalf("Stop without Start = %v, %v", ok, err)
	}
	started := make(chan struct{})
	ended := false
	if ok, err := task.Start(func(ctx, _ context.Context) { close(started); <-ctx.Done(); ended = true }); !ok || err != nil {
		t.Fatalf("first Start = %v, %v", ok, err)
	}
	<-started
	if ok, err := task.Start(func(context.Context, context.Context) {}); ok || err != nil {
		t.Fatalf("Start of a running task = %v, %v", ok, err)
	}
	if ok, err := task.Stop(context.Background()); !ok || err != nil || !ended {
		t.Fatalf("Stop = %v, %v; the goroutine ended: %v", ok, err, ended)
	}
	if ok, err := task.Stop(context.Background()); ok || err != nil {
		t.Fatalf("second Stop = %v, %v", ok, err)
	}
	if ok, err := task.Start(func(context.Context, context.Context) {}); !ok || err != nil {
		t.Fatalf("restart = %v, %v", ok, err)
	}
	if ok, err := task.Stop(context.Background()); !ok || err != nil {
		t.Fatalf("Stop after restart = %v, %v", ok, err)
	}
}

// TestStopGivesUp checks the flume.Lifecycle contract: a Stop whose ctx
// ends first returns the ctx error at once, cancels the abort context, and
// the next Stop waits again; Start refuses until the run has ended.
func TestStopGivesUp(t *testing.T) {
	var task Task
	release := make(chan struct{})
	aborted := make(chan struct{})
	task.Start(func(ctx, abort context.Context) {
		<-ctx.Done()
		// A final flush that only abort can cut short...
		<-abort.Done()
		close(aborted)
		// ...and then something slow that ends by itself.
		<-release
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	ok, err := task.Stop(ctx)
	if ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop with an ended ctx = %v, %v", ok, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Stop with an ended ctx took %v", d)
	}
	select {
	case <-aborted:
	case <-time.After(10 * time.Second):
		t.Fatal("the abort context was not cancelled")
	}
	if ok, err := task.Start(func(context.Context, context.Context) {}); ok || !errors.Is(err, ErrStopping) {
		t.Fatalf("Start while the last run is stopping = %v, %v", ok, err)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancelShort()
	if _, err := task.Stop(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Stop returned %v before the run ended", err)
	}
	close(release)
	if ok, err := task.Stop(context.Background()); !ok || err != nil {
		t.Fatalf("Stop after the run ended = %v, %v", ok, err)
	}
	if ok, err := task.Start(func(context.Context, context.Context) {}); !ok || err != nil {
		t.Fatalf("Start after a completed Stop = %v, %v", ok, err)
	}
	task.Stop(context.Background())
}

// TestStartAfterAbandonedRunEnded checks that Start needs no second Stop
// once the abandoned run has ended by itself.
func TestStartAfterAbandonedRunEnded(t *testing.T) {
	var task Task
	ended := make(chan struct{})
	task.Start(func(_, abort context.Context) { <-abort.Done(); close(ended) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := task.Stop(ctx); err == nil {
		t.Fatal("Stop with an ended ctx returned nil")
	}
	<-ended
	// The goroutine closes done right after fn returns.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := task.Start(func(context.Context, context.Context) {})
		if ok && err == nil {
			break
		}
		if !errors.Is(err, ErrStopping) || time.Now().After(deadline) {
			t.Fatalf("Start = %v, %v", ok, err)
		}
		time.Sleep(time.Millisecond)
	}
	task.Stop(context.Background())
}

// TestConcurrentStops checks that exactly one of several concurrent Stops
// reports the end of the run.
func TestConcurrentStops(t *testing.T) {
	var task Task
	task.Start(func(ctx, _ context.Context) { <-ctx.Done() })
	var wg sync.WaitGroup
	var mu sync.Mutex
	ends := 0
	for range 8 {
		wg.Go(func() {
			ok, err := task.Stop(context.Background())
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				ends++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ends != 1 {
		t.Fatalf("%d Stops reported the end of the run, want 1", ends)
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Fatalf("Sleep on an ended context = %v after %v", err, time.Since(start))
	}
}
