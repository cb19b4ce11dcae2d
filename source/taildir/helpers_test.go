package taildir

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitLong = 20 * time.Second

// harness is a TAILDIR source over a temporary logs directory, writing
// into a real memory channel.
type harness struct {
	t     *testing.T
	dir   string // the logs directory
	pos   string // the position file
	props map[string]string
	ch    *memory.Channel
	src   *Source
	got   []flume.Event
	poll  bool // poll instead of using inotify
	quiet bool // log at warning level only (the log is kept in memory)
	logs  flumetest.LogBuffer
	// counters holds what the last started source publishes (as "r1").
	counters flumetest.Counters
}

// counter returns the running source's published counter attr.
func (h *harness) counter(attr string) int64 { return h.counters.Get("r1", attr) }

// newHarness prepares a source whose group f1 is logs/.*\.log; extra
// properties override the defaults. The source is not started.
func newHarness(t *testing.T, extra map[string]string) *harness {
	t.Helper()
	root := t.TempDir()
	h := &harness{t: t, dir: filepath.Join(root, "logs"), pos: filepath.Join(root, "pos", "taildir_position.json")}
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h.props = map[string]string{
		"filegroups":    "f1",
		"filegroups.f1": h.dir + `/.*\.log`,
		"positionFile":  h.pos,
		// Quick rounds when polling, and quick rescans, keep the tests short.
		"backoffSleepIncrement": "50",
		"maxBackoffSleep":       "300",
	}
	for k, v := range extra {
		h.props[k] = strings.ReplaceAll(v, "$DIR", h.dir)
	}
	h.ch = flumetest.MemoryChannel(t, 1<<20, 10000, 50*time.Millisecond)
	t.Cleanup(func() {
		if t.Failed() {
			logs := h.logs.String()
			t.Logf("source log (last 20 KB):\n%s", logs[max(0, len(logs)-20000):])
		}
	})
	return h
}

// start builds and starts a new source with h's properties.
func (h *harness) start() {
	h.t.Helper()
	cfg := flume.ContextFromMap(h.props)
	level := slog.LevelDebug
	if h.quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(&h.logs, &slog.HandlerOptions{Level: level}))
	set := h.counters.Settings("r1")
	set.Logger = log
	src, err := Factory(set, cfg, flumetest.Processor(h.ch))
	if err != nil {
		h.t.Fatal(err)
	}
	if un := cfg.Unused(); len(un) > 0 {
		h.t.Fatalf("unread properties: %v", un)
	}
	h.src = src.(*Source)
	h.src.cfg.poll = h.poll
	if err := h.src.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	s := h.src
	h.t.Cleanup(func() { stopSource(h.t, s) })
	flumetest.WaitFor(h.t, waitLong, "the source to load its positions", func() bool { return s.Stats().Loaded })
}

func stopSource(t testing.TB, s *Source) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// stop stops the running source.
func (h *harness) stop() {
	h.t.Helper()
	stopSource(h.t, h.src)
}

// collect takes what the channel holds.
func (h *harness) collect() {
	h.got = append(h.got, flumetest.TakeAll(h.t, h.ch)...)
}

// waitEvents waits until n events in all were taken.
func (h *harness) waitEvents(n int) {
	h.t.Helper()
	flumetest.WaitFor(h.t, waitLong, fmt.Sprintf("%d events", n), func() bool {
		h.collect()
		return len(h.got) >= n
	})
}

// bodies returns the bodies taken so far.
func (h *harness) bodies() []string {
	out := make([]string, len(h.got))
	for i, e := range h.got {
		out[i] = string(e.Body)
	}
	return out
}

// settle waits until every file of the logs directory that matches the
// group is tracked and read to its end, by the state file, then collects.
func (h *harness) settle(match string) {
	h.t.Helper()
	re := regexp.MustCompile(`^(?:` + match + `)$`)
	flumetest.WaitFor(h.t, waitLong, "the source to read every file to its end", func() bool {
		st, err := readState(h.pos + stateSuffix)
		if err != nil || st == nil {
			return false
		}
		entries, _ := os.ReadDir(h.dir)
		for _, e := range entries {
			if !re.MatchString(e.Name()) {
				continue
			}
			fi, err := os.Stat(filepath.Join(h.dir, e.Name()))
			if err != nil {
				return false
			}
			id, _ := identity(fi)
			se := st.entries[id]
			if se == nil || se.pos != fi.Size() {
				return false
			}
		}
		return true
	})
	h.collect()
}

// waitRound waits until the source has done a whole round of work after
// this call: what was written before it was seen.
func (h *harness) waitRound() {
	h.t.Helper()
	r := h.src.Stats().Rounds
	flumetest.WaitFor(h.t, waitLong, "a round of the source", func() bool { return h.src.Stats().Rounds >= r+2 })
}

// waitPos waits until the state file records pos for path.
func (h *harness) waitPos(path string, pos int64) {
	h.t.Helper()
	flumetest.WaitFor(h.t, waitLong, fmt.Sprintf("position %d of %s", pos, path), func() bool {
		st, err := readState(h.pos + stateSuffix)
		if err != nil || st == nil {
			return false
		}
		for _, e := range st.entries {
			if e.path == path && e.pos == pos {
				return true
			}
		}
		return false
	})
}

// numbers checks that the bodies are the numbers 1..n, each exactly once
// (in any order), and reports the first problem.
func numbers(t testing.TB, bodies []string, n int) {
	t.Helper()
	count := map[int]int{}
	for _, b := range bodies {
		v, err := strconv.Atoi(strings.TrimSpace(strings.Fields(b + " x")[0]))
		if err != nil {
			t.Fatalf("unexpected line %q", b)
		}
		count[v]++
	}
	var missing, dup []int
	for i := 1; i <= n; i++ {
		switch c := count[i]; {
		case c == 0:
			missing = append(missing, i)
		case c > 1:
			dup = append(dup, i)
		}
		delete(count, i)
	}
	extra := sort.IntSlice(nil)
	for v := range count {
		extra = append(extra, v)
	}
	sort.Ints(extra)
	if len(missing)+len(dup)+len(extra) > 0 {
		t.Fatalf("%d lines: %d missing %v, %d repeated %v, %d unexpected %v",
			len(bodies), len(missing), head(missing), len(dup), head(dup), len(extra), head(extra))
	}
}

func head(v []int) []int { return v[:min(len(v), 20)] }

// write appends data to path, creating it.
func write(t testing.TB, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// lines returns "from\n" ... "to\n".
func lines(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// positions reads the position file.
func (h *harness) positions() []Position {
	h.t.Helper()
	data, err := os.ReadFile(h.pos)
	if err != nil {
		h.t.Fatal(err)
	}
	ps, err := DecodePositions(data)
	if err != nil {
		h.t.Fatal(err)
	}
	return ps
}

func inode(t testing.TB, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := identity(fi)
	return id.ino
}

func headersOf(e flume.Event) map[string]string {
	return maps.Collect(e.AllHeaders())
}
