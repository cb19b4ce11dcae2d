package sinktest

import (
	"bytes"
	"context"
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
)

// Destination is where the sink under test delivers.
type Destination interface {
	// Received returns the events the destination has accepted so far,
	// in the order it accepted them.
	Received(t testing.TB) []flume.Event
	// Fail makes every delivery fail from now on (true) or succeed again
	// (false). A destination that cannot be made to fail returns false
	// and the test that needs it is skipped.
	Fail(t testing.TB, failing bool) bool
}

// Options describe the sink under test.
type Options struct {
	// New returns a started sink draining in, a started channel the suite
	// made, and the destination it delivers to, working. The test stops
	// the sink. The sink's batch size must not exceed BatchSize.
	New func(t testing.TB, in flume.Channel) (flume.Sink, Destination)
	// BatchSize bounds the sink's batch size; the suite puts several
	// batches' worth of events (10 when 0).
	BatchSize int
	// Headers is set when the destination keeps event headers, so that
	// the suite compares them too; bodies are always compared.
	Headers bool
}

// Run runs every delivery test against the sink Options describe.
func Run(t *testing.T, o Options) {
	t.Helper()
	if o.BatchSize <= 0 {
		o.BatchSize = 10
	}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Options)
	}{
		{"DeliversInOrderExactlyOnce", testInOrderExactlyOnce},
		{"FailedDeliveryRollsBack", testFailedDeliveryRollsBack},
		{"EmptyChannelBacksOff", testEmptyChannelBacksOff},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, o) })
	}
}

// Event returns the suite's event number i: body "sinktest <i>" and a
// header seq = i.
func Event(i int) flume.Event {
	e := flume.NewEvent([]byte("sinktest " + strconv.Itoa(i)))
	e.SetHeader("seq", strconv.Itoa(i))
	return e
}

func newSink(t *testing.T, o Options) (*memory.Channel, flume.Sink, Destination) {
	t.Helper()
	n := 4 * o.BatchSize
	ch := flumetest.MemoryChannel(t, max(100, n), max(100, n), 0)
	s, dest := o.New(t, ch)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop the sink: %v", err)
		}
	})
	return ch, s, dest
}

// put commits events from..to-1 on ch, in transactions of batch events.
func put(t *testing.T, ch flume.Channel, from, to, batch int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < to; i += batch {
		var evs []flume.Event
		for j := i; j < min(i+batch, to); j++ {
			evs = append(evs, Event(j))
		}
		if err := flume.Do(ctx, ch, func(tx flume.Transaction) error { return tx.Put(ctx, evs...) }); err != nil {
			t.Fatal(err)
		}
	}
}

// process calls Process until the channel is empty, failing on any error.
func process(t *testing.T, s flume.Sink, ch flume.Channel) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for ch.Len() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d events still in the channel after 30 s", ch.Len())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		st, err := s.Process(ctx)
		cancel()
		if err != nil {
			t.Fatalf("Process with a working destination: %v", err)
		}
		if st != flume.Ready {
			t.Fatalf("Process took events and returned %v, want Ready", st)
		}
	}
}

// waitReceived waits until the destination holds at least n events; a
// destination may make what it accepted visible a little later.
func waitReceived(t *testing.T, d Destination, n int) []flume.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := d.Received(t)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// same fails unless got is events from..to-1 in order.
func same(t *testing.T, o Options, got []flume.Event, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("the destination received %d events, want %d (events %d..%d once each)", len(got), to-from, from, to-1)
	}
	for i, e := range got {
		want := Event(from + i)
		if !bytes.Equal(e.Body, want.Body) {
			t.Fatalf("received event %d has body %q, want %q (lost, duplicated or out of order)", i, e.Body, want.Body)
		}
		if o.Headers && !maps.Equal(headers(e), headers(want)) {
			t.Fatalf("received event %d has headers %v, want %v", i, headers(e), headers(want))
		}
	}
}

func headers(e flume.Event) map[string]string {
	m := map[string]string{}
	for k, v := range e.AllHeaders() {
		m[k] = v
	}
	return m
}

func testInOrderExactlyOnce(t *testing.T, o Options) {
	ch, s, dest := newSink(t, o)
	n := 3*o.BatchSize + o.BatchSize/2 + 1 // full batches and a partial one
	put(t, ch, 0, n, o.BatchSize)
	process(t, s, ch)
	same(t, o, waitReceived(t, dest, n), 0, n)
}

func testFailedDeliveryRollsBack(t *testing.T, o Options) {
	ch, s, dest := newSink(t, o)
	n := 2 * o.BatchSize
	put(t, ch, 0, n, o.BatchSize)
	if !dest.Fail(t, true) {
		t.Skip("the destination cannot be made to fail")
	}
	for try := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := s.Process(ctx)
		cancel()
		if err == nil {
			t.Fatalf("Process %d returned no error although the destination fails", try+1)
		}
		if ch.Len() != n {
			t.Fatalf("after a failed Process the channel holds %d events, want all %d back", ch.Len(), n)
		}
	}
	dest.Fail(t, false)
	process(t, s, ch)
	got := waitReceived(t, dest, n)
	// At least once: a failed delivery may have reached the destination
	// before its acknowledgement was lost, but then the sink sends it again
	// and its events keep their order.
	var firsts []flume.Event
	seen := map[string]bool{}
	for _, e := range got {
		if !seen[string(e.Body)] {
			seen[string(e.Body)] = true
			firsts = append(firsts, e)
		}
	}
	same(t, o, firsts, 0, n)
	same(t, o, got[len(got)-n:], 0, n) // the retry delivered them all, in order
}

func testEmptyChannelBacksOff(t *testing.T, o Options) {
	_, s, dest := newSink(t, o)
	for range 3 {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		st, err := s.Process(ctx)
		cancel()
		if err != nil || st != flume.Backoff {
			t.Fatalf("Process on an empty channel = %v, %v; want Backoff, nil", st, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Process on an empty channel (keep-alive 0) took %s", d)
		}
	}
	if got := dest.Received(t); len(got) != 0 {
		t.Fatalf("an empty channel delivered %d events", len(got))
	}
}
