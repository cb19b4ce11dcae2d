package syslog

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
	"github.com/flumego/flume/source"
)

type addrSource interface {
	flume.Source
	Addr() net.Addr
	Counters() *source.ServerCounter
}

// startSource builds and starts a source of type typ writing to ch, on
// 127.0.0.1 with a free port.
func startSource(t testing.TB, factory flume.SourceFactory, props map[string]string, out flume.ChannelProcessor) addrSource {
	t.Helper()
	if _, ok := props["host"]; !ok {
		props["host"] = "127.0.0.1"
	}
	if _, ok := props["port"]; !ok {
		props["port"] = "0"
	}
	cfg := flume.ContextFromMap(props)
	src, err := factory(flume.Settings{Name: "r1"}, cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := src.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return src.(addrSource)
}

func dialTCP(t testing.TB, a net.Addr) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", a.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// waitEvents takes events from ch until it has n (failing after 10 s).
func waitEvents(t testing.TB, ch flume.Channel, n int) []flume.Event {
	t.Helper()
	var got []flume.Event
	flumetest.WaitFor(t, 10*time.Second, fmt.Sprintf("%d events", n), func() bool {
		got = append(got, flumetest.TakeAll(t, ch)...)
		return len(got) >= n
	})
	if len(got) != n {
		t.Fatalf("%d events, want %d", len(got), n)
	}
	return got
}

func bodies(evs []flume.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = string(e.Body)
	}
	return out
}

// TestTCPSource: newline-framed and octet-counted messages, split across
// writes anyhow, reach the channel parsed, with the client headers.
func TestTCPSource(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	s := startSource(t, TCPFactory, map[string]string{"clientIPHeader": "ip", "clientHostnameHeader": "name",
		"keepFields": "hostname"}, flumetest.Processor(ch))
	c := dialTCP(t, s.Addr())
	framed := "<13>1 - h2 octet-counted\nwith a newline"
	stream := "\n<34>1 2019-07-01T08:30:00Z h1 first\n" + strconv.Itoa(len(framed)) + " " + framed + "garbage line\n<13>Jul  1 08:30:00 h3 last\n"
	for i := 0; i < len(stream); i += 7 {
		if _, err := io.WriteString(c, stream[i:min(i+7, len(stream))]); err != nil {
			t.Fatal(err)
		}
	}
	evs := waitEvents(t, ch, 4)
	want := []string{"h1 first", "<13>1 - h2 octet-counted\nwith a newline", "garbage line", "h3 last"}
	if got := bodies(evs); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("bodies %q, want %q", got, want)
	}
	for _, e := range evs {
		if ip, _ := e.Header("ip"); ip != "127.0.0.1" {
			t.Errorf("ip header %q", ip)
		}
		if name, _ := e.Header("name"); name == "" {
			t.Error("no host name header")
		}
	}
	if st, _ := evs[2].Header(HeaderStatus); st != StatusInvalid {
		t.Errorf("garbage: status %q", st)
	}
	cn := s.Counters()
	if cn.EventReceivedCount.Load() != 4 || cn.EventAcceptedCount.Load() != 4 || cn.OpenConnectionCount.Load() != 1 {
		t.Errorf("counters %v", cn.Attributes())
	}
}

// TestTCPFullChannelLosesNothing: where Flume drops what a full channel
// refuses, the source stops reading and retries; every message arrives, in
// order, once the channel is drained.
func TestTCPFullChannelLosesNothing(t *testing.T) {
	const n = 300
	ch := flumetest.MemoryChannel(t, 10, 10, 0)
	s := startSource(t, TCPFactory, map[string]string{}, flumetest.Processor(ch))
	c := dialTCP(t, s.Addr())
	go func() {
		w := bufio.NewWriter(c)
		for i := range n {
			fmt.Fprintf(w, "<13>1 - h message %d\n", i)
		}
		_ = w.Flush()
	}()
	flumetest.WaitFor(t, 10*time.Second, "the channel to refuse", func() bool { return s.Counters().ChannelWriteFail.Load() > 0 })
	evs := waitEvents(t, ch, n)
	for i, e := range evs {
		if want := fmt.Sprintf("message %d", i); string(e.Body) != want {
			t.Fatalf("event %d: %q, want %q", i, e.Body, want)
		}
	}
}

