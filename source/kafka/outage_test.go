package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
)

// outage is how long the brokers are down in the outage tests: longer
// than the consumer's session timeout (3 s in fastGroup), its request
// timeouts and every retry backoff, so the group loses the member and the
// client must reconnect, rejoin and refetch its offsets: everything a 20 s
// outage with production settings exercises, in a third of the time.
const outage = 6 * time.Second

// TestBrokerOutage: the brokers go down for a while in the middle of a
// stream; the source waits, reconnects and resumes, and every record
// arrives (records whose offsets could not be committed during the outage
// may come twice, never more than a batch per partition).
func TestBrokerOutage(t *testing.T) {
	const n, batch = 20000, 500
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"outage"}, Restartable: true})
	c.Produce(t, "outage", kafkatest.Numbered(0, n/2)...)
	out := &collector{}
	s := newSource(t, "r1", props(c, "outage", map[string]string{"kafka.consumer.group.id": "g", "batchSize": "500",
		"kafka.consumer.request.timeout.ms": "2000"}), out)
	flumetest.WaitFor(t, 30*time.Second, "the first half", func() bool { return out.len() >= n/2 })

	restart := c.Outage(t)
	time.Sleep(outage)
	restart()
	c.Produce(t, "outage", kafkatest.Numbered(n/2, n)...)
	start := time.Now()
	seen := map[int]int{}
	flumetest.WaitFor(t, time.Minute, "every record after the outage", func() bool {
		seen = map[int]int{}
		count(t, seen, out.snapshot())
		return len(seen) >= n
	})
	dups := complete(t, seen, n)
	t.Logf("resumed %.1fs after the brokers came back; %d duplicates; %d fetch failures", time.Since(start).Seconds(), dups, s.counter.EventReadFail.Load())
	if dups > 6*batch {
		t.Fatalf("%d duplicates: more than a batch per partition", dups)
	}
}

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
