package thriftrpc

import (
	"fmt"
	"testing"

	"github.com/flumego/flume"
)

// BenchmarkCodec measures encoding (client side) and decoding (server
// side) of an appendBatch of 1000 events of 200 body bytes.
func BenchmarkCodec(b *testing.B) {
	evs := make([]flume.Event, 1000)
	for i := range evs {
		evs[i] = flume.Event{Body: make([]byte, 200)}
	}
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
