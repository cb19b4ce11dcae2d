package flumetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/source"
)

// MemoryChannel returns a started memory channel named c1, stopped when
// the test ends.
func MemoryChannel(t testing.TB, capacity, txCapacity int, keepAlive time.Duration) *memory.Channel {
	t.Helper()
	ch, err := memory.New(flume.Settings{Name: "c1"}, memory.Config{Capacity: capacity, TransactionCapacity: txCapacity, KeepAlive: keepAlive})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Stop(context.Background()) })
	return ch
}

// Put commits events on ch in one transaction.
func Put(t testing.TB, ch flume.Channel, events ...flume.Event) {
	t.Helper()
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), events...)
	}); err != nil {
		t.Fatalf("put %d events: %v", len(events), err)
	}
}

// TakeAll takes every event from ch, in transactions of its
// transactionCapacity, until a take comes back empty.
func TakeAll(t testing.TB, ch flume.Channel) []flume.Event {
	t.Helper()
	var out []flume.Event
	for {
		var got []flume.Event
		if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			var err error
			got, err = tx.Take(context.Background(), ch.TransactionCapacity())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			return out
		}
		out = append(out, got...)
	}
}

// Event returns an event with body and the headers given as name, value,
// name, value, ... (set in that order).
func Event(body string, nameValues ...string) flume.Event {
	if len(nameValues)%2 != 0 {
		panic("flumetest.Event: odd number of header names and values")
	}
	e := flume.NewEvent([]byte(body))
	for i := 0; i < len(nameValues); i += 2 {
		e.SetHeader(nameValues[i], nameValues[i+1])
	}
	return e
}

// EventWithHeaders returns an event with body and the headers of h, set in
// the order of their names (nil and empty maps give no headers).
func EventWithHeaders(body []byte, h map[string]string) flume.Event {
	e := flume.NewEvent(body)
	for _, k := range slices.Sorted(maps.Keys(h)) {
		e.SetHeader(k, h[k])
	}
	return e
}

// Headers returns e's headers as a map, empty (not nil) when it has none.
func Headers(e flume.Event) map[string]string {
	return maps.Collect(e.AllHeaders())
}

// SameEvent reports whether a and b have equal bodies and the same headers
// (in any order).
func SameEvent(a, b flume.Event) bool {
	if !bytes.Equal(a.Body, b.Body) || a.HeaderCount() != b.HeaderCount() {
		return false
	}
	for k, v := range a.AllHeaders() {
		if w, ok := b.Header(k); !ok || w != v {
			return false
		}
	}
	return true
}

// SameEvents fails the test unless got and want hold the same events in
// the same order: equal bodies and the same headers, in any order.
func SameEvents(t testing.TB, got, want []flume.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if !SameEvent(got[i], want[i]) {
			t.Fatalf("event %d: got %q %q, want %q %q", i, Headers(got[i]), got[i].Body, Headers(want[i]), want[i].Body)
		}
	}
}

// Processor returns a channel processor that runs interceptors and puts
// every event on ch (a replicating selector with one required channel c1).
func Processor(ch flume.Channel, interceptors ...flume.Interceptor) *source.ChannelProcessor {
	return source.NewChannelProcessor(source.NewReplicating([]flume.NamedChannel{{Name: "c1", Channel: ch}}, nil), interceptors, nil)
}

// FreeAddr returns a loopback address that nothing listens on: a port
// the system handed out a moment ago, for a peer that is down (or starts
// later on that port).
func FreeAddr(t testing.TB) *net.TCPAddr {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	_ = ln.Close()
	return addr
}

// CountingListener counts the connections a server accepts through it.
type CountingListener struct {
	net.Listener
	// Accepted is the number of connections accepted so far.
	Accepted atomic.Int64
}

// Listen returns a CountingListener on a free loopback port; the server
// given it owns it.
func Listen(t testing.TB) *CountingListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &CountingListener{Listener: ln}
}

// Accept accepts a connection and counts it.
func (l *CountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.Accepted.Add(1)
	}
	return c, err
}

// ClosedByPeer reports whether the peer closed c: reading it to the end
// finishes within 30 s, and not by timing out. It reads and discards what
// c still delivers.
func ClosedByPeer(t testing.TB, c net.Conn) bool {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}

// Stalled opens n connections to addr that each send partial, the start of
// a request, and then go silent, as a slow or hostile sender does. They are
// closed when the test ends.
func Stalled(t testing.TB, addr string, n int, partial []byte) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if _, err := c.Write(partial); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	return conns
}

// GateProcessor is a ChannelProcessor that holds every Process call until
// Release is closed (or the call's context ends), so that a test can act
// while a source's request is in progress. Entered receives a value as
// each call arrives.
type GateProcessor struct {
	flume.ChannelProcessor
	Entered chan struct{}
	Release chan struct{}
}

// Gate returns a GateProcessor in front of p.
func Gate(p flume.ChannelProcessor) *GateProcessor {
	return &GateProcessor{ChannelProcessor: p, Entered: make(chan struct{}, 16), Release: make(chan struct{})}
}

// Process waits for Release, then hands the events on.
func (g *GateProcessor) Process(ctx context.Context, events []flume.Event) error {
	g.Entered <- struct{}{}
	select {
	case <-g.Release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.ChannelProcessor.Process(ctx, events)
}

// WaitFor polls cond every few milliseconds until it holds, and fails the
// test when timeout passes first. It is for states that have no signal to
// wait on: counters, files written by another process.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// LogBuffer collects what a process or logger writes from other goroutines
// and lets a test read it, or wait for a line, while it is written. The
// zero value is ready.
type LogBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed and replaced by every write
}

// Write appends p and wakes the waiters.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitLine waits until a complete line containing substr was written and
// returns the first such line; it fails the test when timeout passes first.
func (l *LogBuffer) WaitLine(t testing.TB, substr string, timeout time.Duration) string {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		l.mu.Lock()
		text := l.b.String()
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		for line := range strings.Lines(text) {
			if strings.HasSuffix(line, "\n") && strings.Contains(line, substr) {
				return strings.TrimSuffix(line, "\n")
			}
		}
		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("no line with %q after %s:\n%s", substr, timeout, l.String())
			return ""
		}
	}
}

// LogValue returns the value of key=value in a text log line ("" when
// absent); the value ends at the next space.
func LogValue(line, key string) string {
	_, rest, ok := strings.Cut(line, " "+key+"=")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, " ")
	return v
}
