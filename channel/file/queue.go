package file

import "slices"

// ring is a growable FIFO of record pointers with push-front for rolled-back
// takes. At 12 bytes per queued event, a full default channel (1 M events)
// holds 12 MB of pointers; the events themselves stay in the log files.
type ring struct {
	buf  []ptr
	head int
	n    int
}

func (r *ring) len() int { return r.n }

func (r *ring) grow(need int) {
	if r.n+need <= len(r.buf) {
		return
	}
	size := max(64, 2*len(r.buf))
	for size < r.n+need {
		size *= 2
	}
	nb := make([]ptr, size)
	r.copyOut(nb, r.n)
	r.buf, r.head = nb, 0
}

// copyOut copies the first k queued pointers into dst.
func (r *ring) copyOut(dst []ptr, k int) {
	first := min(k, len(r.buf)-r.head)
	copy(dst, r.buf[r.head:r.head+first])
	copy(dst[first:], r.buf[:k-first])
}

// snapshot appends every queued pointer to dst in queue order.
func (r *ring) snapshot(dst []ptr) []ptr {
	start := len(dst)
	dst = slices.Grow(dst, r.n)[:start+r.n]
	r.copyOut(dst[start:], r.n)
	return dst
}

func (r *ring) pushBack(ps []ptr) {
	if len(ps) == 0 {
		return
	}
	r.grow(len(ps))
	tail := (r.head + r.n) % len(r.buf)
	first := copy(r.buf[tail:], ps)
	copy(r.buf, ps[first:])
	r.n += len(ps)
}

// pushFront puts ps back at the head so that ps[0] is taken next.
func (r *ring) pushFront(ps []ptr) {
	if len(ps) == 0 {
		return
	}
	r.grow(len(ps))
	r.head = (r.head - len(ps) + len(r.buf)) % len(r.buf)
	first := copy(r.buf[r.head:], ps)
	copy(r.buf, ps[first:])
	r.n += len(ps)
}

// popFront appends the first k pointers to dst and removes them.
func (r *ring) popFront(dst []ptr, k int) []ptr {
	start := len(dst)
	dst = slices.Grow(dst, k)[:start+k]
	r.copyOut(dst[start:], k)
	if r.n -= k; r.n == 0 {
		r.head = 0
	} else {
		r.head = (r.head + k) % len(r.buf)
	}
	// Shrink a mostly empty large ring so a drained backlog gives memory back.
	if len(r.buf) > 1<<16 && r.n < len(r.buf)/8 {
		nb := make([]ptr, max(64, 2*r.n))
		r.copyOut(nb, r.n)
		r.buf, r.head = nb, 0
	}
	return dst
}

// each calls fn for every queued pointer in queue order.
func (r *ring) each(fn func(ptr)) {
	first := min(r.n, len(r.buf)-r.head)
	for _, p := range r.buf[r.head : r.head+first] {
		fn(p)
	}
	for _, p := range r.buf[:r.n-first] {
		fn(p)
	}
}
