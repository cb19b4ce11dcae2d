package memory

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBatchQueueAgainstSlice drives a batchQueue and a plain slice with the
// same random operations (pushes of batches of any size, takes within and
// across batches, rollbacks of several takes, bursts that grow the queue
// and drain it again) and compares them after each.
func TestBatchQueueAgainstSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q batchQueue[int]
	var model []int
	next := 0
	snapshot := func() []int {
		var all []int
		for _, b := range q.batches[q.off:] {
			if len(b) == 0 {
				t.Fatal("an empty batch is queued")
			}
			all = append(all, b...)
		}
		return all
	}
	for step := range 20000 {
		max := 50
		if step%2000 < 100 {
			max = 2000 // bursts of many batches
		}
		switch op := rng.IntN(3); {
		case op == 0 || len(model) < 10:
			b := make([]int, rng.IntN(max), max)
			for i := range b {
				b[i] = next
				next++
			}
			q.PushBack(b)
			model = append(model, b...)
		case op == 1:
			// One transaction: several takes, then a rollback of all of
			// them or a commit.
			var takes [][]int
			taken := 0
			for range rng.IntN(3) + 1 {
				if taken == len(model) {
					break
				}
				k := 1 + rng.IntN(len(model)-taken)
				got := q.PopFront(k)
				if want := model[taken : taken+k]; !slices.Equal(got, want) || cap(got) != k {
					t.Fatalf("step %d: PopFront(%d) = %v (cap %d), want %v", step, k, got, cap(got), want)
				}
				takes = append(takes, got)
				taken += k
			}
			if rng.IntN(2) == 0 {
				q.PushFront(takes)
			} else {
				model = model[taken:]
			}
		default:
			if len(model) > 0 {
				k := 1 + rng.IntN(len(model))
				q.PopFront(k)
				model = model[k:]
			}
		}
		if q.Len() != len(model) || !slices.Equal(snapshot(), model) {
			t.Fatalf("step %d: queue holds %v (Len %d), want %v", step, snapshot(), q.Len(), model)
		}
		if len(model) == 0 && (q.off != 0 || len(q.batches) != 0) {
			t.Fatalf("step %d: an empty queue keeps %d slots from offset %d", step, len(q.batches), q.off)
		}
	}
}

// TestBatchQueueHandsOutWholeBatches checks the point of the queue: a take
// of the whole head batch returns the committed slice itself, not a copy,
// and a take never exposes the rest of the queue through its capacity.
func TestBatchQueueHandsOutWholeBatches(t *testing.T) {
	var q batchQueue[int]
	a, b := []int{1, 2, 3}, []int{4, 5, 6, 7}
	q.PushBack(a)
	q.PushBack(b)
	got := q.PopFront(3)
	if &got[0] != &a[0] {
		t.Fatal("a take of the whole head batch copied it")
	}
	part := q.PopFront(2)
	if &part[0] != &b[0] || cap(part) != 2 {
		t.Fatalf("a take of part of the head batch: cap %d, shares memory %v", cap(part), &part[0] == &b[0])
	}
	_ = append(part, 99) // must not overwrite the queued 6
	if rest := q.PopFront(2); !slices.Equal(rest, []int{6, 7}) {
		t.Fatalf("rest = %v, want [6 7]", rest)
	}
	q.PushBack([]int{8})
	q.PushBack([]int{9, 10})
	if across := q.PopFront(3); !slices.Equal(across, []int{8, 9, 10}) || cap(across) != 3 || q.Len() != 0 {
		t.Fatalf("a take across batches = %v (cap %d), %d left", across, cap(across), q.Len())
	}
}

// TestBatchQueueDoesNotGrowForEver: a queue that is pushed and popped for
// ever at a steady depth keeps a bounded slice of batches.
func TestBatchQueueDoesNotGrowForEver(t *testing.T) {
	var q batchQueue[int]
	for i := range 10 {
		q.PushBack([]int{i})
	}
	for i := range 100000 {
		q.PushBack([]int{i})
		q.PopFront(1)
	}
	if q.Len() != 10 || cap(q.batches) > 64 {
		t.Fatalf("Len %d, %d batch slots", q.Len(), cap(q.batches))
	}
}
