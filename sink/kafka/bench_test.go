package kafka

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/loadevent"
	"github.com/flumego/flume/sink"
	"github.com/twmb/franz-go/pkg/kfake"
)

// benchBody is a typical log line of 100 bytes.
var benchBody = []byte(strings.Repeat("x", 99) + "\n")

// benchChannel returns a memory channel holding n events of 100 bytes.
func benchChannel(b *testing.B, n, batch int) *memory.Channel {
	return benchChannelHeaders(b, n, batch, 0)
}

// benchChannelHeaders returns a memory channel holding n events of 100
// bytes with the first headers headers of the benchmark loads (timestamp,
// host, seq).
func benchChannelHeaders(b *testing.B, n, batch, headers int) *memory.Channel {
	b.Helper()
	ch, err := memory.New(flume.Settings{Name: "c1"}, memory.Config{Capacity: max(n, batch), TransactionCapacity: batch, KeepAlive: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	if err := ch.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ch.Stop(context.Background()) })
	evs := loadevent.Batch(batch, benchBody, headers, 1)
	for left := n; left > 0; left -= batch {
		if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			return tx.Put(context.Background(), evs[:min(batch, left)]...)
		}); err != nil {
			b.Fatal(err)
		}
	}
	return ch
}

func reportRate(b *testing.B, n int) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkKafkaSink: memory channel → Kafka sink → kfake (3 brokers, 6
// partitions, in the same process; produce requests are acknowledged but
// their records not stored, so the broker's storage stays out of the
// figure). b.N events of 100 bytes; MB/s counts event bodies. The
// headers=3 variants carry timestamp, host and seq, written as Kafka record
// headers (kafkaRecordHeaders = all) and in the AvroFlumeEvent value
// (useFlumeEventFormat).
func BenchmarkKafkaSink(b *testing.B) {
	c := newCluster(b, kfake.NumBrokers(3), kfake.SeedTopics(6, "bench"), kfake.BlackholeProduce())
	for _, batch := range []int{100, 1000} {
		for _, acks := range []string{"1", "all"} {
			for _, headers := range []int{0, 3} {
				if headers > 0 && acks != "1" {
					continue
				}
				b.Run(fmt.Sprintf("batch=%d/acks=%s/headers=%d", batch, acks, headers), func(b *testing.B) {
					ch := benchChannelHeaders(b, b.N, batch, headers)
					props := map[string]string{
						"kafka.bootstrap.servers": strings.Join(c.ListenAddrs(), ","),
						"kafka.topic":             "bench",
						"flumeBatchSize":          fmt.Sprint(batch),
						"kafka.producer.acks":     acks,
					}
					if headers > 0 {
						props["kafkaRecordHeaders"] = "all"
						props["useFlumeEventFormat"] = "true"
					}
					s := newSinkFrom(b, props, ch)
					b.SetBytes(int64(len(benchBody)))
					b.ReportAllocs()
					b.ResetTimer()
					drainAll(b, s, b.N)
					b.StopTimer()
					reportRate(b, b.N)
				})
			}
		}
	}
}

// BenchmarkNullBaseline: the same memory channel drained by sink.Step with
// a deliver function that does nothing, the memory → null baseline.
func BenchmarkNullBaseline(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ch := benchChannel(b, b.N, batch)
			var counter flume.SinkCounter
			deliver := func(context.Context, []flume.Event) error { return nil }
			b.SetBytes(int64(len(benchBody)))
			b.ReportAllocs()
			b.ResetTimer()
			for counter.EventDrainSuccessCount.Load() < int64(b.N) {
				if _, err := sink.Step(context.Background(), ch, sink.Options{BatchSize: batch}, &counter, deliver); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportRate(b, b.N)
		})
	}
}
