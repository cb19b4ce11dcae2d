package exec

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
)

// harness is an exec source writing into a real memory channel.
type harness struct {
	ch       *memory.Channel
	src      *Source
	counters *flumetest.Counters
}

// counter returns the source's published counter attr.
func (h *harness) counter(attr string) int64 { return h.counters.Get("r1", attr) }

func newHarness(t *testing.T, props map[string]string, capacity int, keepAlive time.Duration) *harness {
	return newHarnessWith(t, props, capacity, keepAlive, nil)
}

// refusals wraps a processor and closes first when a batch is refused.
type refusals struct {
	flume.ChannelProcessor
	once  sync.Once
	first chan struct{}
}

func (r *refusals) Process(ctx context.Context, evs []flume.Event) error {
	err := r.ChannelProcessor.Process(ctx, evs)
	if err != nil {
		r.once.Do(func() { close(r.first) })
	}
	return err
}

func newHarnessWith(t *testing.T, props map[string]string, capacity int, keepAlive time.Duration, wrap func(flume.ChannelProcessor) flume.ChannelProcessor) *harness {
	t.Helper()
	ch := flumetest.MemoryChannel(t, capacity, min(capacity, 1000), keepAlive)
	cfg := flume.ContextFromMap(props)
	var proc flume.ChannelProcessor = flumetest.Processor(ch)
	if wrap != nil {
		proc = wrap(proc)
	}
	counters := &flumetest.Counters{}
	src, err := Factory(counters.Settings("r1"), cfg, proc)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{ch: ch, src: src.(*Source), counters: counters}
	if err := h.src.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.src.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return h
}

// take takes n events (waiting up to the channel's keep-alive per batch) and
// fails the test when they do not arrive within the deadline.
func (h *harness) take(t *testing.T, n int, deadline time.Duration) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var out []string
	for len(out) < n {
		tx, err := h.ch.Begin()
		if err != nil {
			t.Fatal(err)
		}
		evs, err := tx.Take(ctx, min(1000, n-len(out)))
		if err != nil {
			_ = tx.Rollback()
			t.Fatalf("after %d of %d events: %v", len(out), n, err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			out = append(out, string(e.Body))
		}
	}
	return out
}

func TestSeqLinesInOrder(t *testing.T) {
	const n = 200000
	h := newHarness(t, map[string]string{"command": "seq 1 " + strconv.Itoa(n), "batchSize": "1000"}, 10000, time.Second)
	got := h.take(t, n, 60*time.Second)
	for i, s := range got {
		if s != strconv.Itoa(i+1) {
			t.Fatalf("line %d = %q, want %d", i, s, i+1)
		}
	}
	if h.counter("EventReceivedCount") != n || h.counter("EventAcceptedCount") != n {
		t.Fatalf("received %d accepted %d, want %d", h.counter("EventReceivedCount"), h.counter("EventAcceptedCount"), n)
	}
}

func TestLineEndings(t *testing.T) {
	h := newHarness(t, map[string]string{"command": `printf 'a\r\nb\rc\n\nd'`, "shell": "/bin/sh -c", "batchTimeout": "50"}, 100, time.Second)
	got := h.take(t, 5, 10*time.Second)
	if strings.Join(got, "|") != "a|b|c||d" {
		t.Fatalf("lines = %q, want a b c (empty) d", got)
	}
}

func TestShellPipeline(t *testing.T) {
	h := newHarness(t, map[string]string{"command": "echo abc | tr a-c x-z", "shell": "/bin/sh -c", "batchTimeout": "50"}, 100, time.Second)
	if got := h.take(t, 1, 10*time.Second); got[0] != "xyz" {
		t.Fatalf("line = %q", got[0])
	}
}

func TestBatchTimeoutFlushesPartialBatch(t *testing.T) {
	// The command prints one line and then waits: only batchTimeout can
	// deliver it while the command runs.
	h := newHarness(t, map[string]string{"command": "echo early; exec sleep 30", "shell": "/bin/sh -c",
		"batchSize": "100", "batchTimeout": "100"}, 100, 5*time.Second)
	if got := h.take(t, 1, 10*time.Second); got[0] != "early" {
		t.Fatalf("line = %q", got[0])
	}
}

func TestRestart(t *testing.T) {
	h := newHarness(t, map[string]string{"command": "echo run", "restart": "true", "restartThrottle": "10", "batchTimeout": "20"}, 100, 2*time.Second)
	got := h.take(t, 3, 20*time.Second)
	for _, s := range got {
		if s != "run" {
			t.Fatalf("lines = %q", got)
		}
	}
}

