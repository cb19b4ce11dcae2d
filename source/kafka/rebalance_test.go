package kafka

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
)

// TestRebalanceLosesAndRepeatsNothing: two sources of one group share a
// topic of 6 partitions while records keep arriving; a third member joins
// and leaves three times, so the partitions move back and forth under
// batches in flight. Every record arrives, and none twice: on each
// revocation a member commits what its channels committed and drops the
// rest of its batch, which the partition's next owner reads from there.
func TestRebalanceLosesAndRepeatsNothing(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"moving"}})
	p := props(c, "moving", map[string]string{"kafka.consumer.group.id": "movers", "batchSize": "200"})
	// Each commit to the channels takes 5 ms, so that rebalances come
	// while batches are in flight.
	a, b := &collector{delay: 5 * time.Millisecond}, &collector{delay: 5 * time.Millisecond}
	newSource(t, "a", p, a)
	newSource(t, "b", p, b)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var produced atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // 20,000 records a second, in batches of 100, until the joins are over
		defer wg.Done()
		err := c.Stream(ctx, "moving", 0, 1<<30, 100, 5*time.Millisecond, func(n int) { produced.Store(int64(n)) })
		if err != nil && ctx.Err() == nil {
			t.Errorf("producer: %v", err)
		}
	}()
	var joiners []*collector
	start := time.Now()
	for range 3 {
		flumetest.WaitFor(t, 30*time.Second, "both members to consume", func() bool { return a.len() > 0 && b.len() > 0 })
		time.Sleep(300 * time.Millisecond)
		j := &collector{delay: 5 * time.Millisecond}
		joiners = append(joiners, j)
		s := newSource(t, "joiner", p, j)
		flumetest.WaitFor(t, 30*time.Second, "the new member to get partitions", func() bool { return j.len() > 0 })
		time.Sleep(300 * time.Millisecond)
		t.Logf("%.1fs: the joiner got partitions", time.Since(start).Seconds())
		stop(t, s)
		t.Logf("%.1fs: the joiner left", time.Since(start).Seconds())
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	wg.Wait()
	// The last batch may be written after its ProduceSync gave up on the
	// cancelled context: the topic tells how many records there are.
	n := len(c.ReadAll(t, "moving"))
	if n < int(produced.Load()) {
		t.Fatalf("the topic holds %d records, %d were acknowledged", n, produced.Load())
	}
	members := append([]*collector{a, b}, joiners...)
	var seen map[int]int
	flumetest.WaitFor(t, time.Minute, "every record", func() bool {
		seen = map[int]int{}
		for _, m := range members {
			count(t, seen, m.snapshot())
		}
		return len(seen) >= n
	})
	t.Logf("%.1fs: all %d records arrived", time.Since(start).Seconds(), n)
	if dups := complete(t, seen, n); dups != 0 {
		for i, m := range members {
			own := map[int]int{}
			count(t, own, m.snapshot())
			d := 0
			for _, c := range own {
				d += c - 1
			}
			t.Logf("member %d: %d events, %d of them its own duplicates", i, m.len(), d)
		}
		t.Fatalf("%d records were delivered twice across the rebalances", dups)
	}
}
