package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/loadevent"
)

// benchEvents returns n events with bodies of size bytes and the first
// headers headers of the benchmark loads (timestamp, host, seq).
func benchEvents(n, size, headers int) []flume.Event {
	evs := loadevent.Batch(n, nil, headers, 1)
	for i := range evs {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte('a' + (i+j)%26)
		}
		evs[i].Body = b
	}
	return evs
}

func benchConfig(b *testing.B, batch int) Config {
	cfg := testConfig(b, 10_000_000, max(batch, 1000))
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
// done in total. The headers=3 variants give each event 3 headers.
func BenchmarkPutCommit(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		for _, writers := range []int{1, 4, 8} {
			for _, headers := range []int{0, 3} {
				if headers > 0 && writers != 4 {
					continue
				}
				b.Run(fmt.Sprintf("batch=%d/writers=%d/headers=%d", batch, writers, headers), func(b *testing.B) {
					c := benchChannel(b, benchConfig(b, batch))
					evs := benchEvents(batch, 500, headers)
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
}

// BenchmarkTakeCommit measures take+commit of 500-byte events from a
// channel filled beforehand, with 1 and 8 concurrent takers. The headers=3
// variants give each event 3 headers.
func BenchmarkTakeCommit(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		for _, takers := range []int{1, 8} {
			for _, headers := range []int{0, 3} {
				if headers > 0 && takers != 1 {
					continue
				}
				b.Run(fmt.Sprintf("batch=%d/takers=%d/headers=%d", batch, takers, headers), func(b *testing.B) {
					c := benchChannel(b, benchConfig(b, batch))
					ctx := context.Background()
					fill := benchEvents(1000, 500, headers)
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

// BenchmarkRecovery measures Start over a backlog of 1 M queued 500-byte
// events (set FLUMEGO_FILECHANNEL_RECOVERY_EVENTS to change the count):
// from a checkpoint that holds them all (after a clean stop), from a
// checkpoint that holds none of them (a crash: every event is replayed
// from the log), and from the data logs alone (both checkpoints deleted).
func BenchmarkRecovery(b *testing.B) {
	events := 1_000_000
	if s := os.Getenv("FLUMEGO_FILECHANNEL_RECOVERY_EVENTS"); s != "" {
		events, _ = strconv.Atoi(s)
	}
	cfg := benchConfig(b, 1000)
	cfg.CheckpointInterval = time.Hour
	c := benchChannel(b, cfg)
	ctx := context.Background()
	empty := filepath.Join(b.TempDir(), "empty.db")
	if err := copyFile(filepath.Join(cfg.CheckpointDir, checkpointName), empty); err != nil {
		b.Fatal(err)
	}
	evs := benchEvents(1000, 500, 0)
	for n := 0; n < events; n += len(evs) {
		if err := flume.Do(ctx, c, func(tx flume.Transaction) error { return tx.Put(ctx, evs...) }); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Stop(ctx); err != nil {
		b.Fatal(err)
	}
	full := filepath.Join(b.TempDir(), "full.db")
	if err := copyFile(filepath.Join(cfg.CheckpointDir, checkpointName), full); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name, source string
		prepare      func() error
	}{
		{"checkpoint", "checkpoint", func() error {
			return copyFile(full, filepath.Join(cfg.CheckpointDir, checkpointName))
		}},
		{"replay", "checkpoint", func() error {
			if err := copyFile(empty, filepath.Join(cfg.CheckpointDir, checkpointName)); err != nil {
				return err
			}
			return copyFile(empty, filepath.Join(cfg.BackupCheckpointDir, checkpointName))
		}},
		{"logs", "logs", func() error {
			os.Remove(filepath.Join(cfg.CheckpointDir, checkpointName))
			return os.Remove(filepath.Join(cfg.BackupCheckpointDir, checkpointName))
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				if err := tc.prepare(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := c.Start(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if c.Len() != events || c.Counters().RecoverySource() != tc.source {
					b.Fatalf("recovered %d events from %s", c.Len(), c.Counters().RecoverySource())
				}
				if err := c.Stop(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/recovery")
		})
	}
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}
