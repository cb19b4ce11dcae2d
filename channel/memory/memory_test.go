package memory

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/internal/loadevent"
)

func newStarted(t testing.TB, cfg Config) *Channel {
	t.Helper()
	ch, err := New(flume.Settings{Name: "c1"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Options{
		New: func(t testing.TB, capacity, txCapacity int) flume.Channel {
			return newStarted(t, Config{Capacity: capacity, TransactionCapacity: txCapacity})
		},
		MixedTransactions: true,
	})
}

func TestParseConfigDefaults(t *testing.T) {
	ctx := flume.ContextFromMap(map[string]string{"type": "memory"})
	c := ParseConfig(ctx)
	if c.Capacity != 100 || c.TransactionCapacity != 100 || c.KeepAlive != 3*time.Second || c.ByteCapacityBufferPercentage != 20 {
		t.Fatalf("defaults = %+v, want Flume's 100/100/3s/20", c)
	}
	if len(ctx.Problems()) != 0 {
		t.Fatalf("problems: %v", ctx.Problems())
	}
}

func TestParseConfigLenient(t *testing.T) {
	ctx := flume.ContextFromMap(map[string]string{"capacity": "-5", "transactionCapacity": "abc", "keep-alive": "1"})
	c := ParseConfig(ctx)
	if c.Capacity != 100 || c.TransactionCapacity != 100 || c.KeepAlive != time.Second {
		t.Fatalf("config = %+v, want capacity and transactionCapacity at their defaults, keep-alive 1s", c)
	}
	if len(ctx.Problems()) != 2 || ctx.Err() != nil {
		t.Fatalf("want two warnings and no error, got %v", ctx.Problems())
	}
}

func TestTransactionCapacityAboveCapacityIsAnError(t *testing.T) {
	ctx := flume.ContextFromMap(map[string]string{"capacity": "10", "transactionCapacity": "100"})
	if _, err := Factory(flume.Settings{Name: "c1"}, ctx); err == nil {
		t.Fatal("transactionCapacity > capacity was accepted")
	}
}

func TestTakeWaitsForCommit(t *testing.T) {
	ch := newStarted(t, Config{Capacity: 10, TransactionCapacity: 10, KeepAlive: time.Minute})
	got := make(chan []flume.Event)
	go func() {
		tx, _ := ch.Begin()
		evs, _ := tx.Take(context.Background(), 5)
		_ = tx.Commit(context.Background())
		got <- evs
	}()
	// The taker is blocked (keep-alive is a minute); a commit must wake it.
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), flume.NewEvent([]byte("x")))
	}); err != nil {
		t.Fatal(err)
	}
	if evs := <-got; len(evs) != 1 || string(evs[0].Body) != "x" {
		t.Fatalf("woken taker got %v", evs)
	}
}

func TestTakeKeepAliveTimesOutEmpty(t *testing.T) {
	const keepAlive = 200 * time.Millisecond
	ch := newStarted(t, Config{Capacity: 10, TransactionCapacity: 10, KeepAlive: keepAlive})
	tx, _ := ch.Begin()
	defer tx.Rollback()
	start := time.Now()
	evs, err := tx.Take(context.Background(), 5)
	if err != nil || len(evs) != 0 {
		t.Fatalf("take = %v, %v", evs, err)
	}
	if time.Since(start) < keepAlive {
		t.Fatalf("take returned after %s, before the %s keep-alive", time.Since(start), keepAlive)
	}
}

func TestTakeHonoursContext(t *testing.T) {
	ch := newStarted(t, Config{Capacity: 10, TransactionCapacity: 10, KeepAlive: time.Hour})
	tx, _ := ch.Begin()
	defer tx.Rollback()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tx.Take(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("take with a cancelled context: %v", err)
	}
}

