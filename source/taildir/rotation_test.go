package taildir

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
)

// modes runs f with inotify and with polling.
func modes(t *testing.T, f func(t *testing.T, poll bool)) {
	for _, poll := range []bool{false, true} {
		t.Run(fmt.Sprintf("poll=%v", poll), func(t *testing.T) { f(t, poll) })
	}
}

// copyFile copies src to dst (a new file), as logrotate's copytruncate.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func truncate(t testing.TB, path string) {
	t.Helper()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
}

func rename(t testing.TB, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// TestRenameWithinPattern: a file renamed to a name its group still matches
// keeps its position (Flume reads it again: FLUME-2777, 3094, 3216, ...).
func TestRenameWithinPattern(t *testing.T) {
	modes(t, func(t *testing.T, poll bool) {
		h := newHarness(t, map[string]string{"filegroups.f1": `$DIR/app\.log.*`})
		h.poll = poll
		app := filepath.Join(h.dir, "app.log")
		write(t, app, lines(1, 100))
		h.start()
		h.waitEvents(100)
		ino := inode(t, app)
		rename(t, app, app+".1")
		write(t, app+".1", lines(101, 150)) // the writer has not reopened yet
		write(t, app, lines(151, 200))
		h.waitEvents(200)
		h.settle(`app\.log.*`)
		numbers(t, h.bodies(), 200)
		h.stop()
		found := false
		for _, p := range h.positions() {
			if p.File == app+".1" && uint64(p.Inode) == ino && p.Pos == int64(len(lines(1, 150))) {
				found = true
			}
		}
		if !found {
			t.Fatalf("the renamed file is not recorded under its new name: %+v", h.positions())
		}
	})
}

// TestCreateRotation: logrotate's create renames the file out of the
// pattern and creates a new one; what the writer still appends to the
// renamed file is read, then the renamed file is dropped once idle.
func TestCreateRotation(t *testing.T) {
	modes(t, func(t *testing.T, poll bool) {
		h := newHarness(t, map[string]string{"filegroups.f1": `$DIR/app\.log`, "idleTimeout": "500"})
		h.poll = poll
		app := filepath.Join(h.dir, "app.log")
		write(t, app, lines(1, 100))
		h.start()
		h.waitEvents(100)
		rename(t, app, app+".1")
		write(t, app+".1", lines(101, 150))
		write(t, app, lines(151, 200))
		h.waitEvents(200)
		h.settle(`app\.log`)
		numbers(t, h.bodies(), 200)
		flumetest.WaitFor(t, waitLong, "the rotated file to be dropped", func() bool {
			st := h.src.Stats()
			return st.Tracked == 1 && st.Rotated == 0
		})
		if ps := h.positions(); len(ps) != 1 || ps[0].File != app {
			t.Fatalf("positions after the rotated file was dropped: %+v", ps)
		}
	})
}

// TestDeletedWhileOpen: a file deleted with lines not read yet is read to
// its end through the descriptor the source holds.
func TestDeletedWhileOpen(t *testing.T) {
	h := newHarness(t, map[string]string{"idleTimeout": "500"})
	app := filepath.Join(h.dir, "app.log")
	f, err := os.OpenFile(app, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(lines(1, 100))
	h.start()
	h.waitEvents(100)
	if err := os.Remove(app); err != nil {
		t.Fatal(err)
	}
	f.WriteString(lines(101, 200)) // a writer still holding the deleted file
	h.waitEvents(200)
	numbers(t, h.bodies(), 200)
	flumetest.WaitFor(t, waitLong, "the deleted file to be dropped", func() bool { return h.src.Stats().Tracked == 0 })
}

// TestCopyTruncate: logrotate's copytruncate copies the file, then
// truncates it. Lines written before the copy but not read yet are read
// from the copy; the new content is read from the start, once. Polling
// with a long backoff, the source usually sees the truncation only after
// all of it happened, so the copy is needed.
func TestCopyTruncate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		poll    bool
	}{
		{"copy-not-matched", `app\.log`, true},
		{"copy-matched", `app\.log.*`, true},
		{"copy-not-matched-inotify", `app\.log`, false},
		{"copy-matched-inotify", `app\.log.*`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{"filegroups.f1": "$DIR/" + tc.pattern}
			if tc.poll {
				// Back off for half a second, and no position-file write
				// wakes the source meanwhile.
				props["backoffSleepIncrement"], props["maxBackoffSleep"], props["writePosInterval"] = "500", "500", "60000"
			}
			h := newHarness(t, props)
			h.poll = tc.poll
			app := filepath.Join(h.dir, "app.log")
			write(t, app, lines(1, 100))
			h.start()
			h.waitEvents(100)
			h.waitRound() // now backing off (polling)
			write(t, app, lines(101, 150))
			copyFile(t, app, app+".1")
			truncate(t, app)
			write(t, app, lines(151, 200))
			h.waitEvents(200)
			h.settle(tc.pattern)
			numbers(t, h.bodies(), 200)
			if tc.poll && !strings.Contains(h.logs.String(), "from its copy") {
				t.Fatalf("the copy was not used:\n%s", h.logs.String())
			}
		})
	}
}

