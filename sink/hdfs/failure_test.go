package hdfs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/dfs"
	"github.com/flumego/flume/internal/dfs/dfstest"
	"github.com/flumego/flume/internal/flumetest"
)

// allLines returns the lines of every file under the rig's output, and
// fails if a file is still in use.
func allLines(t *testing.T, r *rig) []string {
	t.Helper()
	var out []string
	for _, n := range files(t, r.dir) {
		if strings.HasSuffix(n, ".tmp") {
			t.Fatalf("%s still in use", n)
		}
		out = append(out, lines(read(t, r.dir+"/"+n))...)
	}
	return out
}

func putN(t *testing.T, r *rig, from, to int) {
	for i := from; i < to; i++ {
		r.put(t, ev("event "+strconv.Itoa(i)))
	}
}

func exactlyOnce(t *testing.T, got []string, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d events, want %d: %q", len(got), n, got)
	}
	for i, l := range got {
		if l != "event "+strconv.Itoa(i) {
			t.Fatalf("event %d is %q", i, l)
		}
	}
}

// A write that fails half-way rolls the batch back; the file is closed,
// cut back to its last committed batch and renamed; the batch goes to a
// new file: nothing lost, nothing duplicated.
func TestWriteFailureRollsBack(t *testing.T) {
	for _, op := range []dfstest.Op{dfstest.Write, dfstest.Flush} {
		t.Run(string(op), func(t *testing.T) {
			r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.rollCount": "0", "hdfs.rollSize": "0",
				"hdfs.batchSize": "5"})
			putN(t, r, 0, 5)
			r.drain(t)
			putN(t, r, 5, 10)
			r.fs.Fail(op, 1, nil)
			st, err := r.s.Process(context.Background())
			if err == nil || st != flume.Backoff || !errors.Is(err, dfstest.ErrInjected) {
				t.Fatalf("failed write: %v %v", st, err)
			}
			if r.ch.Len() != 5 {
				t.Fatalf("%d events left in the channel, want the batch of 5", r.ch.Len())
			}
			names := files(t, r.dir)
			if len(names) != 1 || strings.HasSuffix(names[0], ".tmp") {
				t.Fatalf("after the failure: %v, want the first file closed and renamed", names)
			}
			if got := lines(read(t, r.dir+"/"+names[0])); len(got) != 5 {
				t.Fatalf("the failed file holds %q, want the committed batch only", got)
			}
			r.drain(t)
			r.stop(t)
			exactlyOnce(t, allLines(t, r), 10)
			if c := r.s.Counters(); c.EventWriteFail.Load() != 1 || c.ConnectionFailedCount.Load() == 0 {
				t.Fatalf("counters: write fail %d, connection failed %d", c.EventWriteFail.Load(), c.ConnectionFailedCount.Load())
			}
		})
	}
}

// A file never written to (its first batch failed) is removed, not
// renamed into an empty final file.
func TestFailedFirstBatchLeavesNoFile(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.batchSize": "5"})
	putN(t, r, 0, 3)
	r.fs.Fail(dfstest.Write, 1, nil)
	if _, err := r.s.Process(context.Background()); err == nil {
		t.Fatal("no error")
	}
	if names := files(t, r.dir); len(names) != 0 {
		t.Fatalf("files %v", names)
	}
	r.drain(t)
	r.stop(t)
	exactlyOnce(t, allLines(t, r), 3)
}

// Creating a file that fails leaves the events in the channel.
func TestCreateFailure(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream"})
	putN(t, r, 0, 2)
	r.fs.Fail(dfstest.Create, 1, nil)
	if _, err := r.s.Process(context.Background()); err == nil || r.ch.Len() != 2 {
		t.Fatalf("%v, %d left", err, r.ch.Len())
	}
	r.drain(t)
	r.stop(t)
	exactlyOnce(t, allLines(t, r), 2)
}

// A close HDFS answers with "retry" (the last block not yet reported) is
// retried with backoff within hdfs.callTimeout.
func TestCloseRetried(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.rollCount": "2", "hdfs.rollSize": "0"})
	r.fs.Fail(dfstest.Close, 3, dfs.ErrRetry)
	putN(t, r, 0, 3)
	r.drain(t) // the third event rolls the first file
	if r.fs.Calls(dfstest.Close) != 4 {
		t.Fatalf("close called %d times, want 4", r.fs.Calls(dfstest.Close))
	}
	r.stop(t)
	exactlyOnce(t, allLines(t, r), 3)
	if c := r.s.Counters(); c.ConnectionClosedCount.Load() != 2 {
		t.Fatalf("closed %d", c.ConnectionClosedCount.Load())
	}
}

// A close that keeps failing is retried every hdfs.retryInterval,
// hdfs.closeTries times; then the file is recovered and renamed.
func TestCloseFailingThenRecovered(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.rollCount": "0", "hdfs.rollSize": "0",
		"hdfs.rollInterval": "10", "hdfs.closeTries": "3", "hdfs.retryInterval": "60"})
	r.fs.Fail(dfstest.Close, -1, nil)
	putN(t, r, 0, 2)
	r.drain(t)
	r.clock.Advance(10 * time.Second) // the roll: the first close fails
	waitRetry(t, r, 1)
	for tries := 2; tries <= 3; tries++ {
		r.clock.Advance(60 * time.Second)
		waitRetry(t, r, tries)
	}
	if names := files(t, r.dir); len(names) != 1 || !strings.HasSuffix(names[0], ".tmp") {
		t.Fatalf("files %v: renamed before it was closed", names)
	}
	r.clock.Advance(60 * time.Second) // closeTries spent: recovery, then the rename
	flumetest.WaitFor(t, 5*time.Second, "the recovered file renamed", func() bool {
		names := files(t, r.dir)
		return r.fs.Calls(dfstest.Recover) == 1 && len(names) == 1 && !strings.HasSuffix(names[0], ".tmp")
	})
	if r.fs.Calls(dfstest.Close) != 3 {
		t.Fatalf("close tried %d times, want hdfs.closeTries = 3", r.fs.Calls(dfstest.Close))
	}
	r.fs.Heal(dfstest.Close)
	r.stop(t)
	exactlyOnce(t, allLines(t, r), 2)
}

