package sourcetest

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

// Options describe the source under test.
type Options struct {
	// New returns a started source that hands its events to out. The
	// test stops it.
	New func(t testing.TB, out flume.ChannelProcessor) flume.Source
	// Send sends events to the started source as its clients do, in one
	// request where the protocol has batches, and returns how many of
	// them the source acknowledged (the first acked ones) and an error
	// when it refused the others.
	Send func(t testing.TB, src flume.Source, events []flume.Event) (acked int, err error)
	// Headers is set when the protocol carries headers, so that the
	// suite compares them too.
	Headers bool
}

// Run runs every test against the source Options describe.
func Run(t *testing.T, o Options) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Options)
	}{
		{"AcknowledgedEventsAreCommitted", testAcknowledged},
		{"FullChannelRefusesSender", testFullChannel},
		{"RefusedBatchIsNotHalfCommitted", testNotHalfCommitted},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, o) })
	}
}

// Event returns the suite's event number i: body "sourcetest <i>" and a
// header seq = i.
func Event(i int) flume.Event {
	e := flume.NewEvent([]byte("sourcetest " + strconv.Itoa(i)))
	e.SetHeader("seq", strconv.Itoa(i))
	return e
}

func events(from, to int) []flume.Event {
	out := make([]flume.Event, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, Event(i))
	}
	return out
}

// newSource returns a started source writing, through a ChannelProcessor
// with one required channel, to a new memory channel of capacity events
// that waits for no room.
func newSource(t *testing.T, o Options, capacity int) (*memory.Channel, flume.Source) {
	t.Helper()
	ch := flumetest.MemoryChannel(t, capacity, capacity, 0)
	src := o.New(t, flumetest.Processor(ch))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := src.Stop(ctx); err != nil {
			t.Errorf("stop the source: %v", err)
		}
	})
	return ch, src
}

// same fails unless got equals want in order.
func same(t *testing.T, o Options, what string, got, want []flume.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: the channel holds %d events, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Body, want[i].Body) {
			t.Fatalf("%s: event %d has body %q, want %q", what, i, got[i].Body, want[i].Body)
		}
		if o.Headers && !maps.Equal(headers(got[i]), headers(want[i])) {
			t.Fatalf("%s: event %d has headers %v, want %v", what, i, headers(got[i]), headers(want[i]))
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

func testAcknowledged(t *testing.T, o Options) {
	ch, src := newSource(t, o, 100)
	for _, batch := range [][]flume.Event{events(0, 5), events(5, 6)} {
		if n, err := o.Send(t, src, batch); n != len(batch) || err != nil {
			t.Fatalf("send %d events to a source with room: %d acknowledged, %v", len(batch), n, err)
		}
	}
	same(t, o, "after the acknowledgements", flumetest.TakeAll(t, ch), events(0, 6))
}

func testFullChannel(t *testing.T, o Options) {
	ch, src := newSource(t, o, 5)
	held := events(100, 105)
	flumetest.Put(t, ch, held...)
	n, err := o.Send(t, src, events(0, 3))
	if err == nil || n != 0 {
		t.Fatalf("send to a source whose channel is full: %d acknowledged, error %v; want a refusal", n, err)
	}
	same(t, o, "after the refusal", flumetest.TakeAll(t, ch), held)
	// The client resends once there is room.
	if n, err := o.Send(t, src, events(0, 3)); n != 3 || err != nil {
		t.Fatalf("resend once the channel has room: %d acknowledged, %v", n, err)
	}
	same(t, o, "after the resend", flumetest.TakeAll(t, ch), events(0, 3))
}

func testNotHalfCommitted(t *testing.T, o Options) {
	ch, src := newSource(t, o, 5)
	held := events(100, 103) // room for 2 of the 4 sent
	flumetest.Put(t, ch, held...)
	n, err := o.Send(t, src, events(0, 4))
	if err == nil {
		t.Fatalf("send 4 events to a channel with room for 2: %d acknowledged and no refusal", n)
	}
	if n < 0 || n > 2 {
		t.Fatalf("send 4 events to a channel with room for 2: %d acknowledged", n)
	}
	// What was acknowledged is committed, nothing else.
	same(t, o, "after a partly refused send", flumetest.TakeAll(t, ch), append(held, events(0, n)...))
}
