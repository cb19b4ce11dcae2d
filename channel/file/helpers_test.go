package file

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/flumego/flume"
	bolt "go.etcd.io/bbolt"
)

// testDirs returns a configuration over fresh directories under t.TempDir.
func testConfig(t testing.TB, capacity, txCapacity int) Config {
	t.Helper()
	dir := t.TempDir()
	return Config{
		CheckpointDir:        filepath.Join(dir, "checkpoint"),
		UseDualCheckpoints:   true,
		BackupCheckpointDir:  filepath.Join(dir, "backup"),
		DataDirs:             []string{filepath.Join(dir, "data1"), filepath.Join(dir, "data2")},
		Capacity:             capacity,
		TransactionCapacity:  txCapacity,
		CheckpointInterval:   time.Hour,
		MaxFileSize:          DefaultMaxFileSize,
		MinimumRequiredSpace: 0,
		CheckpointOnClose:    true,
		FsyncPerTransaction:  true,
		FsyncInterval:        time.Second,
	}
}

// openChannel starts a channel over cfg and registers an invariant check
// and Stop in t.Cleanup.
func openChannel(t testing.TB, cfg Config) *Channel {
	t.Helper()
	c, err := New(flume.Settings{Name: "c1"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndStop(t, c) })
	return c
}

// checkAndStop verifies the channel's invariants, stops it, and verifies
// that the checkpoint on disk holds exactly what the channel held.
func checkAndStop(t testing.TB, c *Channel) {
	t.Helper()
	c.mu.Lock()
	running := c.running
	var want []ptr
	if running {
		if err := c.checkInvariants(); err != nil {
			t.Errorf("invariant: %v", err)
		}
		want = c.snapshotPtrs()
	}
	c.mu.Unlock()
	if err := c.Stop(context.Background()); err != nil {
		t.Errorf("stop: %v", err)
	}
	if !running || !c.cfg.CheckpointOnClose {
		return
	}
	db, err := bolt.Open(filepath.Join(c.cfg.CheckpointDir, checkpointName), 0o644, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Errorf("open checkpoint after stop: %v", err)
		return
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error { return <-tx.Check() }); err != nil && err.Error() != "" {
		t.Errorf("bbolt consistency check: %v", err)
	}
	snap, err := readCheckpoint(db)
	if err != nil {
		t.Errorf("read checkpoint after stop: %v", err)
		return
	}
	if !slices.Equal(snap.ptrs, want) {
		t.Errorf("checkpoint after stop holds %d events, the channel held %d (or in another order)", len(snap.ptrs), len(want))
	}
}

// checkInvariants verifies the channel's bookkeeping. Called with mu held.
func (c *Channel) checkInvariants() error {
	refs := make(map[uint32]int)
	seen := make(map[uint64]bool)
	all := c.q.Snapshot(nil)
	inflight := 0
	for t := range c.takers {
		all = append(all, t.takes...)
		inflight += len(t.takes)
	}
	for _, p := range all {
		if seen[p.key()] {
			return fmt.Errorf("event at log file %d offset %d is held twice", p.file, p.off)
		}
		seen[p.key()] = true
		refs[p.file]++
		if c.logs.get(p.file) == nil {
			return fmt.Errorf("event points into log file %d, which is not open", p.file)
		}
	}
	if inflight != c.inflight {
		return fmt.Errorf("inflight = %d, open takes hold %d", c.inflight, inflight)
	}
	if len(refs) != len(c.refs) {
		return fmt.Errorf("refs = %v, recount %v", c.refs, refs)
	}
	for f, n := range refs {
		if c.refs[f] != n {
			return fmt.Errorf("refs = %v, recount %v", c.refs, refs)
		}
	}
	if c.reserved < 0 {
		return fmt.Errorf("reserved = %d", c.reserved)
	}
	if got := c.counter.ChannelSize.Load(); got != int64(c.q.Len()) {
		return fmt.Errorf("ChannelSize = %d, queue holds %d", got, c.q.Len())
	}
	if _, bad, errs := c.logs.readEvents(all, nil); len(bad) > 0 {
		return fmt.Errorf("%d queued events do not read back: %v", len(bad), errs[0])
	}
	return nil
}

// snapshotPtrs returns what a checkpoint taken now would hold. Called with
// mu held.
func (c *Channel) snapshotPtrs() []ptr {
	var out []ptr
	for _, ch := range c.snapshot().chunks {
		var err error
		if out, err = decodeChunk(out, ch, math.MaxUint64); err != nil {
			panic(err)
		}
	}
	return out
}
