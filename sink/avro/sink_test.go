package avro

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/avsctest"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
	avrosource "github.com/flumego/flume/source/avro"
)

func numbered(from, to int) []flume.Event {
	var evs []flume.Event
	for i := from; i < to; i++ {
		e := flume.Event{Body: []byte(fmt.Sprintf("event %d", i))}
		if i%3 == 0 {
			e.SetHeader("n", fmt.Sprint(i))
			e.SetHeader("k", "v")
		}
		evs = append(evs, e)
	}
	return evs
}

func newSink(t testing.TB, ch flume.Channel, props map[string]string) *Sink {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	k, err := Factory(flume.Settings{Name: "k1"}, cfg, ch)
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) > 0 {
		t.Fatalf("unused keys: %v", u)
	}
	s := k.(*Sink)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

// processUntilEmpty calls Process until the channel is empty, allowing
// failures (each failure rolls back); it fails the test after limit calls.
func processUntilEmpty(t testing.TB, k *Sink, ch flume.Channel, limit int) (failures int) {
	t.Helper()
	for i := 0; i < limit; i++ {
		if ch.Len() == 0 {
			return failures
		}
		if _, err := k.Process(context.Background()); err != nil {
			failures++
		}
	}
	t.Fatalf("channel still holds %d events after %d Process calls", ch.Len(), limit)
	return failures
}

func collect(t testing.TB, srv *avsctest.Server, n int) []avsctest.Received {
	t.Helper()
	var got []avsctest.Received
	timeout := time.After(30 * time.Second)
	for len(got) < n {
		select {
		case r := <-srv.Events:
			got = append(got, r)
		case <-timeout:
			t.Fatalf("avsc server received %d of %d events", len(got), n)
		}
	}
	return got
}

// TestSinkToAvscServer: our sink delivers to avsc, with Flume's protocol
// hash (BOTH) and with a server that knows another text (NONE, resend,
// CLIENT).
func TestSinkToAvscServer(t *testing.T) {
	for _, proto := range []struct{ name, text string }{{"flume-hash", avsctest.FlumeProtocol}, {"other-hash", avsctest.OtherProtocol}} {
		t.Run(proto.name, func(t *testing.T) {
			srv := avsctest.StartServer(t, avsctest.ServerOptions{Protocol: proto.text})
			ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
			k := newSink(t, ch, map[string]string{"hostname": "127.0.0.1", "port": fmt.Sprint(srv.Port), "batch-size": "40"})
			want := numbered(0, 250)
			flumetest.Put(t, ch, want[:100]...)
			flumetest.Put(t, ch, want[100:200]...)
			flumetest.Put(t, ch, want[200:]...)
			if f := processUntilEmpty(t, k, ch, 20); f != 0 {
				t.Fatalf("%d failures", f)
			}
			var got []flume.Event
			for _, r := range collect(t, srv, len(want)) {
				got = append(got, r.Event)
			}
			flumetest.SameEvents(t, got, want)
			c := &k.counter
			if c.EventDrainSuccessCount.Load() != 250 || c.BatchCompleteCount.Load() != 6 || c.BatchUnderflowCount.Load() != 1 || c.ConnectionCreatedCount.Load() != 1 {
				t.Fatalf("counters %+v", c.Attributes())
			}
		})
	}
}

// TestSinkRetriesFailedAndErrors: FAILED answers and error answers roll the
// batch back; the next Process reconnects and nothing is lost.
func TestSinkRetriesFailedAndErrors(t *testing.T) {
	srv := avsctest.StartServer(t, avsctest.ServerOptions{FailFirst: 2, ErrorFirst: 1})
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	k := newSink(t, ch, map[string]string{"hostname": "127.0.0.1", "port": fmt.Sprint(srv.Port), "batch-size": "50"})
	want := numbered(0, 120)
	flumetest.Put(t, ch, want[:60]...)
	flumetest.Put(t, ch, want[60:]...)
	if f := processUntilEmpty(t, k, ch, 20); f != 3 {
		t.Fatalf("%d failed Process calls, want 3", f)
	}
	var got []flume.Event
	for _, r := range collect(t, srv, len(want)) {
		got = append(got, r.Event)
	}
	flumetest.SameEvents(t, got, want)
	c := &k.counter
	if c.EventWriteFail.Load() != 3 || c.ConnectionCreatedCount.Load() != 4 || c.ConnectionClosedCount.Load() != 3 {
		t.Fatalf("counters %+v", c.Attributes())
	}
}

