package kafka

import (
	"context"
	"maps"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkatest"
)

// fastGroup are consumer settings that make a group rebalance in a few
// seconds instead of Kafka's 10 s session timeout.
var fastGroup = map[string]string{
	"kafka.consumer.session.timeout.ms":    "3000",
	"kafka.consumer.heartbeat.interval.ms": "300",
	"kafka.consumer.max.poll.interval.ms":  "10000",
}

var topics atomic.Int64

// uniqueTopic returns a topic name no other test of the process uses.
func uniqueTopic(prefix string) string { return prefix + "-" + strconv.FormatInt(topics.Add(1), 10) }

// props returns the channel's properties for cluster c and topic, with
// fastGroup and extra on top.
func props(c *kafkatest.Cluster, topic string, extra ...map[string]string) map[string]string {
	p := map[string]string{"kafka.bootstrap.servers": c.Bootstrap(), "kafka.topic": topic}
	maps.Copy(p, fastGroup)
	for _, e := range extra {
		maps.Copy(p, e)
	}
	return p
}

// newChannel builds and starts a channel from props; it is stopped when
// the test ends.
func newChannel(t testing.TB, name string, p map[string]string) *Channel {
	t.Helper()
	cfg := flume.ContextFromMap(p)
	ch, err := Factory(flume.Settings{Name: name}, cfg)
	if err != nil {
		t.Fatalf("factory: %v", err)
	}
	c := ch.(*Channel)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopChannel(t, c) })
	return c
}

func stopChannel(t testing.TB, c *Channel) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// put commits events in one transaction.
func put(t testing.TB, ch flume.Channel, events ...flume.Event) {
	t.Helper()
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), events...)
	}); err != nil {
		t.Fatalf("put %d events: %v", len(events), err)
	}
}

// takeN takes and commits events until n arrived or timeout passed.
func takeN(t testing.TB, ch flume.Channel, n int, timeout time.Duration) []flume.Event {
	t.Helper()
	var out []flume.Event
	deadline := time.Now().Add(timeout)
	for len(out) < n && time.Now().Before(deadline) {
		if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			got, err := tx.Take(context.Background(), n-len(out))
			out = append(out, got...)
			return err
		}); err != nil {
			t.Fatalf("take: %v", err)
		}
	}
	if len(out) < n {
		t.Fatalf("took %d of %d events in %s", len(out), n, timeout)
	}
	return out
}

// numbered returns events whose bodies are the numbers from to to-1.
func numbered(from, to int) []flume.Event {
	out := make([]flume.Event, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, flume.NewEvent([]byte(strconv.Itoa(i))))
	}
	return out
}
