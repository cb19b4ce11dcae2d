package memory

import (
	"slices"

	"github.com/flumego/flume"
)

// ring is a growable FIFO of events with push-front for rollbacks.
type ring struct {
	buf  []flume.Event
	head int
	n    int
}

func (r *ring) len() int { return r.n }

func (r *ring) grow(need int) {
	if r.n+need <= len(r.buf) {
		return
	}
	size := max(16, 2*len(r.buf))
	for size < r.n+need {
		size *= 2
	}
	nb := make([]flume.Event, size)
	r.copyOut(nb, r.n)
	r.buf, r.head = nb, 0
}

// copyOut copies the first k queued events into dst without removing them.
func (r *ring) copyOut(dst []flume.Event, k int) {
	first := min(k, len(r.buf)-r.head)
	copy(dst, r.buf[r.head:r.head+first])
	copy(dst[first:], r.buf[:k-first])
}

func (r *ring) pushBack(evs []flume.Event) {
	if len(evs) == 0 {
		return
	}
	r.grow(len(evs))
	tail := (r.head + r.n) % len(r.buf)
	first := copy(r.buf[tail:], evs)
	copy(r.buf, evs[first:])
	r.n += len(evs)
}

// pushFront puts evs back at the head so that evs[0] is taken next.
func (r *ring) pushFront(evs []flume.Event) {
	if len(evs) == 0 {
		return
	}
	r.grow(len(evs))
	r.head = (r.head - len(evs) + len(r.buf)) % len(r.buf)
	first := copy(r.buf[r.head:], evs)
	copy(r.buf, evs[first:])
	r.n += len(evs)
}

// popFront appends the first k events to dst and removes them.
func (r *ring) popFront(dst []flume.Event, k int) []flume.Event {
	start := len(dst)
	dst = slices.Grow(dst, k)[:start+k]
	r.copyOut(dst[start:], k)
	first := min(k, len(r.buf)-r.head)
	clear(r.buf[r.head : r.head+first]) // release references
	clear(r.buf[:k-first])
	if r.n -= k; r.n == 0 {
		r.head = 0
	} else {
		r.head = (r.head + k) % len(r.buf)
	}
	return dst
}
