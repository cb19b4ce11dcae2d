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