// TestReplacedInPlace: a file rewritten in place (same inode, different
// content, longer than the position) is read again from its start: its
// fingerprint no longer matches. The same check recognises a recycled
// inode.
func TestReplacedInPlace(t *testing.T) {
	t.Run("while-idle", func(t *testing.T) {
		h := newHarness(t, map[string]string{"idleTimeout": "200"})
		app := filepath.Join(h.dir, "app.log")
		write(t, app, lines(1, 10))
		h.start()
		h.waitEvents(10)
		flumetest.WaitFor(t, waitLong, "the idle file to be closed", func() bool { return h.src.Stats().Open == 0 })
		if err := os.WriteFile(app, []byte(lines(11, 30)), 0o644); err != nil {
			t.Fatal(err)
		}
		h.waitEvents(30)
		h.settle(`app\.log`)
		numbers(t, h.bodies(), 30)
	})
	t.Run("while-stopped", func(t *testing.T) {
		h := newHarness(t, nil)
		app := filepath.Join(h.dir, "app.log")
		write(t, app, lines(1, 10))
		h.start()
		h.waitEvents(10)
		h.stop()
		if err := os.WriteFile(app, []byte(lines(11, 30)), 0o644); err != nil {
			t.Fatal(err)
		}
		h.start()
		h.waitEvents(30)
		h.settle(`app\.log`)
		numbers(t, h.bodies(), 30)
	})
}

// TestRecycledInode: a file deleted while the source is stopped, and a new
// file that gets the same inode number at the same path, is read from its
// start (Flume resumes it at the old position).
func TestRecycledInode(t *testing.T) {
	h := newHarness(t, nil)
	app := filepath.Join(h.dir, "app.log")
	write(t, app, lines(1, 50))
	h.start()
	h.waitEvents(50)
	h.stop()
	old := inode(t, app)
	reused := false
	for i := 0; i < 50 && !reused; i++ {
		if err := os.Remove(app); err != nil {
			t.Fatal(err)
		}
		write(t, app, lines(51, 150))
		reused = inode(t, app) == old
	}
	if !reused {
		t.Skip("the file system did not hand the inode number out again")
	}
	h.start()
	h.waitEvents(150)
	h.settle(`app\.log`)
	numbers(t, h.bodies(), 150)
}

