package avro

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/bench/loadgen"
	"github.com/flumego/flume/internal/flumetest"
)

// BenchmarkSourceToMemory: the load generator → avro source → memory
// channel → a goroutine draining it (the null sink's work), 200-byte
// events with 0, 1 or 3 headers (timestamp, host, seq). One benchmark op is
// one event.
func BenchmarkSourceToMemory(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		for _, conns := range []int{1, 2} {
			for _, headers := range []int{0, 1, 3} {
				b.Run(fmt.Sprintf("batch=%d/conns=%d/headers=%d", batch, conns, headers), func(b *testing.B) {
					ch, err := memory.New(flume.Settings{Name: "c1"}, memory.Config{Capacity: 20000, TransactionCapacity: 1000, KeepAlive: 3 * time.Second})
					if err != nil {
						b.Fatal(err)
					}
					ch.Start(context.Background())
					defer ch.Stop(context.Background())
					proc := flumetest.Processor(ch)
					src, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"}), proc)
					if err != nil {
						b.Fatal(err)
					}
					s := src.(*Source)
					if err := s.Start(context.Background()); err != nil {
						b.Fatal(err)
					}
					defer s.Stop(context.Background())
					ctx, cancel := context.WithCancel(context.Background())
					drained := make(chan struct{})
					go func() {
						defer close(drained)
						for ctx.Err() == nil {
							_ = flume.Do(ctx, ch, func(tx flume.Transaction) error {
								_, err := tx.Take(ctx, 1000)
								return err
							})
						}
					}()
					var ru0, ru1 syscall.Rusage
					_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
					b.ReportAllocs() // of the whole process: generator, source, channel and drain
					b.ResetTimer()
					r, err := loadgen.Avro(context.Background(), loadgen.Params{Addr: s.Addr().String(), Connections: conns, Batch: batch, EventSize: 200, Headers: headers, Events: b.N})
					b.StopTimer()
					_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
					cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
					cancel()
					<-drained
					if err != nil {
						b.Fatal(err)
					}
					b.SetBytes(200)
					b.ReportMetric(float64(r.Events)/r.Elapsed.Seconds(), "events/s")
					b.ReportMetric(float64(r.Retries), "retries")
					// CPU time of the whole process (generator, source, channel,
					// drain) per event: robust on a shared machine.
					b.ReportMetric(float64(cpu.Nanoseconds())/float64(r.Events), "cpu-ns/event")
				})
			}
		}
	}
}