// TestSlowDownstream: an answer later than request-timeout fails the batch
// (rolled back, connection closed); once the peer is fast enough every
// event arrives.
func TestSlowDownstream(t *testing.T) {
	srv := avsctest.StartServer(t, avsctest.ServerOptions{DelayMs: 1500})
	ch := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
	k := newSink(t, ch, map[string]string{"hostname": "127.0.0.1", "port": fmt.Sprint(srv.Port), "request-timeout": "1000", "connect-timeout": "1000"})
	flumetest.Put(t, ch, numbered(0, 5)...)
	// The first call carries the handshake and gets connect-timeout +
	// request-timeout: it succeeds. The second waits request-timeout only.
	if _, err := k.Process(context.Background()); err != nil {
		t.Fatalf("first batch: %v", err)
	}
	flumetest.Put(t, ch, numbered(5, 10)...)
	_, err := k.Process(context.Background())
	if err == nil || !strings.Contains(err.Error(), "within") {
		t.Fatalf("slow answer: Process returned %v", err)
	}
	if ch.Len() != 5 {
		t.Fatalf("channel holds %d events after the rollback, want 5", ch.Len())
	}
}

// TestDeadDownstream: no peer: Process fails and keeps the events; when the
// peer appears, the next Process connects and delivers.
func TestDeadDownstream(t *testing.T) {
	addr := flumetest.FreeAddr(t)
	ch := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
	k := newSink(t, ch, map[string]string{"hostname": "127.0.0.1", "port": fmt.Sprint(addr.Port)})
	want := numbered(0, 30)
	flumetest.Put(t, ch, want...)
	if _, err := k.Process(context.Background()); err == nil {
		t.Fatal("Process succeeded without a peer")
	}
	if ch.Len() != 30 || k.counter.ConnectionFailedCount.Load() != 1 {
		t.Fatalf("channel %d, counters %+v", ch.Len(), k.counter.Attributes())
	}
	// Bring up a flumego source on that very port.
	down := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
	startSource(t, down, map[string]string{"port": fmt.Sprint(addr.Port)})
	if f := processUntilEmpty(t, k, ch, 5); f != 0 {
		t.Fatalf("%d failures after the peer came up", f)
	}
	flumetest.SameEvents(t, flumetest.TakeAll(t, down), want)
}

func startSource(t testing.TB, ch flume.Channel, extra map[string]string) *avrosource.Source {
	t.Helper()
	props := map[string]string{"bind": "127.0.0.1", "port": "0"}
	for k, v := range extra {
		props[k] = v
	}
	proc := flumetest.Processor(ch)
	src, err := avrosource.Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(props), proc)
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*avrosource.Source)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

// TestChained: two flumego endpoints chained, plain, with deflate (several
// levels), with TLS (JKS, PKCS12 and PEM key stores) and with both: every
// event arrives in order.
func TestChained(t *testing.T) {
	files := tlstest.Generate(t)
	cases := []struct {
		name       string
		src, sink  map[string]string
		wantFailed bool
	}{
		{name: "plain"},
		{name: "deflate-6", src: map[string]string{"compression-type": "deflate"}, sink: map[string]string{"compression-type": "deflate"}},
		{name: "deflate-0", src: map[string]string{"compression-type": "deflate"}, sink: map[string]string{"compression-type": "DEFLATE", "compression-level": "0"}},
		{name: "deflate-9", src: map[string]string{"compression-type": "deflate"}, sink: map[string]string{"compression-type": "deflate", "compression-level": "9"}},
		{name: "tls-jks", src: map[string]string{"ssl": "true", "keystore": files.KeystoreJKS, "keystore-password": tlstest.Password, "keystore-type": "JKS"},
			sink: map[string]string{"ssl": "true", "truststore": files.TruststoreJKS, "truststore-password": tlstest.Password, "truststore-type": "JKS"}},
		{name: "tls-pkcs12", src: map[string]string{"ssl": "true", "keystore": files.KeystoreP12, "keystore-password": tlstest.Password, "keystore-type": "PKCS12"},
			sink: map[string]string{"ssl": "true", "trust-all-certs": "true"}},
		{name: "tls-pem-deflate", src: map[string]string{"ssl": "true", "keystore": files.ServerPEM, "keystore-type": "PEM", "compression-type": "deflate"},
			sink: map[string]string{"ssl": "true", "truststore": files.CAPEM, "truststore-type": "PEM", "compression-type": "deflate", "compression-level": "1"}},
		{name: "deflate-on-one-side", src: map[string]string{"compression-type": "deflate"}, wantFailed: true},
		{name: "untrusted-cert", src: map[string]string{"ssl": "true", "keystore": files.ServerPEM, "keystore-type": "PEM"},
			sink: map[string]string{"ssl": "true", "truststore": files.OtherCAPEM, "truststore-type": "PEM"}, wantFailed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			down := flumetest.MemoryChannel(t, 10000, 1000, 50*time.Millisecond)
			src := startSource(t, down, tc.src)
			up := flumetest.MemoryChannel(t, 10000, 1000, 50*time.Millisecond)
			props := map[string]string{"hostname": "127.0.0.1", "port": fmt.Sprint(src.Addr().(*net.TCPAddr).Port),
				"batch-size": "300", "connect-timeout": "2000", "request-timeout": "2000"}
			for k, v := range tc.sink {
				props[k] = v
			}
			k := newSink(t, up, props)
			want := numbered(0, 2000)
			for i := 0; i < len(want); i += 500 {
				flumetest.Put(t, up, want[i:i+500]...)
			}
			if tc.wantFailed {
				if _, err := k.Process(context.Background()); err == nil {
					t.Fatal("Process succeeded")
				}
				if up.Len() != 2000 || down.Len() != 0 {
					t.Fatalf("upstream %d, downstream %d events", up.Len(), down.Len())
				}
				return
			}
			if f := processUntilEmpty(t, k, up, 20); f != 0 {
				t.Fatalf("%d failures", f)
			}
			flumetest.SameEvents(t, flumetest.TakeAll(t, down), want)
		})
	}
}

