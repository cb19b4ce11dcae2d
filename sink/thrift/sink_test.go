package thrift

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/thrifttest"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/rpc/thriftrpc"
	thriftsource "github.com/flumego/flume/source/thrift"
)

func testEvents(from, to int) []flume.Event {
	out := make([]flume.Event, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, flumetest.EventWithHeaders([]byte(fmt.Sprintf("event %d \x00\xff ✓", i)), map[string]string{"seq": strconv.Itoa(i), "State": "CA"}))
	}
	return out
}

func newSink(t testing.TB, addr string, props map[string]string, ch flume.Channel) *Sink {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{"hostname": host, "port": port, "request-timeout": "5000", "connect-timeout": "5000"}
	for k, v := range props {
		m[k] = v
	}
	cfg := flume.ContextFromMap(m)
	k, err := Factory(flume.Settings{Name: "k1"}, cfg, ch)
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) > 0 {
		t.Fatalf("unused keys %v", u)
	}
	s := k.(*Sink)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}

// runUntilEmpty calls Process until the channel is empty.
func runUntilEmpty(t testing.TB, s *Sink, ch flume.Channel) {
	t.Helper()
	for i := 0; ch.Len() > 0; i++ {
		if i > 1000 {
			t.Fatal("the sink does not drain the channel")
		}
		if _, err := s.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseConfig(t *testing.T) {
	cases := []struct {
		props   map[string]string
		check   func(Config) bool
		errText string
		warn    string
	}{
		{props: nil, check: func(c Config) bool {
			return c.Client.BatchSize == 100 && c.Client.RequestTimeout == 20*time.Second && c.Client.ConnectTimeout == 20*time.Second &&
				c.ResetInterval == 0 && c.Client.Protocol == thriftrpc.Compact && c.Client.TLS == nil
		}},
		{props: map[string]string{"batch-size": "0"}, check: func(c Config) bool { return c.Client.BatchSize == 100 }, warn: "greater than 0"},
		{props: map[string]string{"request-timeout": "500"}, check: func(c Config) bool { return c.Client.RequestTimeout == 20*time.Second }, warn: "at least 1000"},
		{props: map[string]string{"reset-connection-interval": "30"}, check: func(c Config) bool { return c.ResetInterval == 30*time.Second }},
		{props: map[string]string{"connection-reset-interval": "40"}, check: func(c Config) bool { return c.ResetInterval == 40*time.Second }, warn: "user guide"},
		{props: map[string]string{"connection-reset-interval": "40", "reset-connection-interval": "30"}, check: func(c Config) bool { return c.ResetInterval == 30*time.Second }, warn: "precedence"},
		{props: map[string]string{"protocol": "Binary"}, check: func(c Config) bool { return c.Client.Protocol == thriftrpc.Binary }, warn: "exact lower-case"},
		{props: map[string]string{"protocol": "json"}, check: func(c Config) bool { return c.Client.Protocol == thriftrpc.Compact }, warn: "using compact"},
		{props: map[string]string{"kerberos": "true", "client-principal": "a", "client-keytab": "b", "server-principal": "c"}, errText: "not supported"},
		{props: map[string]string{"port": "99999"}, errText: "not a port"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.props), func(t *testing.T) {
			m := map[string]string{"hostname": "collector", "port": "4141"}
			for k, v := range tc.props {
				m[k] = v
			}
			cfg := flume.ContextFromMap(m)
			c := ParseConfig(cfg)
			err := cfg.Err()
			if tc.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("err = %v, want %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("config %+v", c)
			}
			if tc.warn != "" && !strings.Contains(cfg.Problems().Error(), tc.warn) {
				t.Fatalf("warnings %q lack %q", cfg.Problems().Error(), tc.warn)
			}
			if u := cfg.Unused(); len(u) > 0 {
				t.Fatalf("unused keys %v", u)
			}
		})
	}
}

func TestKerberosIsUnsupported(t *testing.T) {
	_, err := Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(map[string]string{"hostname": "h", "port": "1", "kerberos": "true"}), nil)
	if !errors.Is(err, flume.ErrUnsupported) {
		t.Fatalf("err = %v", err)
	}
}

