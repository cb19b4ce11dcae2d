package kafka

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
)

// taker takes from a channel in a loop, as a sink runner does: batches of
// up to 100, a 2 ms delivery, one transaction in five rolled back.
type taker struct {
	mu   sync.Mutex
	seen map[int]int
	n    int
	by   map[string]int // events committed by channel name
}

func (tk *taker) run(ctx context.Context, t *testing.T, name string, ch flume.Channel) {
	for round := 0; ctx.Err() == nil; round++ {
		tx, err := ch.Begin()
		if err != nil {
			t.Errorf("begin: %v", err)
			return
		}
		evs, err := tx.Take(ctx, 100)
		if err != nil || len(evs) == 0 || round%5 == 2 {
			_ = tx.Rollback()
			continue
		}
		time.Sleep(2 * time.Millisecond)
		if err := tx.Commit(ctx); err != nil {
			t.Errorf("commit: %v", err)
			return
		}
		tk.mu.Lock()
		for _, e := range evs {
			n, _ := strconv.Atoi(string(e.Body))
			tk.seen[n]++
			tk.n++
		}
		tk.by[name] += len(evs)
		tk.mu.Unlock()
	}
}

// TestRebalanceTakesEachEventOnce: two agents' channels read one topic of
// 6 partitions as one group while another channel keeps putting events; a
// third reader joins and leaves twice. Transactions in flight when
// partitions move finish first (the revocation waits for them and commits
// their offsets), rolled-back takes of moving partitions go to the new
// owner: every event is taken and committed exactly once.
func TestRebalanceTakesEachEventOnce(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"shared"}})
	p := props(c, "shared", map[string]string{"kafka.consumer.group.id": "readers"})
	writer := newChannel(t, "writer", p)
	tk := &taker{seen: map[int]int{}, by: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	read := func(ctx context.Context, name string, ch flume.Channel) {
		for range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); tk.run(ctx, t, name, ch) }()
		}
	}
	read(ctx, "a", newChannel(t, "a", p))
	read(ctx, "b", newChannel(t, "b", p))
	wctx, stopWriting := context.WithCancel(ctx)
	var n atomic.Int64
	var wwg sync.WaitGroup
	wwg.Add(1)
	go func() { // until the joins are over
		defer wwg.Done()
		for i := 0; wctx.Err() == nil; i += 100 {
			put(t, writer, numbered(i, i+100)...)
			n.Store(int64(i + 100))
			time.Sleep(2 * time.Millisecond)
		}
	}()
	count := func() int { tk.mu.Lock(); defer tk.mu.Unlock(); return tk.n }
	for j := range 2 {
		name := "joiner" + strconv.Itoa(j)
		before := count()
		flumetest.WaitFor(t, 30*time.Second, "progress", func() bool { return count() > before+3000 })
		jctx, jcancel := context.WithCancel(ctx)
		var jwg sync.WaitGroup
		joiner := newChannel(t, "joiner", p)
		for range 2 {
			jwg.Add(1)
			go func() { defer jwg.Done(); tk.run(jctx, t, name, joiner) }()
		}
		flumetest.WaitFor(t, 30*time.Second, "the joiner to take events", func() bool {
			tk.mu.Lock()
			defer tk.mu.Unlock()
			return tk.by[name] > 500
		})
		jcancel()
		jwg.Wait()
		stopChannel(t, joiner)
	}
	stopWriting()
	wwg.Wait()
	total := int(n.Load())
	flumetest.WaitFor(t, time.Minute, "every event", func() bool {
		tk.mu.Lock()
		defer tk.mu.Unlock()
		return len(tk.seen) >= total
	})
	cancel()
	wg.Wait()
	dups := 0
	for i := range total {
		switch tk.seen[i] {
		case 0:
			t.Fatalf("event %d was never taken", i)
		case 1:
		default:
			dups += tk.seen[i] - 1
		}
	}
	t.Logf("%d events; committed by channel: %v", total, tk.by)
	if dups > 0 || len(tk.seen) != total {
		t.Fatalf("%d events taken more than once; %d distinct, want %d", dups, len(tk.seen), total)
	}
}
