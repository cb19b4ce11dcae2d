package avro

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/loadevent"
)

// BenchmarkSinkToSource: memory channel → avro sink → avro source →
// memory channel → a draining goroutine, 200-byte events; a feeding
// goroutine keeps the first channel full. One op is one event. The
// headers=3 variants carry timestamp, host and seq.
func BenchmarkSinkToSource(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		for _, compression := range []string{"none", "deflate"} {
			for _, headers := range []int{0, 3} {
				if headers > 0 && compression != "none" {
					continue
				}
				b.Run(fmt.Sprintf("batch=%d/compression=%s/headers=%d", batch, compression, headers), func(b *testing.B) {
					mk := func() *memory.Channel {
						ch, _ := memory.New(flume.Settings{Name: "c"}, memory.Config{Capacity: 20000, TransactionCapacity: 1000, KeepAlive: time.Second})
						ch.Start(context.Background())
						b.Cleanup(func() { ch.Stop(context.Background()) })
						return ch
					}
					up, down := mk(), mk()
					src := startSource(b, down, map[string]string{"compression-type": compression})
					k := newSink(b, up, map[string]string{"hostname": "127.0.0.1", "port": fmt.Sprint(src.Addr().(*net.TCPAddr).Port),
						"batch-size": fmt.Sprint(batch), "compression-type": compression})
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					chunk := loadevent.Batch(batch, loadevent.Body(200), headers, 1)
					go func() { // feeder
						for sent := 0; sent < b.N && ctx.Err() == nil; {
							n := min(batch, b.N-sent)
							if flume.Do(ctx, up, func(tx flume.Transaction) error { return tx.Put(ctx, chunk[:n]...) }) == nil {
								sent += n
							}
						}
					}()
					go func() { // the next hop's sink
						for ctx.Err() == nil {
							_ = flume.Do(ctx, down, func(tx flume.Transaction) error { _, err := tx.Take(ctx, 1000); return err })
						}
					}()
					b.SetBytes(200)
					b.ReportAllocs() // of the whole process: feeder, sink, source and drain
					b.ResetTimer()
					start := time.Now()
					for delivered := int64(0); delivered < int64(b.N); delivered = k.counter.EventDrainSuccessCount.Load() {
						if _, err := k.Process(ctx); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
				})
			}
		}
	}
}
