package file

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// transaction is a file channel transaction: puts are encoded into buf at
// Put and written to the log, with a commit record, by the group commit
// writer at Commit; takes are pointers popped from the queue at Take and
// recorded in the log at Commit.
type transaction struct {
	c       *Channel
	gen     uint64
	txid    uint64
	done    bool
	buf     []byte   // encoded records
	sizes   []uint32 // size of each record in buf
	nPuts   int
	takes   []ptr
	takeSeq uint64

	// set by the writer
	ptrs  []ptr
	err   error
	reply chan struct{}
}

func (t *transaction) stale() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	return t.gen != t.c.gen
}

func (t *transaction) closedErr() error {
	return fmt.Errorf("file channel %q: %w", t.c.name, flume.ErrClosed)
}

func (t *transaction) Put(ctx context.Context, events ...flume.Event) error {
	if t.done {
		return flume.ErrTxDone
	}
	c := t.c
	c.counter.EventPutAttemptCount.Add(int64(len(events)))
	fail := func(err error) error {
		c.counter.EventPutErrorCount.Add(int64(len(events)))
		return err
	}
	if len(t.takes) > 0 {
		return fail(fmt.Errorf("file channel %q: %w", c.name, errMixed))
	}
	if t.nPuts+len(events) > c.cfg.TransactionCapacity {
		return fail(fmt.Errorf("file channel %q: put queue of capacity %d full, consider committing more frequently, increasing capacity or increasing thread count: %w",
			c.name, c.cfg.TransactionCapacity, flume.ErrTxFull))
	}
	bytes := 0
	for _, e := range events {
		n := eventRecordSize(e)
		if n > maxPayload {
			return fail(flume.NewChannelError(fmt.Sprintf("file channel %q: event of %d bytes exceeds the %d-byte record limit", c.name, n, maxPayload)))
		}
		bytes += n
	}
	if err := c.checkPutSpace(uint64(bytes), c.held()+len(events), c.spare()); err != nil {
		return fail(fmt.Errorf("file channel %q: %w", c.name, err))
	}
	if len(events) == 0 {
		return nil
	}
	c.mu.Lock()
	closed := func() bool { return !c.running || t.gen != c.gen }
	ok, err := c.cond.WaitUntil(&c.mu, ctx, c.cfg.KeepAlive, func() bool { return closed() || c.used()+len(events) <= c.cfg.Capacity })
	switch {
	case err != nil:
		c.mu.Unlock()
		return fail(fmt.Errorf("file channel %q: put: %w", c.name, err))
	case closed():
		c.mu.Unlock()
		return fail(t.closedErr())
	case !ok:
		c.mu.Unlock()
		return fail(fmt.Errorf("file channel %q: the channel has reached its capacity (%d) within keep-alive %s; the sinks may be too slow or their batch size too low, or the capacity too small: %w",
			c.name, c.cfg.Capacity, c.cfg.KeepAlive, flume.ErrChannelFull))
	}
	c.reserved += len(events)
	c.mu.Unlock()
	if t.buf == nil {
		t.buf = getBuf(bytes + 64)
	}
	for _, e := range events {
		var n uint32
		t.buf, n = appendPut(t.buf, t.txid, e)
		t.sizes = append(t.sizes, n)
	}
	t.nPuts += len(events)
	return nil
}

