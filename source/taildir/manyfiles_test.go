package taildir

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// TestManyFiles: thousands of files matched by one group are all read; once
// idle they are closed, and what the source keeps per file is its
// bookkeeping only (no descriptor, no buffer).
func TestManyFiles(t *testing.T) {
	modes(t, func(t *testing.T, poll bool) {
		files := 3000
		if poll {
			files = 500
		}
		h := newHarness(t, map[string]string{"idleTimeout": "500", "batchSize": "1000"})
		h.poll = poll
		h.quiet = true // the log of thousands of files would weigh in the heap
		for i := range files {
			write(t, filepath.Join(h.dir, fmt.Sprintf("f%05d.log", i)), lines(1, 3))
		}
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		h.start()
		h.waitEvents(3 * files)
		t.Logf("read in %v", time.Since(t0))
		flumetest.WaitFor(t, waitLong, "every idle file to be closed", func() bool {
			st := h.src.Stats()
			return st.Open == 0 && st.Tracked == files
		})
		t.Logf("closed in %v", time.Since(t0))
		h.collect()
		h.got = nil
		// The least of a few samples: a scan in progress holds a transient
		// FileInfo per file.
		perFile := int64(1 << 62)
		for range 5 {
			var after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&after)
			perFile = min(perFile, (int64(after.HeapAlloc)-int64(before.HeapAlloc))/int64(files))
			h.waitRound()
		}
		t.Logf("%d files: %d bytes of heap per tracked file", files, perFile)
		if perFile > 2048 {
			t.Fatalf("%d bytes of heap per idle file", perFile)
		}
		// Appends to a few of them are read.
		for i := 0; i < files; i += files / 10 {
			write(t, filepath.Join(h.dir, fmt.Sprintf("f%05d.log", i)), "4\n")
		}
		h.waitEvents(10)
		h.settle(`.*\.log`)
		if len(h.got) != 10 {
			t.Fatalf("%d events after appending 10 lines", len(h.got))
		}
	})
}

// TestBusyUnmatchedFile: a busy file of the directory that no group matches
// (syslog beside the application's log) does not wake the source at every
// write.
func TestBusyUnmatchedFile(t *testing.T) {
	h := newHarness(t, map[string]string{"filegroups.f1": `$DIR/app\.log`, "maxBackoffSleep": "5000"})
	write(t, filepath.Join(h.dir, "app.log"), "1\n")
	h.start()
	h.waitEvents(1)
	if !h.src.Stats().Notify {
		t.Skip("no inotify")
	}
	before := h.src.Stats().Rounds
	other, err := os.OpenFile(filepath.Join(h.dir, "syslog"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tick := time.NewTicker(time.Millisecond) // a steady writer, as syslog
	defer tick.Stop()
	for i := range 300 {
		<-tick.C
		fmt.Fprintf(other, "line %d\n", i)
	}
	write(t, filepath.Join(h.dir, "app.log"), "2\n") // a round must follow this one
	h.waitEvents(2)
	if rounds := h.src.Stats().Rounds - before; rounds > 20 {
		t.Fatalf("%d rounds for 300 writes to a file no group matches", rounds)
	}
}
