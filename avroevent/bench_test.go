package avroevent

import (
	"fmt"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/loadevent"
)

// benchEvents returns n events of size body bytes with the first headers
// headers of the benchmark loads (timestamp, host, seq).
func benchEvents(n, size, headers int) []flume.Event {
	return loadevent.Batch(n, loadevent.Body(size), headers, 1)
}

// BenchmarkDecodeEvents decodes appendBatch parameters of 200-byte events
// with 0, 1 and 3 headers. allocs/op divided by the batch size is the
// allocations per event.
func BenchmarkDecodeEvents(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		for _, headers := range []int{0, 1, 3} {
			b.Run(fmt.Sprintf("batch=%d/headers=%d", batch, headers), func(b *testing.B) {
				enc := AppendEvents(nil, benchEvents(batch, 200, headers))
				dst := make([]flume.Event, 0, batch)
				b.SetBytes(int64(len(enc)))
				b.ReportAllocs()
				for b.Loop() {
					var err error
					if dst, _, err = DecodeEvents(enc, dst[:0], 0); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// BenchmarkEncodeEvents encodes appendBatch parameters of 200-byte events
// with 0, 1 and 3 headers.
func BenchmarkEncodeEvents(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		for _, headers := range []int{0, 1, 3} {
			b.Run(fmt.Sprintf("batch=%d/headers=%d", batch, headers), func(b *testing.B) {
				evs := benchEvents(batch, 200, headers)
				buf := AppendEvents(nil, evs)
				b.SetBytes(int64(len(buf)))
				b.ReportAllocs()
				for b.Loop() {
					buf = AppendEvents(buf[:0], evs)
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}
