package avroevent

import (
	"fmt"
	"testing"

	"github.com/flumego/flume"
)

func benchEvents(n, size int, headers bool) []flume.Event {
	body := make([]byte, size)
	evs := make([]flume.Event, n)
	for i := range evs {
		evs[i] = flume.Event{Body: body}
		if headers {
			evs[i].Headers = map[string]string{"timestamp": "1700000000000", "host": "web-1"}
		}
	}
	return evs
}

// BenchmarkDecodeEvents decodes appendBatch parameters of 200-byte events.
func BenchmarkDecodeEvents(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		for _, headers := range []bool{false, true} {
			b.Run(fmt.Sprintf("batch=%d/headers=%v", batch, headers), func(b *testing.B) {
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

// BenchmarkEncodeEvents encodes appendBatch parameters of 200-byte events.
func BenchmarkEncodeEvents(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			evs := benchEvents(batch, 200, false)
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