// TestTCPHostileInput: a 1 MB line, binary garbage and 1000 idle
// connections: each line is cut at eventSize (memory bounded), garbage
// becomes Invalid events, and another client is served throughout.
func TestTCPHostileInput(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 10000, 1000, 0)
	s := startSource(t, TCPFactory, map[string]string{"eventSize": "2500"}, flumetest.Processor(ch))
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	idle := make([]net.Conn, 1000)
	for i := range idle {
		idle[i] = dialTCP(t, s.Addr())
	}
	flumetest.WaitFor(t, 10*time.Second, "1000 idle connections", func() bool { return s.Counters().OpenConnectionCount.Load() == 1000 })

	big := dialTCP(t, s.Addr())
	go func() { _, _ = big.Write(append(bytes.Repeat([]byte("x"), 1<<20), '\n')) }()
	garbage := dialTCP(t, s.Addr())
	noise := make([]byte, 64<<10)
	for i := range noise {
		noise[i] = byte(i*7919 + i>>8)
	}
	go func() { _, _ = garbage.Write(append(noise, "\n<13>1 - h after the noise\n"...)) }()

	good := dialTCP(t, s.Addr())
	if _, err := io.WriteString(good, "<13>1 - h served\n"); err != nil {
		t.Fatal(err)
	}
	var all []flume.Event
	flumetest.WaitFor(t, 30*time.Second, "every event", func() bool {
		all = append(all, flumetest.TakeAll(t, ch)...)
		n := 0
		for _, e := range all {
			n += len(e.Body)
		}
		var last, served bool
		for _, e := range all {
			last = last || string(e.Body) == "after the noise"
			served = served || string(e.Body) == "served"
		}
		return n >= 1<<20 && last && served
	})
	for _, e := range all {
		if len(e.Body) > 2500 {
			t.Fatalf("an event of %d bytes with eventSize 2500", len(e.Body))
		}
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 64<<20 {
		t.Errorf("the heap grew by %d MB", grown>>20)
	}
}

// TestTCPTLS: the source speaks TLS with the avro source's keys.
func TestTCPTLS(t *testing.T) {
	files := tlstest.Generate(t)
	ch := flumetest.MemoryChannel(t, 10, 10, 0)
	s := startSource(t, TCPFactory, map[string]string{"ssl": "true", "keystore": files.KeystoreP12,
		"keystore-password": tlstest.Password, "keystore-type": "PKCS12"}, flumetest.Processor(ch))
	ca, _ := os.ReadFile(files.CAPEM)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	c, err := tls.Dial("tcp", s.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "<13>1 - h over TLS\n"); err != nil {
		t.Fatal(err)
	}
	if evs := waitEvents(t, ch, 1); string(evs[0].Body) != "over TLS" {
		t.Fatalf("%q", evs[0].Body)
	}
}

// TestTCPConfig: Flume's property names and what flumego refuses.
func TestTCPConfig(t *testing.T) {
	for _, c := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"port": "1"}, "host: required"},
		{map[string]string{"bind": "0.0.0.0", "port": "1"}, "read host, not bind"},
		{map[string]string{"host": "h", "port": "x"}, "not a port number"},
		{map[string]string{"host": "h", "port": "1", "eventSize": "big"}, "eventSize"},
		{map[string]string{"host": "h", "port": "1", "format.regex": "(.*)"}, "not supported"},
		{map[string]string{"host": "h", "port": "1", "ssl": "true"}, "keystore"},
	} {
		_, err := TCPFactory(flume.Settings{}, flume.ContextFromMap(c.props), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.props, err, c.want)
		}
	}
	cfg := flume.ContextFromMap(map[string]string{"host": "h", "port": "1", "eventSize": "0"})
	if _, err := TCPFactory(flume.Settings{}, cfg, nil); err != nil || len(cfg.Problems()) != 1 {
		t.Errorf("eventSize 0: %v, warnings %v", err, cfg.Problems())
	}
}

