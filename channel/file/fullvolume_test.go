package file

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// MountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts it
// at cleanup. It skips the test, with the reason, when it cannot: mounting
// needs root (CI runs as root), unless FLUMEGO_REQUIRE_PEERS=1 asks every
// such test to run.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	skip := t.Skipf
	if os.Getenv("FLUMEGO_REQUIRE_PEERS") == "1" {
		skip = t.Fatalf
	}
	if os.Geteuid() != 0 {
		skip("mounting a %d-byte tmpfs for this test needs root", size)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.Itoa(size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		skip("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// freeBytes returns the space left on the file system of dir.
func freeBytes(t *testing.T, dir string) uint64 {
	t.Helper()
	n, err := freeSpace(dir)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFullVolumeStartsAndDrains is finding 2 of issue 19 at the level of the
// channel, with the sink least kind to the disk: one event per take
// transaction (every event costs a whole take record). The channel is filled
// until it refuses puts for space, killed (no final checkpoint), started
// again on the full volume, and drained: every acknowledged event must come
// back exactly once, every take must commit, and the channel must then
// give back its drained files and take puts again.
func TestFullVolumeStartsAndDrains(t *testing.T) {
	dir := mountTmpfs(t, 3<<20)
	cfg := Config{
		CheckpointDir:        filepath.Join(dir, "checkpoint"),
		UseDualCheckpoints:   true,
		BackupCheckpointDir:  filepath.Join(dir, "backup"),
		DataDirs:             []string{filepath.Join(dir, "data")},
		Capacity:             10_000_000,
		TransactionCapacity:  1000,
		CheckpointInterval:   50 * time.Millisecond,
		MaxFileSize:          DefaultMaxFileSize,
		MinimumRequiredSpace: minimumRequiredSpaceFloor,
		CheckpointOnClose:    true,
		FsyncPerTransaction:  true,
		FsyncInterval:        time.Second,
	}
	ctx := context.Background()
	c := openChannel(t, cfg)
	body := func(i int) []byte { return fmt.Appendf(nil, "event %08d", i) }
	acked := 0
	var refusal error
	for refusal == nil {
		evs := make([]flume.Event, 100)
		for i := range evs {
			evs[i] = flume.Event{Body: body(acked + i)}
		}
		refusal = flume.Do(ctx, c, func(tx flume.Transaction) error { return tx.Put(ctx, evs...) })
		if refusal == nil {
			acked += len(evs)
		}
	}
	if !flume.IsChannelError(refusal) || !strings.Contains(refusal.Error(), "puts must leave") {
		t.Fatalf("after %d events: %v; want a refusal for space", acked, refusal)
	}
	t.Logf("filled: %d events acknowledged, %d bytes left free; refusal: %v", acked, freeBytes(t, dir), refusal)
	c.crash()

	c2, err := New(flume.Settings{Name: "c1"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.Start(ctx); err != nil {
		t.Fatalf("start on the full volume: %v", err)
	}
	t.Cleanup(func() { checkAndStop(t, c2) })
	if c2.Len() != acked {
		t.Fatalf("recovered %d events, acknowledged %d", c2.Len(), acked)
	}
	// Eight sinks taking one event per transaction, as fast as they can.
	var (
		mu       sync.Mutex
		got      = make(map[string]int, acked)
		lowest   = freeBytes(t, dir)
		takeErrs []error
		wg       sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				tx, err := c2.Begin()
				if err != nil {
					t.Error(err)
					return
				}
				evs, err := tx.Take(ctx, 1)
				if err == nil && len(evs) == 0 {
					_ = tx.Rollback()
					return
				}
				if err == nil {
					err = tx.Commit(ctx)
				}
				if err != nil {
					_ = tx.Rollback()
				}
				free := freeBytes(t, dir)
				mu.Lock()
				lowest = min(lowest, free)
				if err != nil {
					takeErrs = append(takeErrs, err)
				} else {
					for _, e := range evs {
						got[string(e.Body)]++
					}
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(takeErrs) > 0 {
		t.Fatalf("%d take commits failed on the full volume, the first: %v", len(takeErrs), takeErrs[0])
	}
	for i := range acked {
		if n := got[string(body(i))]; n != 1 {
			t.Fatalf("event %d came back %d times", i, n)
		}
	}
	if len(got) != acked {
		t.Fatalf("%d distinct events came back, %d were acknowledged", len(got), acked)
	}
	t.Logf("drained: %d events, one per take transaction; the lowest free space seen was %d bytes", len(got), lowest)
	if lowest < blockSlack {
		t.Fatalf("the drain took the volume down to %d bytes free", lowest)
	}

	// Drained, the channel gives its files back and takes puts again.
	flumetest.WaitFor(t, 20*time.Second, "the channel to take puts again", func() bool {
		err := flume.Do(ctx, c2, func(tx flume.Transaction) error { return tx.Put(ctx, flume.Event{Body: []byte("after")}) })
		if err != nil && !flume.IsChannelError(err) {
			t.Fatal(err)
		}
		return err == nil
	})
	t.Logf("puts accepted again; %d bytes free, %d log files deleted", freeBytes(t, dir), c2.Counters().LogFilesDeletedCount.Load())
}
