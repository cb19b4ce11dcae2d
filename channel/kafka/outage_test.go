package kafka

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
)

// outage is how long the brokers are down in TestBrokerOutage: longer
// than the consumer's session timeout (3 s in fastGroup), its request
// timeouts and every retry backoff, so that puts wait through retries and
// the group loses its member, which must reconnect, rejoin and refetch its
// offsets: what a 20 s outage with production settings exercises, in a
// third of the time.
const outage = 6 * time.Second

// TestBrokerOutage: the brokers go down in the middle of a stream that one
// channel puts and another takes. Put commits wait (the producer retries
// within delivery.timeout.ms) or fail and are offered again; takes find
// nothing, then go on once the consumer rejoined: every event arrives
// (some twice: events whose offsets the outage kept from being committed).
func TestBrokerOutage(t *testing.T) {
	const n = 20000
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"outage"}, Restartable: true})
	p := props(c, "outage", map[string]string{"kafka.consumer.group.id": "g", "kafka.consumer.request.timeout.ms": "2000"})
	writer, reader := newChannel(t, "writer", p), newChannel(t, "reader", p)
	tk := &taker{seen: map[int]int{}, by: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); tk.run(ctx, t, "reader", reader) }()
	var put, refused int
	var mu sync.Mutex
	go func() { // a source: a refused batch is offered again
		defer wg.Done()
		for i := 0; i < n && ctx.Err() == nil; {
			err := flume.Do(ctx, writer, func(tx flume.Transaction) error { return tx.Put(ctx, numbered(i, i+100)...) })
			mu.Lock()
			if err != nil {
				refused++
			} else {
				i += 100
				put = i
			}
			mu.Unlock()
			time.Sleep(3 * time.Millisecond)
		}
	}()
	written := func() int { mu.Lock(); defer mu.Unlock(); return put }
	flumetest.WaitFor(t, 30*time.Second, "a third of the events", func() bool { return written() > n/3 })
	restart := c.Outage(t)
	time.Sleep(outage)
	restart()
	start := time.Now()
	flumetest.WaitFor(t, time.Minute, "every event", func() bool {
		tk.mu.Lock()
		defer tk.mu.Unlock()
		return len(tk.seen) >= n
	})
	cancel()
	wg.Wait()
	dups := 0
	for i := range n {
		if tk.seen[i] == 0 {
			t.Fatalf("event %d never arrived", i)
		}
		dups += tk.seen[i] - 1
	}
	t.Logf("all %d events %.1fs after the brokers came back; %d taken twice; %d put commits refused", n, time.Since(start).Seconds(), dups, refused)
	if dups > 2000 {
		t.Fatalf("%d duplicates", dups)
	}
}

// TestStopWhileBrokersDown: Stop returns promptly with every broker down,
// the consumer included.
func TestStopWhileBrokersDown(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Brokers: 1, Topics: []string{"down"}, Partitions: 1, Restartable: true})
	ch := newChannel(t, "c1", props(c, "down"))
	put(t, ch, numbered(0, 10)...)
	takeN(t, ch, 10, 30*time.Second)
	restart := c.Outage(t)
	defer restart()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := ch.Stop(ctx); err != nil {
		t.Fatalf("Stop with the brokers down: %v after %s", err, time.Since(start))
	}
	t.Logf("Stop took %s", time.Since(start))
}
