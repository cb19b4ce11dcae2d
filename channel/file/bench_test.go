package file

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
)

// benchEvents returns n events with bodies of size bytes.
func benchEvents(n, size int) []flume.Event {
	evs := make([]flume.Event, n)
	for i := range evs {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte('a' + (i+j)%26)
		}
		evs[i] = flume.Event{Body: b}
	}
	return evs
}

func benchConfig(b *testing.B, batch int) Config {
	cfg := testConfig(b, 10_000_000, max(batch, 100))
	cfg.UseDualCheckpoints = true
	cfg.DataDirs = cfg.DataDirs[:1]
	cfg.CheckpointInterval = 30 * time.Second
	cfg.KeepAlive = time.Second
	return cfg
}

func benchChannel(b *testing.B, cfg Config) *Channel {
	c, err := New(flume.Settings{Name: "bench"}, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}

// BenchmarkPutCommit measures put+commit of 500-byte events: each of the
// writers commits transactions of batch events until b.N transactions are
// done in total.
func BenchmarkPutCommit(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		for _, writers := range []int{1, 4, 8} {
			b.Run(fmt.Sprintf("batch=%d/writers=%d", batch, writers), func(b *testing.B) {
				c := benchChannel(b, benchConfig(b, batch))
				evs := benchEvents(batch, 500)
				ctx := context.Background()
				b.SetBytes(int64(batch * 500))
				b.ReportAllocs()
				b.ResetTimer()
				runParallel(b, writers, func() error {
					return flume.Do(ctx, c, func(tx flume.Transaction) error { return tx.Put(ctx, evs...) })
				})
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// BenchmarkTakeCommit measures take+commit of 500-byte events from a
// channel filled beforehand, with 1 and 8 concurrent takers.
func BenchmarkTakeCommit(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		for _, takers := range []int{1, 8} {
			b.Run(fmt.Sprintf("batch=%d/takers=%d", batch, takers), func(b *testing.B) {
				c := benchChannel(b, benchConfig(b, batch))
				ctx := context.Background()
				fill := benchEvents(1000, 500)
				for n := 0; n < b.N*batch; n += 1000 {
					if err := flume.Do(ctx, c, func(tx flume.Transaction) error { return tx.Put(ctx, fill...) }); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(batch * 500))
				b.ReportAllocs()
				b.ResetTimer()
				runParallel(b, takers, func() error {
					return flume.Do(ctx, c, func(tx flume.Transaction) error {
						evs, err := tx.Take(ctx, batch)
						if err == nil && len(evs) != batch {
							err = fmt.Errorf("took %d events, want %d", len(evs), batch)
						}
						return err
					})
				})
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// runParallel runs fn b.N times in total on n goroutines.
func runParallel(b *testing.B, n int, fn func() error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= b.N {
					return
				}
				if err := fn(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
