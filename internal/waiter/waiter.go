package waiter

import (
	"context"
	"sync"
	"time"
)

// Cond lets goroutines holding a mutex wait for a change that another
// goroutine signals under the same mutex. The zero value is ready; every
// method is called with the mutex held.
type Cond struct {
	changed chan struct{} // closed by Broadcast; nil when nobody waits on it
	waiters int
}

// Broadcast wakes every goroutine waiting in Wait.
func (c *Cond) Broadcast() {
	// changed is nil when every waiter has been woken already (they may
	// not have reacquired the mutex yet).
	if c.changed != nil && c.waiters > 0 {
		close(c.changed)
		c.changed = nil
	}
}

// Wait releases mu until Broadcast, timer fires or ctx ends, whichever
// comes first, and reacquires it. It reports whether Broadcast woke it,
// and ctx.Err() when ctx ended. The caller checks its condition again.
func (c *Cond) Wait(mu *sync.Mutex, ctx context.Context, timer *time.Timer) (bool, error) {
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	ch := c.changed
	c.waiters++
	mu.Unlock()
	var ok bool
	var err error
	select {
	case <-ch:
		ok = true
	case <-timer.C:
	case <-ctx.Done():
		err = ctx.Err()
	}
	mu.Lock()
	c.waiters--
	return ok, err
}

// WaitUntil waits, releasing mu while it sleeps, until ready reports true,
// keepAlive has passed or ctx ends: the keep-alive wait of Flume's channels.
// It returns ready's last answer, and ctx.Err() when ctx ended. A keepAlive
// of zero or less does not wait. ready is called with mu held.
func (c *Cond) WaitUntil(mu *sync.Mutex, ctx context.Context, keepAlive time.Duration, ready func() bool) (bool, error) {
	var timer *time.Timer
	for !ready() {
		if keepAlive <= 0 {
			return false, nil
		}
		if timer == nil {
			timer = time.NewTimer(keepAlive)
			defer timer.Stop()
		}
		woken, err := c.Wait(mu, ctx, timer)
		if err != nil {
			return false, err
		}
		if !woken {
			return ready(), nil
		}
	}
	return true, nil
}