func TestBackpressureLosesNothing(t *testing.T) {
	// A channel of 50 events and nobody taking: the source must hold the
	// command's output and retry, then deliver everything once a consumer
	// starts.
	const n = 2000
	ref := &refusals{first: make(chan struct{})}
	h := newHarnessWith(t, map[string]string{"command": "seq 1 " + strconv.Itoa(n), "batchSize": "20"}, 50, 0,
		func(p flume.ChannelProcessor) flume.ChannelProcessor { ref.ChannelProcessor = p; return ref })
	select {
	case <-ref.first:
	case <-time.After(20 * time.Second):
		t.Fatal("the source never hit the full channel")
	}
	var got []string
	for len(got) < n {
		got = append(got, h.take(t, min(50, n-len(got)), 30*time.Second)...)
	}
	for i, s := range got {
		if s != strconv.Itoa(i+1) {
			t.Fatalf("line %d = %q, want %d (lost or reordered)", i, s, i+1)
		}
	}
	if h.counter("ChannelWriteFail") == 0 {
		t.Fatal("refused batches were not counted in ChannelWriteFail")
	}
}

func TestStopTerminatesCommand(t *testing.T) {
	h := newHarness(t, map[string]string{"command": "sleep 600"}, 100, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	start := time.Now()
	if err := h.src.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Fatalf("Stop took %s: the command was not terminated", d)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, props := range []map[string]string{
		{},
		{"command": "seq 1", "batchSize": "0"},
		{"command": "seq 1", "batchSize": "x"},
		{"command": "seq 1", "batchTimeout": "-1"},
	} {
		if _, err := Factory(flume.Settings{}, flume.ContextFromMap(props), nil); err == nil {
			t.Errorf("config %v accepted", props)
		}
	}
}

func BenchmarkSplitLines(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 64<<10 {
		sb.WriteString(strings.Repeat("x", 99) + "\n")
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		splitLines(data, 1000)
	}
}

// TestAbandonedStopKillsCommand checks the flume.Lifecycle contract when
// Stop's ctx has already ended: the source's commit into a full channel is
// abandoned and a command that ignores SIGTERM is killed at once, so Stop
// returns the ctx error promptly and the next Stop returns nil well before
// the 5 s SIGKILL fallback.
func TestAbandonedStopKillsCommand(t *testing.T) {
	ref := &refusals{first: make(chan struct{})}
	h := newHarnessWith(t, map[string]string{
		"shell": "/bin/sh -c", "command": `trap "" TERM; while :; do echo x; sleep 0.01; done`, "batchSize": "5",
	}, 10, 0, func(p flume.ChannelProcessor) flume.ChannelProcessor { ref.ChannelProcessor = p; return ref })
	select {
	case <-ref.first:
	case <-time.After(20 * time.Second):
		t.Fatal("the source never hit the full channel")
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := h.src.Stop(ended); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop with an ended ctx = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Stop with an ended ctx took %s", d)
	}
	ctx, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := h.src.Stop(ctx); err != nil {
		t.Fatalf("second Stop = %v", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("the command outlived an abandoned Stop by %s", d)
	}
	if err := h.src.Start(context.Background()); err != nil {
		t.Fatalf("Start after Stop = %v", err)
	}
}

// records is a slog handler that keeps every record.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

func (r *records) matching(msg string) []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.recs {
		if strings.HasPrefix(rec.Message, msg) {
			out = append(out, rec)
		}
	}
	return out
}

// TestRestartFloodIsThrottled is finding 7 of issue 19: restart = true with
// restartThrottle = 0 and a command that exits at once logged 5,268
// restarts in 8 s. The throttle is raised to MinRestartThrottle with a
// located warning, and the start and restart lines are rate-limited (the
// others go to debug level).
func TestRestartFloodIsThrottled(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"command": "true", "restart": "true", "restartThrottle": "0", "batchTimeout": "20"})
	logs := &records{}
	src, err := Factory(flume.Settings{Name: "r1", Logger: slog.New(logs)}, cfg, flumetest.Processor(flumetest.MemoryChannel(t, 10, 10, 0)))
	if err != nil {
		t.Fatal(err)
	}
	ps := cfg.Problems()
	if len(ps) != 1 || ps[0].Severity != flume.Warning || ps[0].Key != "restartThrottle" || !strings.Contains(ps[0].Message, "minimum of 100 ms") {
		t.Fatalf("problems %v, want a warning about the minimum at restartThrottle", ps)
	}
	s := src.(*Source)
	begin := time.Now()
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 20*time.Second, "6 starts of the command", func() bool { return len(logs.matching("command started")) >= 6 })
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(begin)
	starts := logs.matching("command started")
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Time.Sub(starts[i-1].Time); gap < MinRestartThrottle {
			t.Fatalf("restart %d came %v after the previous start, less than the minimum throttle %v", i, gap, MinRestartThrottle)
		}
	}
	allowed := 1 + int(elapsed/restartLogInterval) // lines per interval
	for _, msg := range []string{"command started", "command exited"} {
		shown := 0
		for _, rec := range logs.matching(msg) {
			if rec.Level > slog.LevelDebug {
				shown++
			}
		}
		if shown > allowed {
			t.Errorf("%d %q lines above debug level in %v, want at most %d", shown, msg, elapsed, allowed)
		}
	}
}
