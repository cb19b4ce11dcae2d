package ring

import "slices"

// Ring is a growable FIFO. The zero value is an empty ring. It is not safe
// for concurrent use.
type Ring[T any] struct {
	buf  []T
	head int
	n    int
}

// Adopt returns a ring holding items, which it takes over (their spare
// capacity included) without copying.
func Adopt[T any](items []T) Ring[T] {
	return Ring[T]{buf: items[:cap(items)], n: len(items)}
}

// Len returns the number of queued items.
func (r *Ring[T]) Len() int { return r.n }

func (r *Ring[T]) grow(need int) {
	if r.n+need <= len(r.buf) {
		return
	}
	size := max(64, 2*len(r.buf))
	for size < r.n+need {
		size *= 2
	}
	r.resize(size)
}

func (r *Ring[T]) resize(size int) {
	nb := make([]T, size)
	r.copyOut(nb, r.n)
	r.buf, r.head = nb, 0
}

// copyOut copies the first k queued items into dst without removing them.
func (r *Ring[T]) copyOut(dst []T, k int) {
	first := min(k, len(r.buf)-r.head)
	copy(dst, r.buf[r.head:r.head+first])
	copy(dst[first:], r.buf[:k-first])
}

// PushBack appends items at the tail.
func (r *Ring[T]) PushBack(items []T) {
	if len(items) == 0 {
		return
	}
	r.grow(len(items))
	tail := (r.head + r.n) % len(r.buf)
	first := copy(r.buf[tail:], items)
	copy(r.buf, items[first:])
	r.n += len(items)
}

// PushFront puts items back at the head so that items[0] is taken next.
func (r *Ring[T]) PushFront(items []T) {
	if len(items) == 0 {
		return
	}
	r.grow(len(items))
	r.head = (r.head - len(items) + len(r.buf)) % len(r.buf)
	first := copy(r.buf[r.head:], items)
	copy(r.buf, items[first:])
	r.n += len(items)
}

// PopFront appends the first k items (k ≤ Len) to dst and removes them.
// Their slots are cleared, so the ring keeps no reference to them, and a
// large ring that is mostly empty shrinks, so that a drained backlog gives
// its memory back.
func (r *Ring[T]) PopFront(dst []T, k int) []T {
	start := len(dst)
	dst = slices.Grow(dst, k)[:start+k]
	r.copyOut(dst[start:], k)
	first := min(k, len(r.buf)-r.head)
	clear(r.buf[r.head : r.head+first])
	clear(r.buf[:k-first])
	if r.n -= k; r.n == 0 {
		r.head = 0
	} else {
		r.head = (r.head + k) % len(r.buf)
	}
	if len(r.buf) > 1<<16 && r.n < len(r.buf)/8 {
		r.resize(max(64, 2*r.n))
	}
	return dst
}

// Snapshot appends every queued item to dst in queue order.
func (r *Ring[T]) Snapshot(dst []T) []T {
	start := len(dst)
	dst = slices.Grow(dst, r.n)[:start+r.n]
	r.copyOut(dst[start:], r.n)
	return dst
}

// Each calls fn for every queued item in queue order.
func (r *Ring[T]) Each(fn func(T)) {
	first := min(r.n, len(r.buf)-r.head)
	for _, v := range r.buf[r.head : r.head+first] {
		fn(v)
	}
	for _, v := range r.buf[:r.n-first] {
		fn(v)
	}
}
