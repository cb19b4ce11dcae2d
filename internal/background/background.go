package background

import (
	"context"
	"sync"
	"time"
)

// Task is one restartable background goroutine. The zero value is ready.
type Task struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// Start runs fn on a new goroutine with a context that Stop cancels. It
// returns false, and does nothing, when the task is already running.
func (t *Task) Start(fn func(ctx context.Context)) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done != nil {
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel, t.done = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		fn(ctx)
	}(t.done)
	return true
}

// Stop cancels the task's context and waits for fn to return. It returns
// false when the task was not running. It is safe to call concurrently and
// repeatedly.
func (t *Task) Stop() bool {
	t.mu.Lock()
	cancel, done := t.cancel, t.done
	t.cancel, t.done = nil, nil
	t.mu.Unlock()
	if done == nil {
		return false
	}
	cancel()
	<-done
	return true
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
