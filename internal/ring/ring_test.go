package ring

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAgainstSlice drives a ring and a plain slice with the same random
// operations (sizes that wrap, grow past 1<<16 and shrink again) and
// compares them after each.
func TestAgainstSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var r Ring[int]
	var model []int
	next := 0
	batch := func(max int) []int {
		b := make([]int, rng.IntN(max))
		for i := range b {
			b[i] = next
			next++
		}
		return b
	}
	for step := range 20000 {
		max := 50
		if step%2000 < 100 {
			max = 5000 // bursts that grow the ring past the shrink threshold
		}
		switch op := rng.IntN(3); {
		case op == 0 || len(model) < 10:
			b := batch(max)
			r.PushBack(b)
			model = append(model, b...)
		case op == 1:
			k := rng.IntN(len(model) + 1)
			got := r.PopFront([]int{-1}, k)
			if got[0] != -1 || !slices.Equal(got[1:], model[:k]) {
				t.Fatalf("step %d: PopFront(%d) = %v, want %v", step, k, got[1:], model[:k])
			}
			// Roll some of them back, as a rolled-back take does.
			back := got[1 : 1+rng.IntN(k+1)]
			r.PushFront(back)
			model = append(slices.Clone(back), model[k:]...)
		default:
			k := rng.IntN(len(model) + 1)
			r.PopFront(nil, k)
			model = model[k:]
		}
		if r.Len() != len(model) || !slices.Equal(r.Snapshot(nil), model) {
			t.Fatalf("step %d: ring %v, want %v", step, r.Snapshot(nil), model)
		}
	}
	var each []int
	r.Each(func(v int) { each = append(each, v) })
	if !slices.Equal(each, model) {
		t.Fatal("Each disagrees with Snapshot")
	}
}

func TestAdoptAndShrink(t *testing.T) {
	items := make([]int, 100000, 120000)
	for i := range items {
		items[i] = i
	}
	r := Adopt(items)
	if r.Len() != 100000 || len(r.buf) != 120000 {
		t.Fatalf("adopted ring: len %d, buffer %d", r.Len(), len(r.buf))
	}
	r.PushBack([]int{100000})
	got := r.PopFront(nil, 99990)
	if got[99989] != 99989 || r.Len() != 11 {
		t.Fatalf("pop: last %d, left %d", got[99989], r.Len())
	}
	if len(r.buf) > 64 {
		t.Fatalf("a drained ring kept a buffer of %d", len(r.buf))
	}
	if s := r.Snapshot(nil); s[0] != 99990 || s[10] != 100000 {
		t.Fatalf("after the shrink: %v", s)
	}
}

// TestPopClears: popped slots keep no references (the memory channel's
// events must be collectable once taken).
func TestPopClears(t *testing.T) {
	var r Ring[*int]
	v := new(int)
	r.PushBack([]*int{v, v, v})
	r.PopFront(nil, 3)
	for i, p := range r.buf {
		if p != nil {
			t.Fatalf("slot %d still references a popped item", i)
		}
	}
}
