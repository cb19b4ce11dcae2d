package taildir

import (
	"fmt"
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
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		perFile := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / int64(files)
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
