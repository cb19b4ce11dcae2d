package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
)

// A broker outage in the middle of a stream, 20 s long, is in
// channel/kafka's TestBrokerOutage, which runs this source and the Kafka
// channel through one together.

// TestStopWhileBrokersDown: Stop returns promptly with every broker down,
// within the lifecycle contract's bound.
func TestStopWhileBrokersDown(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"down"}, Restartable: true})
	c.Produce(t, "down", kafkatest.Numbered(0, 100)...)
	out := &collector{}
	s := newSource(t, "r1", props(c, "down", map[string]string{"kafka.consumer.group.id": "g"}), out)
	flumetest.WaitFor(t, 30*time.Second, "the records", func() bool { return out.len() >= 100 })
	restart := c.Outage(t)
	defer restart()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err := s.Stop(ctx)
	t.Logf("Stop took %s: %v", time.Since(start), err)
	if err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
	if err != nil { // ctx ended first: the goroutines must still end promptly
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Fatalf("Stop with the brokers down took more than 10 s")
	}
}
