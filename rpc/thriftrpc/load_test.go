package thriftrpc

import (
	"context"
	"sync/atomic"
	"testing"
)

func TestRunLoad(t *testing.T) {
	var events, bytes, calls atomic.Int64
	refuse := atomic.Bool{}
	refuse.Store(true)
	s := startServer(t, ServerConfig{Protocol: Binary}, func(_ context.Context, c *Call) (Status, error) {
		if refuse.Swap(false) {
			return FAILED, nil // the first call is refused once and resent
		}
		calls.Add(1)
		events.Add(int64(len(c.Events)))
		for _, e := range c.Events {
			bytes.Add(int64(len(e.Body)))
		}
		return OK, nil
	})
	r, err := RunLoad(t.Context(), s.Addr().String(), 3, 7, 50, 100, "binary")
	if err != nil {
		t.Fatal(err)
	}
	if r.Events != 100 || events.Load() != 100 || bytes.Load() != 5000 || r.Bytes != 5000 || r.Failed != 1 || r.Calls != calls.Load() {
		t.Fatalf("result %+v; server saw %d events, %d bytes, %d calls", r, events.Load(), bytes.Load(), calls.Load())
	}
	if r.EventsPerSec() <= 0 || r.P99 < r.P50 {
		t.Fatalf("result %v", r)
	}
	if _, err := RunLoad(t.Context(), s.Addr().String(), 1, 1, 1, 1, "json"); err == nil {
		t.Fatal("unknown protocol accepted")
	}
}
