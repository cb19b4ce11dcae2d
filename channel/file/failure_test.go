package file

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/flumego/flume/channel/channeltest"
)

// TestLogFailuresFailCommits injects a torn write and a failed fsync into
// the data log: the group's commits must fail and change nothing, the
// channel must go on in a new log file, and a crash afterwards must
// recover every acknowledged event (the failed commit's events are in
// doubt: all there or none, never twice).
func TestLogFailuresFailCommits(t *testing.T) {
	injected := errors.New("injected I/O error")
	for _, which := range []string{"write", "fsync"} {
		t.Run(which, func(t *testing.T) {
			cfg := testConfig(t, 1000, 100)
			c := openChannel(t, cfg)
			ctx := context.Background()
			put(t, c, channeltest.Events(0, 10))
			before := c.writeLow.Load()

			var failing atomic.Bool
			failing.Store(true)
			origWrite, origSync := writeLog, syncLog
			t.Cleanup(func() { writeLog, syncLog = origWrite, origSync })
			if which == "write" {
				writeLog = func(f *os.File, b []byte, off int64) (int, error) {
					if failing.Load() {
						n, _ := f.WriteAt(b[:len(b)/2], off) // torn: half the bytes reach the file
						return n, injected
					}
					return origWrite(f, b, off)
				}
			} else {
				syncLog = func(f *os.File) error {
					if failing.Load() {
						return injected
					}
					return origSync(f)
				}
			}
			tx, _ := c.Begin()
			if err := tx.Put(ctx, channeltest.Events(100, 110)...); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx); !errors.Is(err, injected) {
				t.Fatalf("commit with a failing %s: %v", which, err)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatalf("rollback after a failed commit: %v", err)
			}
			if c.Len() != 10 || c.Counters().EventPutErrorCount.Load() != 10 {
				t.Fatalf("Len = %d, EventPutErrorCount = %d after a failed commit; want 10, 10", c.Len(), c.Counters().EventPutErrorCount.Load())
			}
			failing.Store(false)
			put(t, c, channeltest.Events(10, 20))
			if c.writeLow.Load() == before {
				t.Fatal("the commit after a failure was written to the damaged log file")
			}
			wantSeqs(t, takeAll(t, c, 100), span(0, 20))
			put(t, c, channeltest.Events(20, 25))

			c.crash()
			c = openChannel(t, cfg)
			got := takeAll(t, c, 100)
			rest := slices.DeleteFunc(slices.Clone(got), func(s int) bool { return s >= 100 })
			wantSeqs(t, rest, span(20, 25))
			if n := len(got) - len(rest); n != 0 && n != 10 {
				t.Fatalf("after the crash %d of the failed commit's 10 events came back: %v", n, got)
			}
			if which == "write" && len(got) != len(rest) {
				t.Fatalf("events of a torn commit came back: %v", got)
			}
		})
	}
}

// TestBackupFailureIsCountedAndHarmless replaces the backup directory with
// a file: the backup copy fails and is counted, the primary checkpoint and
// the channel go on, and the next backup succeeds once the directory is
// back.
func TestBackupFailureIsCountedAndHarmless(t *testing.T) {
	cfg := testConfig(t, 1000, 100)
	c := openChannel(t, cfg)
	put(t, c, channeltest.Events(0, 10))
	backups := c.Counters().CheckpointBackupCount.Load()
	if err := os.RemoveAll(cfg.BackupCheckpointDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.BackupCheckpointDir, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.checkpoint(); err != nil {
		t.Fatalf("a failed backup failed the checkpoint: %v", err)
	}
	cn := c.Counters()
	if cn.CheckpointBackupWriteErrorCount.Load() != 1 || cn.CheckpointBackupCount.Load() != backups || cn.CheckpointWriteErrorCount.Load() != 0 {
		t.Fatalf("backup errors %d, backups %d (before %d), checkpoint errors %d",
			cn.CheckpointBackupWriteErrorCount.Load(), cn.CheckpointBackupCount.Load(), backups, cn.CheckpointWriteErrorCount.Load())
	}
	put(t, c, channeltest.Events(10, 20))
	if err := os.Remove(cfg.BackupCheckpointDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(cfg.BackupCheckpointDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := c.checkpoint(); err != nil {
		t.Fatal(err)
	}
	if cn.CheckpointBackupCount.Load() != backups+1 {
		t.Fatalf("no backup after the directory came back")
	}
	wantSeqs(t, takeAll(t, c, 100), span(0, 20))
}
