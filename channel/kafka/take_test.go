package kafka

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// A take fills its batch while records keep arriving, as Java Flume's sinks
// fill theirs by polling, and returns what it has as soon as they stop
// coming, without waiting out kafka.pollTimeout.
func TestTakeFillsBatchWhileRecordsFlow(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Brokers: 1, Topics: []string{"flow"}, Partitions: 1})
	ch := newChannel(t, "c1", props(c, "flow", map[string]string{"kafka.pollTimeout": "5000"}))
	put(t, ch, numbered(0, 1)...)
	takeN(t, ch, 1, 30*time.Second) // the consumer has joined

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // a flood of records, as fast as the broker takes them
		defer wg.Done()
		var enc encoder
		cl := c.Client(t, kgo.DefaultProduceTopic("flow"), kgo.ProducerLinger(0))
		for i := 1; ctx.Err() == nil; i++ {
			cl.Produce(ctx, &kgo.Record{Value: enc.append(nil, flume.NewEvent([]byte(strconv.Itoa(i))))}, nil)
		}
		_ = cl.Flush(context.Background())
	}()
	var got []flume.Event
	err := flume.Do(context.Background(), ch, func(tx flume.Transaction) (err error) {
		got, err = tx.Take(context.Background(), 300)
		return err
	})
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 300 {
		t.Fatalf("a take of 300 while records flow returned %d", len(got))
	}
	put(t, ch, numbered(-25, 0)...)
	time.Sleep(200 * time.Millisecond) // the puts reach the consumer's queue
	start := time.Now()
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) (err error) {
		got, err = tx.Take(context.Background(), 1000000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) < 25 || time.Since(start) > time.Second {
		t.Fatalf("the take of what was left returned %d events after %s (the poll timeout is 5 s)", len(got), time.Since(start))
	}
}
