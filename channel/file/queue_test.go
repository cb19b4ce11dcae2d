package file

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQueueAgainstSlice runs random pushes, pops and push-fronts on a
// ptrQueue and on a plain slice and compares them after every step.
func TestQueueAgainstSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var q ptrQueue
	var model []ptr
	cur := ptr{file: 1, off: 100}
	// batch returns n pointers, mostly adjacent records as a
	// transaction's puts are, sometimes in a new file or far away.
	batch := func(n int) []ptr {
		b := make([]ptr, n)
		for i := range b {
			switch rng.IntN(20) {
			case 0:
				cur = ptr{file: cur.file + 1 + uint32(rng.IntN(3)), off: uint32(rng.IntN(1 << 20))}
			case 1:
				cur.off = uint32(rng.Uint64N(1 << 32))
			default:
				cur.off += cur.size
			}
			cur.size = 1 + uint32(rng.IntN(300))
			if rng.IntN(50) == 0 {
				cur.size = uint32(rng.Uint64N(1<<32-1)) + 1
			}
			b[i] = cur
		}
		return b
	}
	for step := range 30000 {
		max := 50
		if step%3000 < 100 {
			max = 5000 // bursts that span several chunks
		}
		switch op := rng.IntN(4); {
		case op == 0 || len(model) < 10:
			b := batch(rng.IntN(max))
			q.PushBack(b)
			model = append(model, b...)
		case op == 1:
			k := rng.IntN(len(model) + 1)
			got := q.PopFront([]ptr{{file: 9}}, k)
			if got[0] != (ptr{file: 9}) || !slices.Equal(got[1:], model[:k]) {
				t.Fatalf("step %d: PopFront(%d) = %v, want %v", step, k, got[1:], model[:k])
			}
			back := got[1 : 1+rng.IntN(k+1)]
			q.PushFront(back) // a rollback of some of them
			model = append(slices.Clone(back), model[k:]...)
		default:
			k := rng.IntN(len(model) + 1)
			q.PopFront(nil, k)
			model = model[k:]
		}
		if q.Len() != len(model) {
			t.Fatalf("step %d: Len %d, want %d", step, q.Len(), len(model))
		}
		if step%7 == 0 || len(model) < 100 {
			if got := q.Snapshot(nil); !slices.Equal(got, model) {
				t.Fatalf("step %d: queue holds %d pointers that differ from the %d expected", step, len(got), len(model))
			}
		}
	}
	q.PopFront(nil, q.Len())
	if q.Len() != 0 || len(q.chunks) != 0 || len(q.Snapshot(nil)) != 0 {
		t.Fatalf("drained queue: Len %d, %d chunks", q.Len(), len(q.chunks))
	}
}

// TestQueueIsCompact checks the point of ptrQueue: a backlog of adjacent
// records costs about 2 bytes per event.
func TestQueueIsCompact(t *testing.T) {
	var q ptrQueue
	p := ptr{file: 7, off: 4096, size: 260}
	batch := make([]ptr, 1000)
	for range 1000 {
		for i := range batch {
			batch[i] = p
			p.off += p.size
		}
		q.PushBack(batch)
	}
	bytes := 0
	for _, c := range q.chunks[q.head:] {
		bytes += cap(c.buf)
	}
	if perEvent := float64(bytes) / float64(q.Len()); perEvent > 2.5 {
		t.Fatalf("a million adjacent pointers take %d bytes, %.1f per event; want about 2", bytes, perEvent)
	}
	if got := q.PopFront(nil, 2); got[0] != (ptr{file: 7, off: 4096, size: 260}) || got[1].off != 4096+260 {
		t.Fatalf("first pointers %v", got)
	}
}

// TestCheckpointEncodingRoundTrip checks that checkpoint chunks, which share
// the queue's pointer encoding, decode to what was encoded.
func TestCheckpointEncodingRoundTrip(t *testing.T) {
	var enc ptrEncoder
	var want []ptr
	p := ptr{file: 2, off: 10, size: 50}
	for i := range 50000 {
		if i%1000 == 999 {
			p.file++
			p.off = 0
		}
		enc.add(p)
		want = append(want, p)
		p.off += p.size
	}
	var got []ptr
	for _, ch := range enc.finish() {
		var err error
		if got, err = decodeChunk(got, ch, uint64(len(want))); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("decoded %d pointers that differ from the %d encoded", len(got), len(want))
	}
}
