package thrift

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/bench/loadgen"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/loadevent"
	"github.com/flumego/flume/rpc/thriftrpc"
)

// BenchmarkSource measures the thrift source end to end on loopback: one
// client connection sends pre-encoded appendBatch calls of 1000 events of
// 200 body bytes, with 0 or 3 headers (timestamp, host, seq) → thrift
// source → memory channel → a goroutine draining it. One op is one batch;
// allocs/op counts the whole process (decoding, channel, drain).
//
//	go test -run XXX -bench BenchmarkSource -count 5 ./source/thrift/
func BenchmarkSource(b *testing.B) {
	for _, proto := range []thriftrpc.Protocol{thriftrpc.Compact, thriftrpc.Binary} {
		for _, batch := range []int{100, 1000} {
			for _, headers := range []int{0, 3} {
				b.Run(fmt.Sprintf("%s/batch=%d/event=200/headers=%d", proto, batch, headers), func(b *testing.B) {
					benchSource(b, proto, batch, 200, headers)
				})
			}
		}
	}
}

func benchSource(b *testing.B, proto thriftrpc.Protocol, batch, size, headers int) {
	ch := flumetest.MemoryChannel(b, 20*batch, batch, 100*time.Millisecond)
	s := startSource(b, map[string]string{"protocol": proto.String()}, flumetest.Processor(ch))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
				_, err := tx.Take(context.Background(), batch)
				return err
			})
		}
	}()
	defer func() { close(stop); <-done }()

	cfg := thriftrpc.ClientConfig{}
	cfg.Protocol = proto
	c, err := thriftrpc.Dial(context.Background(), s.Addr().String(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	evs := loadevent.Batch(batch, make([]byte, size), headers, 1)
	ctx := context.Background()
	b.SetBytes(int64(batch * size))
	b.ReportAllocs()
	var ru0, ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	b.ResetTimer()
	for b.Loop() {
		st, err := c.AppendBatch(ctx, evs)
		if err != nil {
			b.Fatal(err)
		}
		if st != thriftrpc.OK {
			b.Fatalf("status %v", st)
		}
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
	// CPU time of the whole process (client, source, channel, drain) per
	// event: robust on a shared machine.
	cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
	b.ReportMetric(float64(cpu)/float64(b.N*batch), "cpu-ns/event")
}

// BenchmarkRunLoad runs the load generator of `flume-ng bench thrift`
// (pre-encoded batches, so the client costs little) against the source:
// 1 and 8 connections, batches of 1000 events of 200 bytes, 200 000 events
// per op.
func BenchmarkRunLoad(b *testing.B) {
	for _, tc := range []struct {
		proto string
		conns int
	}{{"compact", 1}, {"compact", 8}, {"binary", 1}} {
		b.Run(fmt.Sprintf("%s/conns=%d", tc.proto, tc.conns), func(b *testing.B) {
			ch := flumetest.MemoryChannel(b, 20000, 1000, 100*time.Millisecond)
			s := startSource(b, map[string]string{"protocol": tc.proto}, flumetest.Processor(ch))
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					select {
					case <-stop:
						return
					default:
					}
					_ = flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
						_, err := tx.Take(context.Background(), 1000)
						return err
					})
				}
			}()
			defer func() { close(stop); <-done }()
			var last loadgen.Result
			lp := loadgen.Params{Addr: s.Addr().String(), Connections: tc.conns, Batch: 1000, EventSize: 200, Events: 200_000}
			for b.Loop() {
				r, err := loadgen.Thrift(context.Background(), lp, tc.proto)
				if err != nil {
					b.Fatal(err)
				}
				last = r
			}
			b.ReportMetric(last.EventsPerSec(), "events/s")
			b.ReportMetric(last.MBPerSec(), "MB/s")
			b.ReportMetric(float64(last.P99.Microseconds()), "p99-µs")
			b.ReportMetric(float64(last.Retries), "FAILED/op")
		})
	}
}