func TestRegisterAndBatcher(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	f, canon, err := r.Sink("org.apache.flume.sink.ThriftSink")
	if err != nil || canon != "thrift" {
		t.Fatalf("%q %v", canon, err)
	}
	k, err := f(flume.Settings{Name: "k1"}, flume.ContextFromMap(map[string]string{"hostname": "h", "port": "1", "batch-size": "250"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := k.(flume.Batcher)
	if !ok {
		t.Fatalf("BatchSize not reported: %v", k)
	}
	if n, key := b.BatchSize(); n != 250 || key != "batch-size" {
		t.Fatalf("BatchSize = %d, %q", n, key)
	}
}

// Our sink delivers to the server generated from Flume's IDL by Debian's
// thrift-compiler, on Debian's python3-thrift, in both protocols.
func TestDeliversToPythonServer(t *testing.T) {
	for _, proto := range []string{"compact", "binary"} {
		t.Run(proto, func(t *testing.T) {
			srv := thrifttest.StartServer(t, proto)
			ch := flumetest.MemoryChannel(t, 1000, 100, 20*time.Millisecond)
			s := newSink(t, srv.Addr, map[string]string{"protocol": proto, "batch-size": "40"}, ch)
			flumetest.Put(t, ch, testEvents(0, 100)...)
			runUntilEmpty(t, s, ch)
			var got []flume.Event
			for len(got) < 100 {
				c := srv.Next(t, 30*time.Second)
				if c.Method != "appendBatch" || len(c.Events) > 40 {
					t.Fatalf("%s of %d events", c.Method, len(c.Events))
				}
				got = append(got, c.Events...)
			}
			flumetest.SameEvents(t, got, testEvents(0, 100))
			k := &s.counter
			if k.ConnectionCreatedCount.Load() != 1 || k.EventDrainSuccessCount.Load() != 100 || k.BatchCompleteCount.Load() != 2 || k.BatchUnderflowCount.Load() != 1 {
				t.Fatalf("counters: created %d, drained %d, complete %d, underflow %d", k.ConnectionCreatedCount.Load(),
					k.EventDrainSuccessCount.Load(), k.BatchCompleteCount.Load(), k.BatchUnderflowCount.Load())
			}
		})
	}
}

// A FAILED answer or an exception rolls the batch back and closes the
// connection; once the server accepts again, the same events are sent, in
// order, and nothing is lost.
func TestPythonServerRefusalRollsBack(t *testing.T) {
	srv := thrifttest.StartServer(t, "compact")
	ch := flumetest.MemoryChannel(t, 100, 10, 20*time.Millisecond)
	s := newSink(t, srv.Addr, map[string]string{"batch-size": "10"}, ch)
	flumetest.Put(t, ch, testEvents(0, 10)...)
	for _, answer := range []string{"FAILED", "ERROR", "EXCEPTION"} {
		srv.SetAnswer(t, answer)
		_, err := s.Process(context.Background())
		if err == nil {
			t.Fatalf("%s: Process succeeded", answer)
		}
		var se *rpc.StatusError
		if answer != "EXCEPTION" && (!errors.As(err, &se) || se.Status != answer) {
			t.Fatalf("%s: err = %v", answer, err)
		}
		if c := srv.Next(t, 30*time.Second); len(c.Events) != 10 || c.Answer != answer {
			t.Fatalf("%s: server saw %d events answered %s", answer, len(c.Events), c.Answer)
		}
		if ch.Len() != 10 {
			t.Fatalf("%s: %d events left in the channel, want 10", answer, ch.Len())
		}
	}
	srv.SetAnswer(t, "OK")
	runUntilEmpty(t, s, ch)
	flumetest.SameEvents(t, srv.Next(t, 30*time.Second).Events, testEvents(0, 10))
	k := &s.counter
	if k.EventWriteFail.Load() != 3 || k.ConnectionClosedCount.Load() != 3 || k.ConnectionCreatedCount.Load() != 4 || k.EventDrainSuccessCount.Load() != 10 {
		t.Fatalf("counters: write fail %d, closed %d, created %d, drained %d", k.EventWriteFail.Load(),
			k.ConnectionClosedCount.Load(), k.ConnectionCreatedCount.Load(), k.EventDrainSuccessCount.Load())
	}
}

func TestSourceDownKeepsEvents(t *testing.T) {
	addr := flumetest.FreeAddr(t).String()
	ch := flumetest.MemoryChannel(t, 100, 10, 20*time.Millisecond)
	s := newSink(t, addr, nil, ch)
	flumetest.Put(t, ch, testEvents(0, 5)...)
	if _, err := s.Process(context.Background()); err == nil {
		t.Fatal("delivered to nobody")
	}
	if ch.Len() != 5 || s.counter.ConnectionFailedCount.Load() != 1 {
		t.Fatalf("channel %d, ConnectionFailedCount %d", ch.Len(), s.counter.ConnectionFailedCount.Load())
	}
}

// goServer is a thriftrpc server that records calls and connections.
type goServer struct {
	*thriftrpc.Server
	mu    sync.Mutex
	calls []thriftrpc.Call
	conns *atomic.Int64 // connections accepted
}

func startGoServer(t *testing.T, cfg thriftrpc.ServerConfig) *goServer {
	t.Helper()
	g := &goServer{}
	g.Server = thriftrpc.NewServer(cfg, func(_ context.Context, c *thriftrpc.Call) (thriftrpc.Status, error) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.calls = append(g.calls, *c)
		return thriftrpc.OK, nil
	})
	ln := flumetest.Listen(t)
	g.conns = &ln.Accepted
	g.Start(ln)
	t.Cleanup(func() { _ = g.Shutdown(context.Background()) })
	return g
}

func (g *goServer) events() ([]flume.Event, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []flume.Event
	for _, c := range g.calls {
		out = append(out, c.Events...)
	}
	return out, len(g.calls)
}

func TestResetConnectionInterval(t *testing.T) {
	g := startGoServer(t, thriftrpc.ServerConfig{})
	ch := flumetest.MemoryChannel(t, 100, 10, 20*time.Millisecond)
	s := newSink(t, g.Addr().String(), map[string]string{"reset-connection-interval": "60", "batch-size": "5"}, ch)
	now := time.Unix(1000, 0)
	s.conn.Now = func() time.Time { return now }
	flumetest.Put(t, ch, testEvents(0, 5)...)
	runUntilEmpty(t, s, ch)
	now = now.Add(59 * time.Second)
	flumetest.Put(t, ch, testEvents(5, 10)...)
	runUntilEmpty(t, s, ch)
	if n := s.counter.ConnectionCreatedCount.Load(); n != 1 {
		t.Fatalf("reconnected before the interval: %d connections", n)
	}
	now = now.Add(time.Second)
	flumetest.Put(t, ch, testEvents(10, 15)...)
	runUntilEmpty(t, s, ch)
	if n := s.counter.ConnectionCreatedCount.Load(); n != 2 || g.conns.Load() != 2 {
		t.Fatalf("after the interval: %d connections created, server saw %d", n, g.conns.Load())
	}
	got, _ := g.events()
	flumetest.SameEvents(t, got, testEvents(0, 15))
}

// A batch too large for one frame goes out in several calls, all
// acknowledged before the commit.
func TestOversizedBatchIsSplit(t *testing.T) {
	g := startGoServer(t, thriftrpc.ServerConfig{})
	ch := flumetest.MemoryChannel(t, 100, 50, 20*time.Millisecond)
	s := newSink(t, g.Addr().String(), map[string]string{"batch-size": "50", "max-frame-size": "1024"}, ch)
	flumetest.Put(t, ch, testEvents(0, 50)...)
	runUntilEmpty(t, s, ch)
	got, calls := g.events()
	flumetest.SameEvents(t, got, testEvents(0, 50))
	if calls < 2 {
		t.Fatalf("%d calls for a batch larger than a frame", calls)
	}
	// A single event over the limit is never dropped.
	flumetest.Put(t, ch, []flume.Event{{Body: make([]byte, 4096)}}...)
	if _, err := s.Process(context.Background()); !errors.Is(err, thriftrpc.ErrMessageTooLarge) || ch.Len() != 1 {
		t.Fatalf("err = %v, channel %d", err, ch.Len())
	}
}

// The whole chain in Go: thrift sink → thrift source over TLS, with each
// truststore format.
func TestSinkToSourceOverTLS(t *testing.T) {
	files := tlstest.Generate(t)
	for name, trust := range map[string]map[string]string{
		"JKS":    {"truststore": files.TruststoreJKS, "truststore-password": tlstest.Password},
		"PKCS12": {"truststore": files.TruststoreP12, "truststore-password": tlstest.Password, "truststore-type": "PKCS12"},
		"PEM":    {"truststore": files.CAPEM, "truststore-type": "PEM"},
	} {
		t.Run(name, func(t *testing.T) {
			dst := flumetest.MemoryChannel(t, 100, 100, 20*time.Millisecond)
			cp := flumetest.Processor(dst)
			srcCfg := flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0", "ssl": "true",
				"keystore": files.KeystoreP12, "keystore-password": tlstest.Password, "keystore-type": "PKCS12"})
			src, err := thriftsource.Factory(flume.Settings{Name: "r1"}, srcCfg, cp)
			if err != nil {
				t.Fatal(err)
			}
			if err := src.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer src.Stop(context.Background())

			ch := flumetest.MemoryChannel(t, 100, 50, 20*time.Millisecond)
			trust["ssl"] = "true"
			trust["batch-size"] = "20"
			s := newSink(t, src.(*thriftsource.Source).Addr().String(), trust, ch)
			flumetest.Put(t, ch, testEvents(0, 30)...)
			runUntilEmpty(t, s, ch)
			var got []flume.Event
			_ = flume.Do(context.Background(), dst, func(tx flume.Transaction) error {
				got, err = tx.Take(context.Background(), 100)
				return err
			})
			flumetest.SameEvents(t, got, testEvents(0, 30))

			// An untrusted server is refused.
			other := map[string]string{"ssl": "true", "truststore": files.OtherCAPEM, "truststore-type": "PEM", "batch-size": "20"}
			bad := newSink(t, src.(*thriftsource.Source).Addr().String(), other, ch)
			flumetest.Put(t, ch, testEvents(30, 31)...)
			if _, err := bad.Process(context.Background()); err == nil || ch.Len() != 1 {
				t.Fatalf("delivered to an untrusted server: %v", err)
			}
		})
	}
}