func TestConfig(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 10, 10, 50*time.Millisecond)
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"port": "1"}, "hostname"},
		{map[string]string{"hostname": "h"}, "port"},
		{map[string]string{"hostname": "h", "port": "1", "compression-type": "deflate", "compression-level": "10"}, "compression-level"},
		{map[string]string{"hostname": "h", "port": "1", "ssl": "true", "truststore": "/nonexistent"}, "truststore"},
		// The RPC client's keys are checked when the sink is built, not at
		// its first connection.
		{map[string]string{"hostname": "h", "port": "1", "client.type": "default_failover", "hosts": "h1 h2", "hosts.h1": "nohostport", "hosts.h2": "h:2"}, "hosts.h1"},
		{map[string]string{"hostname": "h", "port": "1", "client.type": "default_failover", "hosts": "h1"}, "no host of the list"},
		{map[string]string{"hostname": "h", "port": "1", "kerberos": "true"}, "Kerberos"},
	} {
		_, err := Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(tc.props), ch)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %q", tc.props, err, tc.want)
		}
	}
	cfg := flume.ContextFromMap(map[string]string{"hostname": "h", "port": "1", "batch-size": "0", "maxIoWorkers": "4", "client.type": "default"})
	k, err := Factory(flume.Settings{Name: "k1"}, cfg, ch)
	if err != nil {
		t.Fatal(err)
	}
	if n, key := k.(*Sink).BatchSize(); n != 100 || key != "batch-size" || len(cfg.Problems()) != 2 || len(cfg.Unused()) != 0 {
		t.Fatalf("batch %d (%s), problems %v, unused %v", n, key, cfg.Problems(), cfg.Unused())
	}
}

func TestRegister(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"avro", "AVRO", "org.apache.flume.sink.AvroSink"} {
		if _, _, err := r.Sink(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFailoverClientKeys: as in Flume, the sink hands its properties to
// the RPC client, so client.type = default_failover with hosts works and
// skips a dead host.
func TestFailoverClientKeys(t *testing.T) {
	dead := flumetest.FreeAddr(t).String()
	down := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
	src := startSource(t, down, nil)
	up := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
	k := newSink(t, up, map[string]string{"hostname": "127.0.0.1", "port": "1", "client.type": "default_failover",
		"hosts": "a b", "hosts.a": dead, "hosts.b": src.Addr().String(), "connect-timeout": "1000"})
	want := numbered(0, 10)
	flumetest.Put(t, up, want...)
	if f := processUntilEmpty(t, k, up, 3); f != 0 {
		t.Fatalf("%d failures", f)
	}
	flumetest.SameEvents(t, flumetest.TakeAll(t, down), want)
}

// TestResetConnectionInterval: once the interval has passed, the next
// Process closes the connection and opens a new one.
func TestResetConnectionInterval(t *testing.T) {
	down := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
	src := startSource(t, down, nil)
	up := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
	k := newSink(t, up, map[string]string{"hostname": "127.0.0.1", "port": fmt.Sprint(src.Addr().(*net.TCPAddr).Port), "reset-connection-interval": "30"})
	now := time.Unix(1000, 0)
	k.conn.Now = func() time.Time { return now }
	for i := range 3 {
		flumetest.Put(t, up, numbered(i*10, i*10+10)...)
		if _, err := k.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
		now = now.Add(20 * time.Second)
	}
	c := &k.counter
	// Connected at 0 s; at 40 s (third batch) 30 s have passed: reset.
	if c.ConnectionCreatedCount.Load() != 2 || c.ConnectionClosedCount.Load() != 1 {
		t.Fatalf("counters %+v", c.Attributes())
	}
	flumetest.SameEvents(t, flumetest.TakeAll(t, down), numbered(0, 30))
}
