package loadgen

import (
	"context"
	"maps"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/loadevent"
	"github.com/flumego/flume/rpc/avrorpc"
	"github.com/flumego/flume/rpc/thriftrpc"
)

// tally is what a source saw: it refuses the first refuse calls with
// FAILED, then counts.
type tally struct {
	mu                   sync.Mutex
	refuse               int
	calls, events, bytes int64
	headers              map[string]string // of the second event seen
}

// take records one call and tells whether it is accepted.
func (s *tally) take(evs []flume.Event) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse > 0 {
		s.refuse--
		return false
	}
	s.calls++
	s.events += int64(len(evs))
	for _, e := range evs {
		s.bytes += int64(len(e.Body))
	}
	if s.headers == nil && len(evs) > 1 {
		s.headers = maps.Collect(evs[1].AllHeaders())
	}
	return true
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func check(t *testing.T, r Result, s *tally, events, size int, retries int64) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Events != int64(events) || s.events != int64(events) || r.Bytes != int64(events*size) || s.bytes != r.Bytes ||
		r.Retries != retries || r.Calls != s.calls {
		t.Fatalf("result %+v; the source saw %d events, %d bytes, %d calls", r, s.events, s.bytes, s.calls)
	}
	if r.EventsPerSec() <= 0 || r.P50 <= 0 || r.P99 < r.P50 {
		t.Fatalf("result %v", r)
	}
}

func TestAvro(t *testing.T) {
	s := &tally{refuse: 2}
	ln := listen(t)
	srv := avrorpc.NewServer(avrorpc.ServerConfig{}, func(_ context.Context, _ bool, evs []flume.Event) (avrorpc.Status, error) {
		if !s.take(evs) {
			return avrorpc.Failed, nil
		}
		return avrorpc.OK, nil
	})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	r, err := Avro(t.Context(), Params{Addr: ln.Addr().String(), Connections: 2, Batch: 100, EventSize: 200, Headers: 3, Events: 1050})
	if err != nil {
		t.Fatal(err)
	}
	check(t, r, s, 1050, 200, 2)
	if h := s.headers; len(h) != 3 || h["seq"] != "2" || h["host"] != loadevent.Host || len(h["timestamp"]) != 13 {
		t.Fatalf("headers of the second event: %v", h)
	}
	if r.Calls != 11 {
		t.Fatalf("%d calls, want 11 (10 of 100 events, one of 50)", r.Calls)
	}
}

func TestThrift(t *testing.T) {
	s := &tally{refuse: 1}
	srv := thriftrpc.NewServer(thriftrpc.ServerConfig{Protocol: thriftrpc.Binary}, func(_ context.Context, c *thriftrpc.Call) (thriftrpc.Status, error) {
		if !s.take(c.Events) {
			return thriftrpc.Failed, nil // refused once and resent
		}
		return thriftrpc.OK, nil
	})
	srv.Start(listen(t))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	p := Params{Addr: srv.Addr().String(), Connections: 3, Batch: 7, EventSize: 50, Headers: 5, Events: 100}
	r, err := Thrift(t.Context(), p, "binary")
	if err != nil {
		t.Fatal(err)
	}
	check(t, r, s, 100, 50, 1)
	if h := s.headers; len(h) != 5 || h["h5"] != "value-5-abcdefgh" {
		t.Fatalf("headers of the second event: %v", h)
	}
	if _, err := Thrift(t.Context(), p, "json"); err == nil {
		t.Fatal("unknown protocol accepted")
	}
	// The source speaks binary: a compact client fails, with an error.
	if _, err := Thrift(t.Context(), p, "compact"); err == nil {
		t.Fatal("a compact client against a binary source reported no error")
	}
}

func TestInvalidParams(t *testing.T) {
	for _, p := range []Params{
		{Addr: "127.0.0.1:1", Connections: 0, Batch: 1, Events: 1},
		{Addr: "127.0.0.1:1", Connections: 1, Batch: 0, Events: 1},
		{Addr: "127.0.0.1:1", Connections: 1, Batch: 1, EventSize: -1, Events: 1},
		{Addr: "127.0.0.1:1", Connections: 1, Batch: 1, Headers: -1, Events: 1},
	} {
		if _, err := Avro(t.Context(), p); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}
