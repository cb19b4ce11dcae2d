package rpc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/rpc/avrorpc"
)

// server is a real avrorpc server on a loopback port recording what it
// accepted; answer decides each call's status.
type server struct {
	addr   string
	srv    *avrorpc.Server
	mu     sync.Mutex
	events []flume.Event
	calls  int
	answer func(call int) avrorpc.Status
}

func startServer(t *testing.T) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{addr: ln.Addr().String()}
	s.srv = avrorpc.NewServer(avrorpc.ServerConfig{}, func(_ context.Context, _ bool, evs []flume.Event) (avrorpc.Status, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls++
		if s.answer != nil {
			if st := s.answer(s.calls); st != avrorpc.OK {
				return st, nil
			}
		}
		for _, e := range evs {
			s.events = append(s.events, e.Clone())
		}
		return avrorpc.OK, nil
	})
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *server) received() (calls int, events []flume.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, append([]flume.Event(nil), s.events...)
}

func evs(n int) []flume.Event {
	out := make([]flume.Event, n)
	for i := range out {
		out[i] = flume.Event{Body: []byte(fmt.Sprint("e", i))}
	}
	return out
}

func TestDefaultClientSplitsBatches(t *testing.T) {
	s := startServer(t)
	c, err := NewClient(map[string]string{"hosts": "h1 h2", "hosts.h1": s.addr, "hosts.h2": "unused:1", "batch-size": "3"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.BatchSize() != 3 {
		t.Fatalf("batch size %d", c.BatchSize())
	}
	if err := c.AppendBatch(context.Background(), evs(10)); err != nil {
		t.Fatal(err)
	}
	calls, got := s.received()
	if calls != 4 || len(got) != 10 || string(got[9].Body) != "e9" {
		t.Fatalf("%d calls, %d events", calls, len(got))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Append(context.Background(), flume.Event{}); !errors.Is(err, ErrClientClosed) {
		t.Fatalf("call after Close: %v", err)
	}
}

func TestDefaultClientStatusAndReconnect(t *testing.T) {
	s := startServer(t)
	s.mu.Lock()
	s.answer = func(call int) avrorpc.Status {
		if call == 1 {
			return avrorpc.Failed
		}
		return avrorpc.OK
	}
	s.mu.Unlock()
	c, err := NewAvroClient(s.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Append(context.Background(), flume.Event{Body: []byte("x")})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != "FAILED" {
		t.Fatalf("FAILED answer: %v", err)
	}
	// The failed connection was dropped; the next call reconnects.
	if err := c.Append(context.Background(), flume.Event{Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewAvroClient(flumetest.FreeAddr(t).String(), map[string]string{"connect-timeout": "1000"}); err == nil {
		t.Fatal("client to a dead address was created")
	}
}

func TestFailover(t *testing.T) {
	a, b := startServer(t), startServer(t)
	dead := flumetest.FreeAddr(t).String()
	c, err := NewClient(map[string]string{"client.type": "default_failover", "hosts": "h0 h1 h2",
		"hosts.h0": dead, "hosts.h1": a.addr, "hosts.h2": b.addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.AppendBatch(context.Background(), evs(5)); err != nil {
		t.Fatal(err)
	}
	if _, got := a.received(); len(got) != 5 {
		t.Fatalf("first live host got %d events", len(got))
	}
	// a starts refusing: the same call moves to b.
	a.mu.Lock()
	a.answer = func(int) avrorpc.Status { return avrorpc.Failed }
	a.mu.Unlock()
	if err := c.AppendBatch(context.Background(), evs(4)); err != nil {
		t.Fatal(err)
	}
	if _, got := b.received(); len(got) != 4 {
		t.Fatalf("second host got %d events", len(got))
	}
	// Everything refuses: max-attempts tries, then an error.
	b.mu.Lock()
	b.answer = func(int) avrorpc.Status { return avrorpc.Failed }
	b.mu.Unlock()
	if err := c.Append(context.Background(), flume.Event{}); err == nil || !strings.Contains(err.Error(), "attempts failed") {
		t.Fatalf("all hosts failing: %v", err)
	}
}

func TestLoadBalancing(t *testing.T) {
	a, b, d := startServer(t), startServer(t), startServer(t)
	c, err := NewClient(map[string]string{"client.type": "default_loadbalance", "hosts": "h1 h2 h3",
		"hosts.h1": a.addr, "hosts.h2": b.addr, "hosts.h3": d.addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 9 {
		if err := c.Append(context.Background(), flume.Event{}); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range []*server{a, b, d} {
		if calls, _ := s.received(); calls != 3 {
			t.Fatalf("host %d got %d calls, want 3 (round robin)", i, calls)
		}
	}
	// A refusing host is skipped; the call goes to the next one.
	a.mu.Lock()
	a.answer = func(int) avrorpc.Status { return avrorpc.Failed }
	a.mu.Unlock()
	for range 6 {
		if err := c.Append(context.Background(), flume.Event{}); err != nil {
			t.Fatal(err)
		}
	}
	_, ga := a.received()
	_, gb := b.received()
	_, gd := d.received()
	if len(ga) != 3 || len(gb)+len(gd) != 12 {
		t.Fatalf("events per host: %d %d %d", len(ga), len(gb), len(gd))
	}
}

// TestClientTypes: client.type picks the implementation, case-insensitively
// as Flume's ClientType enum.
func TestClientTypes(t *testing.T) {
	s := startServer(t)
	for typ, want := range map[string]string{"": "*rpc.avroClient", "DEFAULT": "*rpc.avroClient", "thrift": "*rpc.ThriftClient",
		"default_failover": "*rpc.failoverClient", "Default_LoadBalance": "*rpc.loadBalancingClient"} {
		c, err := NewClient(map[string]string{"client.type": typ, "hosts": "h1 h2", "hosts.h1": s.addr, "hosts.h2": s.addr})
		if err != nil {
			t.Fatalf("%q: %v", typ, err)
		}
		if got := fmt.Sprintf("%T", c); got != want {
			t.Errorf("client.type %q built %s, want %s", typ, got, want)
		}
		c.Close()
	}
}

func TestNewClientErrors(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, "no usable host"},
		{map[string]string{"hosts": "h1", "hosts.h1": "nohostport"}, "invalid host address"},
		{map[string]string{"hosts": "h1", "hosts.h1": "h:port"}, "invalid port"},
		{map[string]string{"client.type": "com.example.MyClient", "hosts": "h1", "hosts.h1": "h:1"}, "unknown client.type"},
		{map[string]string{"client.type": "default_loadbalance", "hosts": "h1", "hosts.h1": "h:1"}, "at least two hosts"},
		{map[string]string{"client.type": "default_loadbalance", "hosts": "h1 h2", "hosts.h1": "h:1", "hosts.h2": "h:2", "host-selector": "com.example.Sel"}, "not supported"},
		{map[string]string{"hosts": "h1", "hosts.h1": "127.0.0.1:1", "kerberos": "true"}, "not supported"},
		{map[string]string{"hosts": "h1", "hosts.h1": "127.0.0.1:1", "compression-type": "deflate", "compression-level": "12"}, "compression-level"},
	} {
		c, err := NewClient(tc.props)
		if err == nil {
			c.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error mentioning %q", tc.props, err, tc.want)
		}
		// "not supported by flumego" errors, and only they, match
		// flume.ErrUnsupported.
		if errors.Is(err, flume.ErrUnsupported) != (tc.want == "not supported") {
			t.Errorf("%v: errors.Is(%v, flume.ErrUnsupported) = %v", tc.props, err, !(tc.want == "not supported"))
		}
	}
}
