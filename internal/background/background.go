package background

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrStopping is returned by Start while the goroutine of a previous run,
// whose Stop gave up waiting for it, has not returned yet.
var ErrStopping = errors.New("the previous run is still stopping")

// Task is one restartable background goroutine whose Stop follows
// flume.Lifecycle. The zero value is ready.
type Task struct {
	mu       sync.Mutex
	cancel   context.CancelFunc // ends the run's ctx
	abort    context.CancelFunc // ends the run's abort context
	done     chan struct{}      // closed when fn returned; nil when idle
	stopping bool               // Stop was called for this run
}

// Start runs fn on a new goroutine and returns true. fn gets two contexts
// the task creates (never the caller's):
//
//   - ctx ends as soon as Stop is called: fn should wind down and return;
//   - abort ends when a Stop gives up waiting (its own ctx ended first):
//     whatever fn still does to wind down after ctx ended (a final commit)
//     must run on abort, so that it ends promptly too.
//
// Start returns false, doing nothing, when the task is already running,
// and ErrStopping when a previous Stop gave up and fn has not returned yet.
func (t *Task) Start(fn func(ctx, abort context.Context)) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done != nil {
		if !t.stopping {
			return false, nil
		}
		select {
		case <-t.done: // the abandoned run has ended since: start afresh
		default:
			return false, ErrStopping
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	abort, abortCancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.cancel, t.abort, t.done, t.stopping = cancel, abortCancel, done, false
	go func() {
		defer close(done)
		defer abortCancel()
		defer cancel()
		fn(ctx, abort)
	}()
	return true, nil
}

// Stop cancels the run's ctx and waits for fn to return, at most until ctx
// ends. It returns true when this call saw the run end (exactly one Stop
// does per run), false with a nil error when nothing was running, and an
// error wrapping ctx.Err() when ctx ended first: the run's abort context
// is then cancelled, and a later Stop waits for it again. Stop is safe to
// call concurrently and repeatedly.
func (t *Task) Stop(ctx context.Context) (bool, error) {
	t.mu.Lock()
	done, cancel, abort := t.done, t.cancel, t.abort
	if done == nil {
		t.mu.Unlock()
		return false, nil
	}
	t.stopping = true
	t.mu.Unlock()
	cancel()
	select {
	case <-done:
	default:
		select {
		case <-done:
		case <-ctx.Done():
			abort()
			return false, fmt.Errorf("stop: %w", ctx.Err())
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done != done {
		return false, nil // a concurrent Stop saw it first
	}
	t.done, t.cancel, t.abort, t.stopping = nil, nil, nil, false
	return true, nil
}

// Sleep waits for d or until ctx ends, whichever comes first, and returns
// ctx.Err() in the second case: the backoff of a loop that Stop must be
// able to interrupt.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
