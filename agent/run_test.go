package agent

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/sink"
)

// loads collects an agent's load reports.
type loads struct {
	mu      sync.Mutex
	reports []LoadReport
}

func (l *loads) add(r LoadReport) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports = append(l.reports, r)
}

func (l *loads) all() []LoadReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LoadReport(nil), l.reports...)
}

// TestRunReloadsChangedFile runs an Agent on a properties file, changes
// the file (a typo first, then a valid change), and stops it.
func TestRunReloadsChangedFile(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	path := filepath.Join(t.TempDir(), "a1.properties")
	// Each version of the file appears at once (written aside, then
	// renamed), so a poll never reads a half-written file and every
	// change is exactly one reload report.
	write := func(text string) {
		t.Helper()
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	write(pipeline(dir1, 100, 100, 1000))
	var reports loads
	a, err := New(Config{
		Source: Files("a1", path), Reload: true, PollInterval: 10 * time.Millisecond,
		Registry:      registry(t),
		RunnerBackoff: &RunnerBackoff{Step: time.Millisecond, Max: 5 * time.Millisecond, Error: time.Millisecond},
		OnLoad:        reports.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	flumetest.WaitFor(t, 20*time.Second, "100 lines in the first directory", func() bool { return len(readAll(t, dir1)) == 100 })
	first := a.Snapshot()
	if first.Generation != 0 || !first.Running || len(first.Sinks) != 1 || first.Sinks[0].State != Running {
		t.Fatalf("snapshot after start: %+v", first)
	}

	// A typo is refused; the agent keeps running as it was.
	write("# a typo\n" + strings.Replace(pipeline(dir2, 200, 100, 1000), "file_roll", "file_rol", 1))
	flumetest.WaitFor(t, 20*time.Second, "the refused reload to be reported", func() bool {
		r := reports.all()
		return len(r) == 2 && errors.Is(r[1].Err, ErrReloadRefused)
	})
	if s := a.Snapshot(); s.Generation != 0 || s.Sinks[0].ID != first.Sinks[0].ID {
		t.Fatalf("a refused reload changed the graph: generation %d", s.Generation)
	}

	// A valid change moves the sink to another directory.
	write("# the second directory\n" + pipeline(dir2, 200, 100, 1000))
	flumetest.WaitFor(t, 20*time.Second, "200 lines in the second directory", func() bool { return len(readAll(t, dir2)) == 200 })
	s := a.Snapshot()
	if s.Generation != 1 || s.Sinks[0].ID == first.Sinks[0].ID || s.Channels[0].ID != first.Channels[0].ID {
		t.Fatalf("after the reload: generation %d, sink rebuilt %v, channel kept %v", s.Generation,
			s.Sinks[0].ID != first.Sinks[0].ID, s.Channels[0].ID == first.Channels[0].ID)
	}
	if len(readAll(t, dir1)) != 100 {
		t.Fatalf("the first directory holds %d lines after the reload", len(readAll(t, dir1)))
	}
	r := reports.all()
	if len(r) != 3 || r[0].Reload || r[0].Err != nil || !r[2].Reload || r[2].Err != nil {
		t.Fatalf("load reports: %+v", r)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its ctx ended")
	}
	if s := a.Snapshot(); s.Running || s.Sinks[0].State != Stopped {
		t.Fatalf("after Run: running %v, sink %v", s.Running, s.Sinks[0].State)
	}
}

func TestRunRefusesWhatCannotStart(t *testing.T) {
	for name, tc := range map[string]struct {
		text   string
		strict bool
		want   string
	}{
		"nothing to run": {text: "a1.channels = c1\na1.channels.c1.type = memory\n", want: "nothing to run"},
		"strict":         {text: strings.Replace(pipeline(t.TempDir(), 1, 1, 10), "file_roll", "nosuchsink", 1), strict: true, want: "strict"},
	} {
		t.Run(name, func(t *testing.T) {
			props := parseAgent(t, tc.text)
			a, err := New(Config{Source: Static(props), Strict: tc.strict, Registry: registry(t)})
			if err != nil {
				t.Fatal(err)
			}
			err = a.Run(context.Background()) // returns at once: the ctx is never used
			if !errors.Is(err, ErrNotStarted) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want ErrNotStarted mentioning %q", err, tc.want)
			}
		})
	}
	a, err := New(Config{Source: Files("a1", filepath.Join(t.TempDir(), "missing.properties"))})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); !errors.Is(err, ErrNotStarted) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Run on a missing file = %v", err)
	}
	if _, err := New(Config{}); err == nil {
		t.Fatal("New accepted a Config without a source")
	}
}

// stuck is a plugin sink whose Process, once it has taken events, ignores
// both its context and the sink's Stop until released: the worst a sink
// may do without breaking the lifecycle contract (its Stop returns at
// once).
type stuck struct {
	ch      flume.Channel
	entered chan struct{}
	release chan struct{}
	stops   atomic.Int32
}

func (s *stuck) Start(context.Context) error { return nil }
func (s *stuck) Stop(context.Context) error  { s.stops.Add(1); return nil }
func (s *stuck) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: 10}, nil, func(context.Context, []flume.Event) error {
		select {
		case s.entered <- struct{}{}:
		default:
		}
		<-s.release
		return nil
	})
	return res.Status, err
}

// TestRunHonoursStopTimeout stops an agent whose sink is stuck delivering:
// Run returns once StopTimeout has passed, with an error, and a later Stop
// completes when the sink lets go.
func TestRunHonoursStopTimeout(t *testing.T) {
	before := goleak.IgnoreCurrent()
	reg := registry(t)
	sk := &stuck{entered: make(chan struct{}, 1), release: make(chan struct{})}
	if err := reg.RegisterSink("com.example.StuckSink", func(_ flume.Settings, _ *flume.Context, in flume.Channel) (flume.Sink, error) {
		sk.ch = in
		return sk, nil
	}); err != nil {
		t.Fatal(err)
	}
	const timeout = 300 * time.Millisecond
	a, err := New(Config{Source: Static(parseAgent(t, `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 10
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = com.example.StuckSink
a1.sinks.k1.channel = c1
`)), Registry: reg, StopTimeout: timeout, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-sk.entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the sink never took the events")
	}
	cancel()
	start := time.Now()
	var runErr error
	select {
	case runErr = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Run ignored its StopTimeout")
	}
	if took := time.Since(start); took < timeout || took > timeout+5*time.Second {
		t.Fatalf("Run returned %v after its ctx ended, want about %v", took, timeout)
	}
	if !errors.Is(runErr, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want a deadline error", runErr)
	}
	if sk.stops.Load() != 1 {
		t.Fatalf("the stuck sink was stopped %d times, want 1 (told to abort)", sk.stops.Load())
	}
	if s := a.Snapshot(); s.Running {
		t.Fatal("the snapshot says running after Stop")
	}
	close(sk.release)
	if err := a.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if sk.stops.Load() != 2 {
		t.Fatalf("the sink was stopped %d times, want 2", sk.stops.Load())
	}
	if err := a.Stop(context.Background()); err != nil || sk.stops.Load() != 2 {
		t.Fatalf("Stop of a stopped agent = %v, sink stops %d", err, sk.stops.Load())
	}
	if err := goleak.Find(before); err != nil {
		t.Fatalf("goroutines left after the second Stop: %v", err)
	}
}
