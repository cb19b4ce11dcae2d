package file

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
)

// TestPowerLoss simulates a power failure: every data log file is cut back
// to what its last successful fsync made durable (a file never synced is
// left empty), as if the page cache were lost. Producers and a consumer run
// concurrently with small log files (rotation inside transactions) until
// the "power" goes. After recovery every acknowledged put is present unless
// an acknowledged take removed it, no acknowledged take comes back, and no
// event appears twice.
func TestPowerLoss(t *testing.T) {
	seed := rand.Uint64()
	if s := os.Getenv(modelSeedEnv); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set %s to repeat)", seed, modelSeedEnv)
	cfg := testConfig(t, 5000, 200)
	cfg.MaxFileSize = 8 << 10
	cfg.CheckpointInterval = 10 * time.Millisecond
	cfg.KeepAlive = time.Millisecond

	var (
		mu      sync.Mutex
		durable = map[string][]byte{} // log file → content at its last fsync
		lost    atomic.Bool
	)
	origSync := syncLog
	t.Cleanup(func() { syncLog = origSync })
	syncLog = func(f *os.File) error {
		if err := origSync(f); err != nil || lost.Load() {
			return err
		}
		b, err := os.ReadFile(f.Name())
		if err != nil {
			return err
		}
		mu.Lock()
		durable[f.Name()] = b
		mu.Unlock()
		return nil
	}

	c := openChannel(t, cfg)
	ctx := context.Background()
	var (
		ackMu    sync.Mutex
		acked    = map[int]bool{} // acknowledged puts
		inDoubt  = map[int]bool{} // puts whose commit failed or was cut off
		taken    = map[int]bool{} // acknowledged takes
		tried    = map[int]bool{} // taken in a transaction that tried to commit
		stop     atomic.Bool
		wg       sync.WaitGroup
		commits  atomic.Int64
		deadline = time.Now().Add(5 * time.Second)
	)
	for p := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(p)))
			for seq := p * 1_000_000; !stop.Load(); {
				n := 1 + rng.IntN(40)
				err := flume.Do(ctx, c, func(tx flume.Transaction) error {
					return tx.Put(ctx, channeltest.Events(seq, seq+n)...)
				})
				ok := err == nil && !lost.Load() // acknowledged before the power went
				ackMu.Lock()
				for s := seq; s < seq+n; s++ {
					if ok {
						acked[s] = true
					} else {
						inDoubt[s] = true
					}
				}
				ackMu.Unlock()
				commits.Add(1)
				seq += n
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(seed, 9))
		for !stop.Load() {
			var got []int
			err := flume.Do(ctx, c, func(tx flume.Transaction) error {
				evs, err := tx.Take(ctx, 1+rng.IntN(60))
				ackMu.Lock()
				for _, e := range evs {
					got = append(got, channeltest.Seq(e))
					tried[channeltest.Seq(e)] = true // its take record may become durable from now on
				}
				ackMu.Unlock()
				return err
			})
			if err == nil && !lost.Load() {
				ackMu.Lock()
				for _, s := range got {
					taken[s] = true
				}
				ackMu.Unlock()
			}
		}
	}()
	for commits.Load() < 300 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // let the load run; this is not synchronisation
	}
	// The power goes: nothing written from now on becomes durable, and
	// commits in flight are in doubt.
	lost.Store(true)
	stop.Store(true)
	wg.Wait()
	c.crash()

	files := 0
	for _, d := range cfg.DataDirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if _, ok := parseLogName(e.Name()); !ok {
				continue
			}
			path := filepath.Join(d, e.Name())
			mu.Lock()
			b := durable[path]
			mu.Unlock()
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			files++
		}
	}
	c = openChannel(t, cfg)
	got := peek(t, c)
	t.Logf("%d commits, %d log files cut back, %d events recovered", commits.Load(), files, len(got))
	ackMu.Lock()
	defer ackMu.Unlock()
	seen := map[int]bool{}
	for _, s := range got {
		switch {
		case seen[s]:
			t.Fatalf("event %d recovered twice", s)
		case taken[s]:
			t.Fatalf("event %d came back after its take was acknowledged", s)
		case !acked[s] && !inDoubt[s]:
			t.Fatalf("event %d was never put", s)
		}
		seen[s] = true
	}
	for s := range acked {
		if !seen[s] && !tried[s] {
			t.Fatalf("acknowledged event %d lost", s)
		}
	}
}
