package memory

// batchQueue is the channel's FIFO of committed events, kept in the batches
// they were committed in: a commit appends its transaction's put buffer as
// it is, and a take that wants the whole head batch (a sink whose batch
// size matches its sources') gets that very slice. So an event is copied
// once on its way through the channel, into the put buffer, where a ring
// of events copied it three times (put buffer, ring, take buffer) and
// cleared it twice, every copy paying the garbage collector's write
// barriers while it marks; and the channel holds no large array of event
// slots for the collector to scan.
//
// A take of part of the head batch gets a slice of it; a take that spans
// batches gets a new slice. Slices handed out have their capacity capped,
// so appending to one never writes into the queue. A handed-out batch is
// never written again by the queue: it may only come back whole, at the
// head, from a rolled-back take (pushFront). The events a take removed from
// the head batch stay reachable from it until the rest of that batch is
// taken, which bounds what the queue keeps alive beyond its content to one
// batch.
//
// It is not safe for concurrent use.
type batchQueue[T any] struct {
	batches [][]T // batches[off:] are queued, none empty; earlier slots are nil
	off     int
	n       int // events queued
}

// Len returns the number of queued events.
func (q *batchQueue[T]) Len() int { return q.n }

// PushBack queues batch, which the queue takes over: the caller must never
// modify it again.
func (q *batchQueue[T]) PushBack(batch []T) {
	if len(batch) == 0 {
		return
	}
	if q.off > 0 && q.off >= len(q.batches)/2 {
		// Slide the live batches to the front rather than let the slice
		// grow for ever: amortised O(1) per batch.
		k := copy(q.batches, q.batches[q.off:])
		clear(q.batches[k:])
		q.batches, q.off = q.batches[:k], 0
	}
	q.batches = append(q.batches, batch)
	q.n += len(batch)
}

// PushFront puts batches back at the head, in their order, so that
// batches[0][0] is taken next: the batches a rolled-back take got.
func (q *batchQueue[T]) PushFront(batches [][]T) {
	k := 0
	for _, b := range batches {
		if len(b) > 0 {
			k++
		}
	}
	if k == 0 {
		return
	}
	if q.off < k {
		live := len(q.batches) - q.off
		nb := make([][]T, k+live, k+max(2*live, 8))
		copy(nb[k:], q.batches[q.off:])
		q.batches, q.off = nb, k
	}
	for i := len(batches) - 1; i >= 0; i-- {
		if b := batches[i]; len(b) > 0 {
			q.off--
			q.batches[q.off] = b
			q.n += len(b)
		}
	}
}

// PopFront removes the first k events (0 < k ≤ Len) and returns them, with
// their capacity capped at k.
func (q *batchQueue[T]) PopFront(k int) []T {
	if head := q.batches[q.off]; len(head) >= k {
		q.dropHead(k)
		return head[:k:k]
	}
	out := make([]T, 0, k)
	for len(out) < k {
		head := q.batches[q.off]
		take := min(len(head), k-len(out))
		out = append(out, head[:take]...)
		q.dropHead(take)
	}
	return out
}

// dropHead removes the first k events of the head batch (k ≤ its length).
func (q *batchQueue[T]) dropHead(k int) {
	q.n -= k
	if rest := q.batches[q.off][k:]; len(rest) > 0 {
		q.batches[q.off] = rest
		return
	}
	q.batches[q.off] = nil
	q.off++
	if q.off == len(q.batches) {
		q.batches, q.off = q.batches[:0], 0
	}
}
