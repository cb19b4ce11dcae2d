package thriftrpc

import (
	"fmt"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/loadevent"
)

// BenchmarkCodec measures encoding (client side) and decoding (server
// side) of an appendBatch of 1000 events of 200 body bytes with 0 and 3
// headers (timestamp, host, seq).
func BenchmarkCodec(b *testing.B) {
	for _, headers := range []int{0, 3} {
		b.Run(fmt.Sprintf("headers=%d", headers), func(b *testing.B) {
			benchCodec(b, loadevent.Batch(1000, loadevent.Body(200), headers, 1))
		})
	}
}

func benchCodec(b *testing.B, evs []flume.Event) {
	for _, p := range []Protocol{Compact, Binary} {
		c := NewCodec(p, 0)
		frame, err := c.EncodeCall(MethodAppendBatch, 1, evs)
		if err != nil {
			b.Fatal(err)
		}
		msg := append([]byte(nil), frame[4:]...)
		b.Run(fmt.Sprintf("%s/encode", p), func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.EncodeCall(MethodAppendBatch, 1, evs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "events/s")
		})
		b.Run(fmt.Sprintf("%s/decode", p), func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.DecodeCall(msg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "events/s")
		})
	}
}