// TestMultiport: several ports, a charset per port, the port header and
// Flume's SyslogParser headers.
func TestMultiport(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	a, b := flumetest.FreeAddr(t), flumetest.FreeAddr(t)
	s := startSource(t, MultiportFactory, map[string]string{"ports": fmt.Sprintf("%d %d", a.Port, b.Port),
		"charset.port." + strconv.Itoa(b.Port): "ISO-8859-1", "portHeader": "port", "batchSize": "3"}, flumetest.Processor(ch))
	ms := s.(*MultiportSource)
	ca, cb := dialTCP(t, ms.Addrs()[0]), dialTCP(t, ms.Addrs()[1])
	_, _ = io.WriteString(ca, "<13>1 2024-01-02T03:04:05Z h utf-8 caf\xc3\xa9\n\n<13>1 - h second\nno priority\n")
	evs := waitEvents(t, ch, 3)
	_, _ = io.WriteString(cb, "<13>1 2024-01-02T03:04:05Z h latin-1 caf\xe9\n")
	evs = append(evs, waitEvents(t, ch, 1)...)
	if got := bodies(evs); strings.Join(got, "|") != "utf-8 caf\xc3\xa9|second|no priority|latin-1 caf\xe9" {
		t.Fatalf("bodies %q", got)
	}
	if p, _ := evs[0].Header("port"); p != strconv.Itoa(a.Port) {
		t.Errorf("port header %q", p)
	}
	if p, _ := evs[3].Header("port"); p != strconv.Itoa(b.Port) {
		t.Errorf("port header %q", p)
	}
	if v, _ := evs[0].Header("Version"); v != "1" {
		t.Errorf("Version %q", v)
	}
	if st, _ := evs[2].Header(HeaderStatus); st != StatusInvalid {
		t.Errorf("status %q", st)
	}
	if cn := s.Counters(); cn.EventReadFail.Load() != 1 || cn.EventAcceptedCount.Load() != 4 {
		t.Errorf("counters %v", cn.Attributes())
	}
}

// TestMultiportPortInUse: a port that cannot be bound fails Start and
// releases the others, for the agent to retry.
func TestMultiportPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	free := flumetest.FreeAddr(t)
	cfg := flume.ContextFromMap(map[string]string{"host": "127.0.0.1",
		"ports": fmt.Sprintf("%d %d", free.Port, taken.Addr().(*net.TCPAddr).Port)})
	src, err := MultiportFactory(flume.Settings{}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Start(context.Background()); err == nil {
		t.Fatal("started with a port in use")
	}
	ln, err := net.Listen("tcp", free.String())
	if err != nil {
		t.Fatalf("the free port was not released: %v", err)
	}
	ln.Close()
	if err := src.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestUDP: one event per datagram, up to its first newline; a datagram
// without a priority is a read failure.
func TestUDP(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 10, 10, 0)
	s := startSource(t, UDPFactory, map[string]string{"clientIPHeader": "ip"}, flumetest.Processor(ch))
	c, err := net.Dial("udp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, d := range []string{"<13>1 - h one", "<13>1 - h two\n<13>1 - h dropped", "", "<14>Jan  1 00:00:00 h three"} {
		if _, err := io.WriteString(c, d); err != nil {
			t.Fatal(err)
		}
	}
	evs := waitEvents(t, ch, 3)
	if got := strings.Join(bodies(evs), "|"); got != "one|two|three" {
		t.Fatalf("bodies %q", got)
	}
	if ip, _ := evs[0].Header("ip"); ip != "127.0.0.1" {
		t.Errorf("ip %q", ip)
	}
	flumetest.WaitFor(t, 5*time.Second, "the empty datagram's read failure", func() bool { return s.Counters().EventReadFail.Load() == 1 })
}

// TestStopWithFullChannel: a source waiting for room stops within its
// context.
func TestStopWithFullChannel(t *testing.T) {
	for name, factory := range map[string]flume.SourceFactory{"syslogtcp": TCPFactory, "syslogudp": UDPFactory} {
		t.Run(name, func(t *testing.T) {
			ch := flumetest.MemoryChannel(t, 1, 1, 0)
			flumetest.Put(t, ch, flume.NewEvent([]byte("fills it")))
			cfg := flume.ContextFromMap(map[string]string{"host": "127.0.0.1", "port": "0"})
			src, err := factory(flume.Settings{}, cfg, flumetest.Processor(ch))
			if err != nil {
				t.Fatal(err)
			}
			if err := src.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			a := src.(addrSource)
			network := map[string]string{"syslogtcp": "tcp", "syslogudp": "udp"}[name]
			c, err := net.Dial(network, a.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, _ = io.WriteString(c, "<13>1 - h waits\n")
			flumetest.WaitFor(t, 5*time.Second, "a refusal", func() bool { return a.Counters().ChannelWriteFail.Load() > 0 })
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			err = src.Stop(ctx)
			if err == nil || time.Since(start) > 5*time.Second {
				t.Fatalf("Stop: %v after %v", err, time.Since(start))
			}
			if err := src.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