func TestCommitWaitsForRoom(t *testing.T) {
	ch := newStarted(t, Config{Capacity: 2, TransactionCapacity: 2, KeepAlive: time.Minute})
	put := func(b string) error {
		return flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			return tx.Put(context.Background(), flume.NewEvent([]byte(b)))
		})
	}
	if err := put("a"); err != nil {
		t.Fatal(err)
	}
	if err := put("b"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- put("c") }() // blocks: the channel is full
	tx, _ := ch.Begin()
	if _, err := tx.Take(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("blocked commit after room was made: %v", err)
	}
	if ch.Len() != 2 {
		t.Fatalf("Len = %d", ch.Len())
	}
}

func TestByteCapacity(t *testing.T) {
	// 1000 bytes with 0% buffer = 10 slots of 100 bytes.
	ch := newStarted(t, Config{Capacity: 100, TransactionCapacity: 100, ByteCapacity: 1000})
	put := func(n int) error {
		return flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			return tx.Put(context.Background(), flume.NewEvent(make([]byte, n)))
		})
	}
	if err := put(901); err != nil { // 10 slots
		t.Fatal(err)
	}
	if err := put(1); !errors.Is(err, flume.ErrChannelFull) {
		t.Fatalf("put beyond byte capacity: %v", err)
	}
	tx, _ := ch.Begin()
	_, _ = tx.Take(context.Background(), 1)
	if err := tx.Rollback(); err != nil { // a rolled-back take keeps its bytes
		t.Fatal(err)
	}
	if err := put(1); !errors.Is(err, flume.ErrChannelFull) {
		t.Fatalf("put after a rolled-back take: %v", err)
	}
	tx, _ = ch.Begin()
	_, _ = tx.Take(context.Background(), 1)
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := put(1000); err != nil {
		t.Fatalf("put after the bytes were freed: %v", err)
	}
}

func TestCounters(t *testing.T) {
	var group flume.CounterGroup
	ch, err := New(flume.Settings{Name: "c1", Publisher: func(g flume.CounterGroup) { group = g }},
		Config{Capacity: 10, TransactionCapacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	_ = ch.Start(context.Background())
	_ = flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), channeltest.Events(0, 4)...)
	})
	_ = flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		_, err := tx.Take(context.Background(), 10) // 3 taken + 1 empty-handed attempt
		return err
	})
	attrs := map[string]string{}
	for _, a := range group.Attributes() {
		attrs[a.Name] = a.Text
	}
	want := map[string]string{
		"Type": "CHANNEL", "ChannelSize": "0", "ChannelCapacity": "10", "ChannelFillPercentage": "0.0",
		"EventPutAttemptCount": "4", "EventPutSuccessCount": "4", "EventTakeAttemptCount": "5", "EventTakeSuccessCount": "4",
	}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, attrs[k], v)
		}
	}
}

// BenchmarkPutTake puts and takes batches of 100-byte events with 0 and 3
// headers (timestamp, host, seq).
func BenchmarkPutTake(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		for _, headers := range []int{0, 3} {
			b.Run("batch="+itoa(batch)+"/headers="+itoa(headers), func(b *testing.B) {
				ch := newStarted(b, Config{Capacity: 10 * batch, TransactionCapacity: batch})
				evs := loadevent.Batch(batch, loadevent.Body(100), headers, 1)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					tx, _ := ch.Begin()
					_ = tx.Put(ctx, evs...)
					_ = tx.Commit(ctx)
					tx, _ = ch.Begin()
					_, _ = tx.Take(ctx, batch)
					_ = tx.Commit(ctx)
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

func BenchmarkConcurrent(b *testing.B) {
	const batch = 100
	ch := newStarted(b, Config{Capacity: 10000, TransactionCapacity: batch, KeepAlive: time.Second})
	evs := make([]flume.Event, batch)
	for i := range evs {
		evs[i] = flume.NewEvent(make([]byte, 100))
	}
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for taken := 0; taken < b.N*batch; {
			tx, _ := ch.Begin()
			got, _ := tx.Take(ctx, batch)
			_ = tx.Commit(ctx)
			taken += len(got)
		}
	}()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for {
			tx, _ := ch.Begin()
			_ = tx.Put(ctx, evs...)
			if tx.Commit(ctx) == nil {
				break
			}
			_ = tx.Rollback()
		}
	}
	<-done
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}

func itoa(i int) string { return strconv.Itoa(i) }