// waitRetry waits until the file's close has failed tries times and its
// next try is queued.
func waitRetry(t *testing.T, r *rig, tries int) {
	t.Helper()
	flumetest.WaitFor(t, 5*time.Second, "close try "+strconv.Itoa(tries), func() bool {
		r.s.retryMu.Lock()
		defer r.s.retryMu.Unlock()
		return len(r.s.retries) == 1 && r.s.retries[0].tries >= tries && r.fs.Calls(dfstest.Close) >= tries
	})
}

// A rename that fails is retried.
func TestRenameRetried(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.rollInterval": "10", "hdfs.retryInterval": "5"})
	r.fs.Fail(dfstest.Rename, 1, nil)
	putN(t, r, 0, 1)
	r.drain(t)
	r.clock.Advance(10 * time.Second)
	flumetest.WaitFor(t, 5*time.Second, "the failed rename", func() bool {
		r.s.retryMu.Lock()
		defer r.s.retryMu.Unlock()
		return r.fs.Calls(dfstest.Rename) == 1 && len(r.s.retries) == 1
	})
	r.clock.Advance(5 * time.Second)
	flumetest.WaitFor(t, 5*time.Second, "the rename retried", func() bool {
		names := files(t, r.dir)
		return len(names) == 1 && !strings.HasSuffix(names[0], ".tmp")
	})
	r.stop(t)
	exactlyOnce(t, allLines(t, r), 1)
}

// A call that hangs is given up after hdfs.callTimeout: the batch rolls
// back, and is written to a new file once the file system answers again.
func TestCallTimeout(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.callTimeout": "200", "hdfs.batchSize": "5"})
	putN(t, r, 0, 5)
	r.drain(t)
	putN(t, r, 5, 8)
	release := r.fs.Hang(dfstest.Write)
	start := time.Now()
	_, err := r.s.Process(context.Background())
	var timeout *callTimeoutError
	if !errors.As(err, &timeout) || time.Since(start) > 5*time.Second {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	if r.ch.Len() != 3 {
		t.Fatalf("%d events left, want 3", r.ch.Len())
	}
	release()
	r.drain(t)
	r.stop(t)
	got := allLines(t, r)
	seen := map[string]int{}
	for _, l := range got {
		seen[l]++
	}
	for i := range 8 {
		if seen["event "+strconv.Itoa(i)] == 0 {
			t.Fatalf("event %d lost: %q", i, got)
		}
	}
	if len(got) > 8+3 {
		t.Fatalf("more than one batch duplicated: %q", got)
	}
}

// A name taken by an earlier run is skipped, never overwritten.
func TestTakenNameSkipped(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream"})
	taken := filepath.Join(r.dir, "out", "FlumeData."+strconv.FormatInt(r.clock.Now().UnixMilli()+1, 10))
	if err := os.MkdirAll(filepath.Dir(taken), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(taken, []byte("older\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	putN(t, r, 0, 1)
	r.drain(t)
	r.stop(t)
	if string(read(t, taken)) != "older\n" {
		t.Fatal("an earlier file was overwritten")
	}
	if names := files(t, r.dir); len(names) != 2 {
		t.Fatalf("files %v", names)
	}
}

// replicaFS hands out files that report a replica count the test sets.
type replicaFS struct {
	dfs.FileSystem
	replicas *atomic.Int32
}

type replicaFile struct {
	dfs.File
	replicas *atomic.Int32
}

func (f replicaFile) CurrentReplicas() int { return int(f.replicas.Load()) }

func (r replicaFS) Create(p string) (dfs.File, error) {
	f, err := r.FileSystem.Create(p)
	if err != nil {
		return nil, err
	}
	return replicaFile{f, r.replicas}, nil
}

// A file whose block has fewer replicas than hdfs.minBlockReplicas is
// rolled before the next event, at most 30 times in a row, as in Flume.
func TestMinBlockReplicas(t *testing.T) {
	var replicas atomic.Int32
	replicas.Store(3)
	r := newRigWrapped(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.minBlockReplicas": "2",
		"hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.batchSize": "1"},
		func(fsys dfs.FileSystem) dfs.FileSystem { return replicaFS{fsys, &replicas} })
	putN(t, r, 0, 3)
	r.drain(t)
	if n := len(files(t, r.dir)); n != 1 {
		t.Fatalf("%d files with enough replicas, want 1", n)
	}
	replicas.Store(1)
	putN(t, r, 3, 40)
	r.drain(t)
	// One roll per event while under-replicated, for 30 events.
	if n := len(files(t, r.dir)); n != 31 {
		t.Fatalf("%d files, want 31 (30 rolls for under-replication)", n)
	}
	r.stop(t)
	exactlyOnce(t, allLines(t, r), 40)
}