func (t *transaction) Take(ctx context.Context, max int) ([]flume.Event, error) {
	if t.done {
		return nil, flume.ErrTxDone
	}
	c := t.c
	if t.nPuts > 0 {
		c.counter.EventTakeErrorCount.Add(1)
		return nil, fmt.Errorf("file channel %q: %w", c.name, errMixed)
	}
	if max <= 0 {
		return nil, nil
	}
	room := c.cfg.TransactionCapacity - len(t.takes)
	if room <= 0 {
		return nil, fmt.Errorf("file channel %q: take list of capacity %d full, consider committing more frequently, increasing capacity, or increasing thread count: %w",
			c.name, c.cfg.TransactionCapacity, flume.ErrTxFull)
	}
	c.mu.Lock()
	if t.gen != c.gen || !c.running {
		c.mu.Unlock()
		return nil, t.closedErr()
	}
	if _, err := c.cond.WaitUntil(&c.mu, ctx, c.cfg.KeepAlive, func() bool { return c.q.Len() > 0 || !c.running }); err != nil {
		c.mu.Unlock()
		c.counter.EventTakeAttemptCount.Add(1)
		return nil, err
	}
	if t.gen != c.gen || !c.running {
		c.mu.Unlock()
		return nil, t.closedErr()
	}
	n := min(max, room, c.q.Len())
	start := len(t.takes)
	t.takes = c.q.PopFront(t.takes, n)
	c.inflight += n
	if n > 0 && t.takeSeq == 0 {
		c.takeSeq++
		t.takeSeq = c.takeSeq
		c.takers[t] = struct{}{}
	}
	c.counter.ChannelSize.Store(int64(c.q.Len()))
	logs := c.logs
	if n > 0 {
		c.reading.Add(1) // Stop waits for this read before closing the files
	}
	c.mu.Unlock()
	attempts := int64(n)
	if n < max {
		attempts++ // Flume counts the take that found the channel empty
	}
	c.counter.EventTakeAttemptCount.Add(attempts)
	if n == 0 {
		return nil, nil
	}
	events, bad, errs := logs.readEvents(t.takes[start:], make([]flume.Event, 0, n))
	c.reading.Done()
	if len(bad) > 0 {
		// An unreadable event must not block the channel forever: it stays
		// in this transaction (so Commit removes it), is counted and
		// logged, and is not returned.
		c.counter.EventTakeErrorCount.Add(int64(len(bad)))
		if now := time.Now().Unix(); c.lastError.Swap(now) != now {
			c.log.Error("file channel: events could not be read back and are skipped", "count", len(bad), "first_error", errs[0])
		}
	}
	return events, nil
}

func (t *transaction) Commit(ctx context.Context) error {
	if t.done {
		return flume.ErrTxDone
	}
	c := t.c
	if t.nPuts == 0 && len(t.takes) == 0 {
		if t.stale() {
			t.finish()
			return t.closedErr()
		}
		t.finish()
		return nil
	}
	bufLen, sizesLen := len(t.buf), len(t.sizes)
	var n uint32
	if t.nPuts > 0 {
		t.buf, n = appendCommit(t.buf, t.txid, t.nPuts)
	} else {
		t.buf, n = appendTake(getBuf(len(t.takes)*8+32), t.txid, t.takes)
	}
	t.sizes = append(t.sizes, n)
	c.mu.Lock()
	if !c.running || t.gen != c.gen {
		c.mu.Unlock()
		t.buf, t.sizes = t.buf[:bufLen], t.sizes[:sizesLen]
		if t.nPuts > 0 {
			c.counter.EventPutErrorCount.Add(int64(t.nPuts))
		}
		return t.closedErr()
	}
	c.pend.Add(1)
	c.mu.Unlock()
	if t.reply == nil {
		t.reply = make(chan struct{}, 1)
	}
	t.err = nil
	c.reqs <- t
	<-t.reply
	c.pend.Done()
	if t.err != nil {
		if t.nPuts > 0 {
			c.counter.EventPutErrorCount.Add(int64(t.nPuts))
			t.buf, t.sizes = t.buf[:bufLen], t.sizes[:sizesLen]
		} else {
			putBuf(t.buf)
			t.buf, t.sizes = nil, t.sizes[:0]
		}
		t.ptrs = t.ptrs[:0]
		return fmt.Errorf("file channel %q: commit: %w", c.name, t.err)
	}
	c.counter.EventPutSuccessCount.Add(int64(t.nPuts))
	c.counter.EventTakeSuccessCount.Add(int64(len(t.takes)))
	t.finish()
	return nil
}

func (t *transaction) Rollback() error {
	if t.done {
		return flume.ErrTxDone
	}
	c := t.c
	c.mu.Lock()
	if t.gen == c.gen {
		c.reserved -= t.nPuts
		if len(t.takes) > 0 {
			c.q.PushFront(t.takes)
			c.inflight -= len(t.takes)
			delete(c.takers, t)
			c.counter.ChannelSize.Store(int64(c.q.Len()))
		}
		if t.nPuts > 0 || len(t.takes) > 0 {
			c.cond.Broadcast()
		}
	}
	c.mu.Unlock()
	t.finish()
	return nil
}

func (t *transaction) finish() {
	t.done = true
	if t.buf != nil {
		putBuf(t.buf)
		t.buf = nil
	}
	t.sizes, t.takes, t.ptrs = nil, nil, nil
}

var bufPool sync.Pool

func getBuf(n int) []byte {
	if b, ok := bufPool.Get().(*[]byte); ok && cap(*b) >= n {
		return (*b)[:0]
	}
	return make([]byte, 0, max(n, 4096))
}

func putBuf(b []byte) {
	if cap(b) > 64<<20 {
		return
	}
	b = b[:0]
	bufPool.Put(&b)
}
