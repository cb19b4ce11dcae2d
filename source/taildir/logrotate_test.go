package taildir

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// logrotate returns Debian's logrotate, or skips the test without it
// (fails under FLUMEGO_REQUIRE_PEERS=1; .ci/setup.d/logrotate.sh installs
// it).
func logrotate(t *testing.T) string {
	path, err := exec.LookPath("logrotate")
	if err != nil {
		path, err = exec.LookPath("/usr/sbin/logrotate")
	}
	flumetest.RequirePeer(t, err, "see .ci/setup.d/logrotate.sh")
	return path
}

// writer appends numbered lines to a log file at a steady rate, as an
// application logging. With reopen, it reopens the file when its path
// holds another file (an application told to reopen its log after
// logrotate's create), checking every few lines, so some lines still go to
// the renamed file.
type writer struct {
	path   string
	reopen bool
	n      int // lines written
	stop   chan struct{}
	done   chan error
}

func startWriter(path string, reopen bool) *writer {
	w := &writer{path: path, reopen: reopen, stop: make(chan struct{}), done: make(chan error, 1)}
	go func() { w.done <- w.run() }()
	return w
}

func (w *writer) run() error {
	open := func() (*os.File, uint64, error) {
		f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		id, _ := identity(fi)
		return f, id.ino, nil
	}
	f, ino, err := open()
	if err != nil {
		return err
	}
	defer func() { f.Close() }()
	tick := time.NewTicker(200 * time.Microsecond)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return nil
		case <-tick.C:
		}
		// A few lines per tick: about 10,000 lines a second.
		for range 2 {
			w.n++
			if _, err := fmt.Fprintf(f, "%d some log text\n", w.n); err != nil {
				return err
			}
		}
		if w.reopen && w.n%64 == 0 {
			if fi, err := os.Stat(w.path); err == nil {
				if id, _ := identity(fi); id.ino != ino {
					f.Close()
					if f, ino, err = open(); err != nil {
						return err
					}
				}
			}
		}
	}
}

// finish stops the writer and returns how many lines it wrote.
func (w *writer) finish(t testing.TB) int {
	t.Helper()
	close(w.stop)
	if err := <-w.done; err != nil {
		t.Fatal(err)
	}
	return w.n
}

// onDisk returns the line numbers found in the files of dir.
func onDisk(t testing.TB, dir string) map[int]int {
	t.Helper()
	out := map[int]int{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if n, err := strconv.Atoi(strings.Fields(sc.Text() + " x")[0]); err == nil {
				out[n]++
			}
		}
		f.Close()
	}
	return out
}

// TestLogrotate rotates a log with Debian's logrotate, in both modes, while
// a writer appends numbered lines: every line logrotate left on disk
// arrives exactly once. (copytruncate itself loses the lines written
// between its copy and its truncation; logrotate documents it. They are
// in no file, and are counted apart.)
func TestLogrotate(t *testing.T) {
	bin := logrotate(t)
	for _, tc := range []struct {
		mode string
		poll bool
	}{
		{"create", false},
		{"copytruncate", false},
		{"copytruncate", true},
	} {
		t.Run(fmt.Sprintf("%s/poll=%v", tc.mode, tc.poll), func(t *testing.T) {
			h := newHarness(t, map[string]string{"filegroups.f1": `$DIR/app\.log`, "batchSize": "500"})
			h.poll = tc.poll
			app := filepath.Join(h.dir, "app.log")
			conf := filepath.Join(t.TempDir(), "logrotate.conf")
			state := filepath.Join(t.TempDir(), "logrotate.state")
			rule := fmt.Sprintf("%s {\n\trotate 100\n\t%s\n\tnocompress\n\tmissingok\n}\n", app, tc.mode)
			if err := os.WriteFile(conf, []byte(rule), 0o644); err != nil {
				t.Fatal(err)
			}
			w := startWriter(app, tc.mode == "create")
			h.start()
			start := time.Now()
			rotations := 4
			for i := range rotations {
				flumetest.WaitFor(t, waitLong, "lines to rotate", func() bool {
					fi, err := os.Stat(app)
					return err == nil && fi.Size() > 20<<10
				})
				out, err := exec.Command(bin, "-f", "-s", state, conf).CombinedOutput()
				if err != nil {
					t.Fatalf("logrotate (rotation %d): %v\n%s", i+1, err, out)
				}
			}
			written := w.finish(t)
			t.Logf("writing and rotating took %v", time.Since(start))
			disk := onDisk(t, h.dir)
			if n := len(filepathGlob(t, app+".*")); n != rotations {
				t.Fatalf("%d rotated files, want %d", n, rotations)
			}
			lost := 0
			for i := 1; i <= written; i++ {
				switch disk[i] {
				case 0:
					lost++
				case 1:
				default:
					t.Fatalf("line %d is %d times on disk", i, disk[i])
				}
			}
			if tc.mode == "create" && lost > 0 {
				t.Fatalf("%d lines are on no file after create rotations", lost)
			}
			h.waitEvents(len(disk))
			h.settle(`app\.log`)
			t.Logf("delivered %v after the writer stopped", time.Since(start))
			// Every line on disk arrives once. A line logrotate's copytruncate
			// lost may still arrive (read before the truncation), once.
			got := map[int]int{}
			for _, b := range h.bodies() {
				n, _ := strconv.Atoi(strings.Fields(b)[0])
				got[n]++
			}
			var missing, repeated, unknown []int
			caught := 0
			for n, c := range got {
				switch {
				case n < 1 || n > written:
					unknown = append(unknown, n)
				case c > 1:
					repeated = append(repeated, n)
				case disk[n] == 0:
					caught++
				}
			}
			for n := range disk {
				if got[n] == 0 {
					missing = append(missing, n)
				}
			}
			sort.Ints(missing)
			sort.Ints(repeated)
			if len(missing)+len(repeated)+len(unknown) > 0 {
				t.Fatalf("%d lines on disk, %d events: missing %v, repeated %v, unknown %v",
					len(disk), len(h.got), head(missing), head(repeated), head(unknown))
			}
			t.Logf("%d lines written, %d rotations: %d lost by logrotate itself (%d of them read before it truncated), all %d on disk delivered once",
				written, rotations, lost, caught, len(disk))
		})
	}
}

func filepathGlob(t testing.TB, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
