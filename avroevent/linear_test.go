package avroevent

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/flumego/flume/internal/avrobin"
	"github.com/flumego/flume/internal/flumetest"
)

// oneItemBlocks encodes n events as an array<AvroFlumeEvent> split into n
// blocks of one item each, as a hostile (or merely unusual) sender may.
// Every event has one header and a short body.
func oneItemBlocks(n int) []byte {
	var b []byte
	for i := range n {
		b = avrobin.AppendLong(b, 1)
		b = AppendEvent(b, flumetest.Event("x", "seq", fmt.Sprint(i)))
	}
	return append(b, 0)
}

// allocatedBytes reports the bytes DecodeEvents allocates for params.
func allocatedBytes(t testing.TB, params []byte, want int) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	evs, _, err := DecodeEvents(params, nil, 0)
	runtime.ReadMemStats(&after)
	if err != nil || len(evs) != want {
		t.Fatalf("DecodeEvents: %d events, %v; want %d", len(evs), err, want)
	}
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeEventsLinearInBlocks guards against super-linear decoding: an
// array of N one-item blocks must cost memory (and so time) proportional to
// N. Growing the event slice by exactly one block at a time copies it once
// per block, O(N²): tenfold the events then allocates about a hundredfold
// the bytes. Allocated bytes are counted, not time, so the test does not
// depend on the machine's load.
func TestDecodeEventsLinearInBlocks(t *testing.T) {
	const small = 2000
	a := allocatedBytes(t, oneItemBlocks(small), small)
	b := allocatedBytes(t, oneItemBlocks(10*small), 10*small)
	ratio := float64(b) / float64(a)
	t.Logf("allocated %d B for %d one-item blocks, %d B for %d (ratio %.1f)", a, small, b, 10*small, ratio)
	if ratio > 20 {
		t.Fatalf("decoding 10× the one-item blocks allocated %.1f× the memory; want about 10× (linear)", ratio)
	}
}

// BenchmarkDecodeOneItemBlocks decodes appendBatch parameters split into
// one-item blocks, at 10,000 and 100,000 events: ns/event should stay flat
// between the two sizes (linear decoding).
func BenchmarkDecodeOneItemBlocks(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			params := oneItemBlocks(n)
			b.SetBytes(int64(len(params)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := DecodeEvents(params, nil, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
	}
}
