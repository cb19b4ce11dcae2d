package sinkgroup

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/sink"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.UnixMilli(1_700_000_000_000)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var errDown = errors.New("destination down")

// testSink is a real batching sink (sink.Step over a real channel) whose
// destination can be switched off; it records the sequence numbers it
// delivered.
type testSink struct {
	name    string
	ch      flume.Channel
	batch   int
	fail    atomic.Bool
	tries   atomic.Int64 // Process calls that took events
	counter flume.SinkCounter
	started atomic.Int32

	mu        sync.Mutex
	delivered []int
	onDeliver func(total int)
}

func (s *testSink) Start(context.Context) error { s.started.Add(1); return nil }
func (s *testSink) Stop(context.Context) error  { s.started.Add(-1); return nil }

func (s *testSink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: s.batch}, &s.counter, func(_ context.Context, evs []flume.Event) error {
		s.tries.Add(1)
		if s.fail.Load() {
			return errDown
		}
		s.mu.Lock()
		for _, e := range evs {
			s.delivered = append(s.delivered, channeltest.Seq(e))
		}
		n, cb := len(s.delivered), s.onDeliver
		s.mu.Unlock()
		if cb != nil {
			cb(n)
		}
		return nil
	})
	return res.Status, err
}

func (s *testSink) got() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.delivered...)
}

func put(t testing.TB, ch flume.Channel, from, to int) {
	t.Helper()
	for i := from; i < to; i += 100 {
		end := min(i+100, to)
		if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			return tx.Put(context.Background(), channeltest.Events(i, end)...)
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func newSinks(ch flume.Channel, batch int, names ...string) ([]*testSink, []flume.NamedSink) {
	var ts []*testSink
	var ns []flume.NamedSink
	for _, n := range names {
		s := &testSink{name: n, ch: ch, batch: batch}
		ts = append(ts, s)
		ns = append(ns, flume.NamedSink{Name: n, Sink: s})
	}
	return ts, ns
}

// drain calls Process until it reports Backoff without an error, and
// fails the test if that takes more than limit calls.
func drain(t *testing.T, p flume.Sink, limit int) {
	t.Helper()
	for range limit {
		st, err := p.Process(context.Background())
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		if st == flume.Backoff {
			return
		}
	}
	t.Fatalf("still Ready after %d Process calls", limit)
}

// exactlyOnce checks that the sinks together delivered 0..n-1, each once.
func exactlyOnce(t *testing.T, n int, sinks ...*testSink) {
	t.Helper()
	seen := make([]int, n)
	for _, s := range sinks {
		for _, q := range s.got() {
			if q < 0 || q >= n {
				t.Fatalf("sink %s delivered unexpected event %d", s.name, q)
			}
			seen[q]++
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("event %d delivered %d times (want exactly once)", i, c)
		}
	}
}

func span(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// testRegistry returns reg (a new registry when nil) with Flume's sink
// processors registered on clock (time.Now when nil).
func testRegistry(t testing.TB, clock *fakeClock, reg *flume.Registry) *flume.Registry {
	t.Helper()
	if reg == nil {
		reg = flume.NewRegistry()
	}
	now := time.Now
	if clock != nil {
		now = clock.Now
	}
	if err := register(reg, now); err != nil {
		t.Fatal(err)
	}
	return reg
}

func newGroup(t *testing.T, clock *fakeClock, props map[string]string, sinks []flume.NamedSink, reg *flume.Registry) (flume.Sink, *flume.Context) {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	p, err := New(flume.Settings{Name: "g1"}, cfg, sinks, testRegistry(t, clock, reg))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, cfg
}
