package kafka

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkatest"
)

// BenchmarkPutTake: one goroutine puts batches of 200-byte events while
// another takes them, through a topic of 6 partitions on 3 in-process
// brokers, as exec → Kafka channel → null does.
func BenchmarkPutTake(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		b.Run("batch"+strconv.Itoa(batch), func(b *testing.B) {
			c := kafkatest.Start(b, kafkatest.Options{Topics: []string{"bench"}})
			ch := newChannel(b, "c1", props(c, "bench", map[string]string{"kafka.consumer.group.id": "bench"}))
			evs := make([]flume.Event, batch)
			for i := range evs {
				evs[i] = flume.NewEvent([]byte(strings.Repeat("x", 199)))
			}
			n := b.N * batch
			b.ResetTimer()
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range b.N {
					if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error { return tx.Put(context.Background(), evs...) }); err != nil {
						b.Error(err)
						return
					}
				}
			}()
			got := 0
			for got < n {
				if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
					e, err := tx.Take(context.Background(), batch)
					got += len(e)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
			wg.Wait()
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