// TestRotationWhileStopped: rotations that happen while the agent is down
// are found at start-up: the renamed file is finished from its position
// (create), the copy supplies what the truncated file lost (copytruncate).
func TestRotationWhileStopped(t *testing.T) {
	t.Run("create", func(t *testing.T) {
		h := newHarness(t, map[string]string{"filegroups.f1": `$DIR/app\.log`})
		app := filepath.Join(h.dir, "app.log")
		write(t, app, lines(1, 100))
		h.start()
		h.waitEvents(100)
		h.stop()
		write(t, app, lines(101, 120))
		rename(t, app, app+".1")
		write(t, app+".1", lines(121, 150))
		write(t, app, lines(151, 200))
		h.start()
		h.waitEvents(200)
		h.settle(`app\.log`)
		numbers(t, h.bodies(), 200)
	})
	t.Run("copytruncate", func(t *testing.T) {
		h := newHarness(t, map[string]string{"filegroups.f1": `$DIR/app\.log`})
		app := filepath.Join(h.dir, "app.log")
		write(t, app, lines(1, 100))
		h.start()
		h.waitEvents(100)
		h.stop()
		write(t, app, lines(101, 150))
		copyFile(t, app, app+".1")
		truncate(t, app)
		write(t, app, lines(151, 300)) // longer than before: only the fingerprint tells
		h.start()
		h.waitEvents(300)
		h.settle(`app\.log`)
		numbers(t, h.bodies(), 300)
	})
	t.Run("renamed-within-pattern", func(t *testing.T) {
		h := newHarness(t, map[string]string{"filegroups.f1": `$DIR/app\.log.*`})
		app := filepath.Join(h.dir, "app.log")
		write(t, app, lines(1, 100))
		h.start()
		h.waitEvents(100)
		h.stop()
		rename(t, app, app+".1")
		write(t, app+".1", lines(101, 120))
		write(t, app, lines(121, 200))
		h.start()
		h.waitEvents(200)
		h.settle(`app\.log.*`)
		numbers(t, h.bodies(), 200)
	})
}

// TestIdleFileRotated: a file closed as idle, then written and rotated
// before the source reads it, is found by inode in its directory and read
// to its end.
func TestIdleFileRotated(t *testing.T) {
	h := newHarness(t, map[string]string{"filegroups.f1": `$DIR/app\.log`, "idleTimeout": "200",
		"backoffSleepIncrement": "500", "maxBackoffSleep": "500", "writePosInterval": "60000"})
	h.poll = true
	app := filepath.Join(h.dir, "app.log")
	write(t, app, lines(1, 10))
	h.start()
	h.waitEvents(10)
	flumetest.WaitFor(t, waitLong, "the idle file to be closed", func() bool { return h.src.Stats().Open == 0 })
	h.waitRound()
	write(t, app, lines(11, 20))
	rename(t, app, app+".1")
	write(t, app, lines(21, 30))
	h.waitEvents(30)
	h.settle(`app\.log`)
	numbers(t, h.bodies(), 30)
	if !strings.Contains(h.logs.String(), "file rotated while idle; reading it to its end") {
		t.Fatalf("the rotated file was not found by its inode:\n%s", h.logs.String())
	}
}

// TestDirectoryAwayAndBack: a directory that disappears for a while (moved
// away, an unmounted file system) makes the source conclude nothing: when
// it is back, its files carry on from their positions.
func TestDirectoryAwayAndBack(t *testing.T) {
	modes(t, func(t *testing.T, poll bool) {
		h := newHarness(t, map[string]string{"idleTimeout": "100"})
		h.poll = poll
		app := filepath.Join(h.dir, "app.log")
		write(t, app, lines(1, 50))
		h.start()
		h.waitEvents(50)
		flumetest.WaitFor(t, waitLong, "the idle file to be closed", func() bool { return h.src.Stats().Open == 0 })
		rename(t, h.dir, h.dir+".away")
		h.waitRound()
		h.waitRound()
		rename(t, h.dir+".away", h.dir)
		write(t, app, lines(51, 60))
		h.waitEvents(60)
		h.settle(`app\.log`)
		numbers(t, h.bodies(), 60)
	})
}
