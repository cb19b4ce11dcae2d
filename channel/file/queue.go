package file

import (
	"encoding/binary"
	"math"
	"slices"
)

// appendPtr appends p in the queue's delta encoding: a uvarint size<<1
// alone when p's record directly follows prev's in the same file (as the
// puts of a transaction do), else size<<1|1 followed by the file id and the
// offset as uvarints. A zero prev (size 0) always gives the full form.
// Checkpoint chunks and the in-memory queue use it.
func appendPtr(dst []byte, prev, p ptr) []byte {
	if prev.size != 0 && p.file == prev.file && p.off == prev.off+prev.size {
		return binary.AppendUvarint(dst, uint64(p.size)<<1)
	}
	dst = binary.AppendUvarint(dst, uint64(p.size)<<1|1)
	dst = binary.AppendUvarint(dst, uint64(p.file))
	return binary.AppendUvarint(dst, uint64(p.off))
}

// maxPtrSize bounds the encoded size of one pointer (three 5-byte uvarints).
const maxPtrSize = 15

// errPtr is why readPtr failed.
type errPtr string

func (e errPtr) Error() string { return string(e) }

const (
	errMalformedPtr = errPtr("malformed pointer")
	errOrphanPtr    = errPtr("relative pointer without a predecessor")
)

// readPtr decodes the pointer at the head of b, encoded by appendPtr after
// prev, and returns it with its encoded length.
func readPtr(b []byte, prev ptr) (ptr, int, error) {
	v, k := binary.Uvarint(b)
	if k <= 0 || v>>1 > math.MaxUint32 {
		return ptr{}, 0, errMalformedPtr
	}
	p := ptr{size: uint32(v >> 1)}
	if v&1 == 0 {
		if prev.size == 0 {
			return ptr{}, 0, errOrphanPtr
		}
		p.file, p.off = prev.file, prev.off+prev.size
		return p, k, nil
	}
	f, k1 := binary.Uvarint(b[k:])
	if k1 <= 0 || f > math.MaxUint32 {
		return ptr{}, 0, errMalformedPtr
	}
	o, k2 := binary.Uvarint(b[k+k1:])
	if k2 <= 0 || o > math.MaxUint32 {
		return ptr{}, 0, errMalformedPtr
	}
	p.file, p.off = uint32(f), uint32(o)
	return p, k + k1 + k2, nil
}

// queueChunkBytes is the size of the queue's chunks: about 2,000 pointers
// of events that were put together.
const queueChunkBytes = 4 << 10

// ptrQueue is the channel's queue: a FIFO of pointers with push-front (a
// rolled-back take returns its events to the head in their order). It
// keeps them delta encoded (appendPtr) in a list of chunks, so a queued
// event costs about 2 bytes instead of the 12 of a ptr, and the queue
// grows and shrinks a chunk at a time instead of doubling and copying: a
// backlog of a million events takes about 2 MB.
type ptrQueue struct {
	chunks []*queueChunk // chunks[head:] hold the queue, in order
	head   int
	n      int
	spare  *queueChunk // a drained chunk kept for the next one needed
}

// queueChunk is a run of encoded pointers, read from the front and
// appended to at the back. Its first pointer is in full form.
type queueChunk struct {
	buf  []byte
	r    int // bytes before r were popped
	prev ptr // the last pointer popped, for decoding the one at r
	last ptr // the last pointer appended
	n    int // pointers from r on
}

// Len returns the number of pointers queued.
func (q *ptrQueue) Len() int { return q.n }

// newChunk returns an empty chunk with room for at least size bytes.
func (q *ptrQueue) newChunk(size int) *queueChunk {
	if c := q.spare; c != nil && cap(c.buf) >= size {
		q.spare = nil
		*c = queueChunk{buf: c.buf[:0]}
		return c
	}
	return &queueChunk{buf: make([]byte, 0, max(size, queueChunkBytes))}
}

// push appends p to c, which must have room for it.
func (c *queueChunk) push(p ptr) {
	c.buf = appendPtr(c.buf, c.last, p)
	c.last = p
	c.n++
}

// pop removes and returns c's first pointer (c.n > 0).
func (c *queueChunk) pop() ptr {
	p, k, _ := readPtr(c.buf[c.r:], c.prev)
	c.r += k
	c.prev = p
	c.n--
	return p
}

// PushBack appends ps.
func (q *ptrQueue) PushBack(ps []ptr) {
	if len(ps) == 0 {
		return
	}
	var c *queueChunk
	if q.head < len(q.chunks) {
		c = q.chunks[len(q.chunks)-1]
	}
	for _, p := range ps {
		if c == nil || cap(c.buf)-len(c.buf) < maxPtrSize {
			c = q.newChunk(queueChunkBytes)
			q.appendChunk(c)
		}
		c.push(p)
	}
	q.n += len(ps)
}

// appendChunk adds c at the back of the chunk list, compacting the list
// when its free head is as large as the rest.
func (q *ptrQueue) appendChunk(c *queueChunk) {
	if q.head > 0 && q.head >= len(q.chunks)-q.head {
		k := copy(q.chunks, q.chunks[q.head:])
		clear(q.chunks[k:])
		q.chunks, q.head = q.chunks[:k], 0
	}
	q.chunks = append(q.chunks, c)
}

// PushFront puts ps back at the head, ps[0] first.
func (q *ptrQueue) PushFront(ps []ptr) {
	if len(ps) == 0 {
		return
	}
	c := q.newChunk(len(ps) * maxPtrSize)
	for _, p := range ps {
		c.push(p)
	}
	if q.head == 0 {
		q.chunks = append(q.chunks, nil)
		copy(q.chunks[1:], q.chunks)
		q.head = 1
	}
	q.head--
	q.chunks[q.head] = c
	q.n += len(ps)
}

// PopFront removes the first k pointers (k ≤ Len) and appends them to dst.
func (q *ptrQueue) PopFront(dst []ptr, k int) []ptr {
	q.n -= k
	dst = slices.Grow(dst, k)
	for k > 0 {
		c := q.chunks[q.head]
		take := min(k, c.n)
		k -= take
		for range take {
			dst = append(dst, c.pop())
		}
		if c.n == 0 {
			q.chunks[q.head] = nil
			q.head++
			if q.spare == nil || cap(c.buf) > cap(q.spare.buf) {
				q.spare = c
			}
		}
	}
	if q.head == len(q.chunks) {
		q.chunks, q.head = q.chunks[:0], 0
	}
	return dst
}

// Each calls fn for every pointer, in order.
func (q *ptrQueue) Each(fn func(ptr)) {
	for _, c := range q.chunks[q.head:] {
		p, b := c.prev, c.buf[c.r:]
		for range c.n {
			var k int
			p, k, _ = readPtr(b, p)
			b = b[k:]
			fn(p)
		}
	}
}

// Snapshot appends every pointer, in order, to dst.
func (q *ptrQueue) Snapshot(dst []ptr) []ptr {
	dst = slices.Grow(dst, q.n)
	q.Each(func(p ptr) { dst = append(dst, p) })
	return dst
}
