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
	"github.com/flumego/flume/rpc/avrorpc"
	"github.com/flumego/flume/source"
)

// startSource builds and starts an avro source on a free loopback port
// feeding ch, with extra properties.
func startSource(t testing.TB, ch flume.Channel, extra map[string]string) *Source {
	t.Helper()
	props := map[string]string{"bind": "127.0.0.1", "port": "0"}
	for k, v := range extra {
		props[k] = v
	}
	proc := flumetest.Processor(ch)
	cfg := flume.ContextFromMap(props)
	src, err := Factory(flume.Settings{Name: "r1"}, cfg, proc)
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) > 0 {
		t.Fatalf("unused keys: %v", u)
	}
	s := src.(*Source)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

func port(s *Source) int { return s.Addr().(*net.TCPAddr).Port }

func sampleEvents(n int, prefix string) []flume.Event {
	evs := make([]flume.Event, n)
	for i := range evs {
		evs[i] = flume.Event{Body: []byte(fmt.Sprintf("%s-%d \x00\xff body", prefix, i))}
		if i%2 == 0 {
			evs[i].SetHeader("seq", fmt.Sprint(i))
			evs[i].SetHeader("host", "web-1")
			evs[i].SetHeader("unicode", "é✓")
		}
	}
	return evs
}

// TestAvscClient sends append and appendBatch calls from avsc, once with
// Flume's exact protocol (handshake BOTH, as from Java) and once with
// another protocol text (handshake NONE, then CLIENT).
func TestAvscClient(t *testing.T) {
	for _, proto := range []struct{ name, text string }{{"flume-hash", avsctest.FlumeProtocol}, {"other-hash", avsctest.OtherProtocol}} {
		t.Run(proto.name, func(t *testing.T) {
			ch := flumetest.MemoryChannel(t, 1000, 200, 100*time.Millisecond)
			s := startSource(t, ch, nil)
			single := sampleEvents(3, "single")
			batch := sampleEvents(150, "batch")
			calls := []avsctest.Call{{Events: single[:1]}, {Batch: true, Events: batch}, {Events: single[1:2]}, {Batch: true, Events: nil}, {Events: single[2:3]}}
			res := avsctest.RunClient(t, "127.0.0.1", port(s), proto.text, calls)
			for i, r := range res {
				if r.Status != "OK" {
					t.Fatalf("call %d answered %+v", i, r)
				}
			}
			want := append(append(append(append([]flume.Event{}, single[0]), batch...), single[1]), single[2])
			flumetest.SameEvents(t, flumetest.TakeAll(t, ch), want)
			c := &s.counter
			if c.AppendReceivedCount.Load() != 3 || c.AppendAcceptedCount.Load() != 3 || c.AppendBatchReceivedCount.Load() != 2 ||
				c.AppendBatchAcceptedCount.Load() != 2 || c.EventReceivedCount.Load() != 153 || c.EventAcceptedCount.Load() != 153 {
				t.Fatalf("counters: %+v", c.Attributes())
			}
		})
	}
}

// TestBatchLargerThanTransactionCapacity: as a Java source, a batch the
// channel cannot take in one transaction is answered FAILED and nothing of
// it lands.
func TestBatchLargerThanTransactionCapacity(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 10, 100*time.Millisecond)
	s := startSource(t, ch, nil)
	res := avsctest.RunClient(t, "127.0.0.1", port(s), avsctest.FlumeProtocol,
		[]avsctest.Call{{Batch: true, Events: sampleEvents(11, "big")}, {Batch: true, Events: sampleEvents(10, "ok")}})
	if res[0].Status != "FAILED" || res[1].Status != "OK" {
		t.Fatalf("answers %+v, want FAILED then OK", res)
	}
	flumetest.SameEvents(t, flumetest.TakeAll(t, ch), sampleEvents(10, "ok"))
	if got := s.counter.ChannelWriteFail.Load(); got != 1 {
		t.Fatalf("ChannelWriteFail = %d", got)
	}
}

// TestChannelFull: a full channel answers FAILED (the sender keeps its
// events) until a sink makes room.
func TestChannelFull(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 20, 20, 100*time.Millisecond)
	s := startSource(t, ch, nil)
	res := avsctest.RunClient(t, "127.0.0.1", port(s), avsctest.FlumeProtocol,
		[]avsctest.Call{{Batch: true, Events: sampleEvents(15, "a")}, {Batch: true, Events: sampleEvents(15, "b")}})
	if res[0].Status != "OK" || res[1].Status != "FAILED" {
		t.Fatalf("answers %+v, want OK then FAILED", res)
	}
	if ch.Len() != 15 {
		t.Fatalf("channel holds %d events", ch.Len())
	}
}

type failingInterceptor struct{}

func (failingInterceptor) Intercept([]flume.Event) ([]flume.Event, error) {
	return nil, fmt.Errorf("interceptor exploded")
}

// TestInterceptorErrorIsRPCError: a failure that is not the channel's
// reaches the client as an Avro error, and the connection stays usable.
func TestInterceptorErrorIsRPCError(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 100*time.Millisecond)
	proc := source.NewChannelProcessor(source.NewReplicating([]flume.NamedChannel{{Name: "c1", Channel: ch}}, nil), []flume.Interceptor{failingInterceptor{}}, nil)
	src, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"}), proc)
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*Source)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	res := avsctest.RunClient(t, "127.0.0.1", port(s), avsctest.FlumeProtocol,
		[]avsctest.Call{{Batch: true, Events: sampleEvents(2, "x")}, {Events: sampleEvents(1, "y")}})
	for i, r := range res {
		if r.Error == "" {
			t.Fatalf("call %d answered %+v, want an error", i, r)
		}
	}
	if ch.Len() != 0 {
		t.Fatal("events reached the channel")
	}
}

func TestPortInUse(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 10, 10, 100*time.Millisecond)
	s := startSource(t, ch, nil)
	proc := flumetest.Processor(ch)
	src, err := Factory(flume.Settings{Name: "r2"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": fmt.Sprint(port(s))}), proc)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "r2") {
		src.Stop(context.Background())
		t.Fatalf("second source on a used port: Start returned %v", err)
	}
	if err := src.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"port": "1"}, "bind"},
		{map[string]string{"bind": "127.0.0.1"}, "port"},
		{map[string]string{"bind": "127.0.0.1", "port": "1", "ipFilter": "true"}, "ipFilterRules"},
		{map[string]string{"bind": "127.0.0.1", "port": "1", "ipFilter": "true", "ipFilterRules": "allow:host:*"}, "invalid ipFilter rule"},
		{map[string]string{"bind": "127.0.0.1", "port": "1", "ssl": "true"}, "keystore"},
	} {
		_, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(tc.props), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %q", tc.props, err, tc.want)
		}
	}
}

func TestIPFilterRules(t *testing.T) {
	addr := func(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 1} }
	names := map[string][]string{"10.1.2.3": {"db1.example.com."}}
	resolve := func(_ context.Context, ip string) ([]string, error) { return names[ip], nil }
	for _, tc := range []struct {
		rules string
		ip    string
		want  bool
	}{
		{"allow:ip:10.*,deny:ip:*", "10.0.0.1", true},
		{"allow:ip:10.*,deny:ip:*", "192.168.1.1", false},
		{"deny:ip:192.168.1.?,allow:ip:*", "192.168.1.5", false},
		{"deny:ip:192.168.1.?,allow:ip:*", "192.168.1.50", true},
		{"deny:ip:10.0.0.1", "10.0.0.2", true}, // no rule matches: accepted
		{"allow:name:localhost,deny:ip:*", "127.0.0.1", true},
		{"allow:name:localhost,deny:ip:*", "10.9.9.9", false},
		{"deny:name:*.example.com,allow:ip:*", "10.1.2.3", false},
		{"deny:name:*.example.com,allow:ip:*", "10.1.2.4", true},
		{"deny:ip:10x0.0.1", "10.0.0.1", true}, // "." is literal
	} {
		rules, err := parseIPFilterRules(tc.rules)
		if err != nil {
			t.Fatal(err)
		}
		f := &ipFilter{rules: rules, resolve: resolve}
		if got := f.accept(addr(tc.ip)); got != tc.want {
			t.Errorf("rules %q, client %s: accept = %v, want %v", tc.rules, tc.ip, got, tc.want)
		}
	}
}

// TestIPFilterDeniesConnection: a denied client's connection is closed
// before any call; an allowed one is served.
func TestIPFilterDeniesConnection(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 100*time.Millisecond)
	deny := startSource(t, ch, map[string]string{"ipFilter": "true", "ipFilterRules": "deny:ip:127.*"})
	c, err := net.Dial("tcp", deny.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatalf("denied connection read %d bytes", n)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("denied connection was not closed")
	}
	allow := startSource(t, ch, map[string]string{"ipFilter": "true", "ipFilterRules": "allow:name:localhost,deny:ip:*"})
	res := avsctest.RunClient(t, "127.0.0.1", port(allow), avsctest.FlumeProtocol, []avsctest.Call{{Events: sampleEvents(1, "z")}})
	if res[0].Status != "OK" {
		t.Fatalf("allowed client answered %+v", res)
	}
}

func TestRegister(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"avro", "Avro", "org.apache.flume.source.AvroSource"} {
		if _, _, err := r.Source(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestOversizedBatchNotDecoded: a batch over the channel's
// transactionCapacity is answered FAILED from its block counts alone,
// before the rest is read (here garbage follows the eleventh event), and
// counted as Flume counts a batch its channel refused.
func TestOversizedBatchNotDecoded(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 10, 100*time.Millisecond)
	s := startSource(t, ch, nil)
	c, err := avrorpc.Dial(context.Background(), s.Addr().String(), avrorpc.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	call := avrorpc.EncodeAppendBatch(sampleEvents(11, "big"))
	call = append(call[:len(call)-1], 0xff, 0xff) // no end marker: garbage
	if st, err := c.CallEncoded(context.Background(), call); err != nil || st != avrorpc.Failed {
		t.Fatalf("answered %v, %v; want FAILED", st, err)
	}
	if ch.Len() != 0 {
		t.Fatalf("channel holds %d events", ch.Len())
	}
	cn := &s.counter
	if cn.AppendBatchReceivedCount.Load() != 1 || cn.EventReceivedCount.Load() != 11 || cn.ChannelWriteFail.Load() != 1 || cn.EventAcceptedCount.Load() != 0 {
		t.Fatalf("counters: %+v", cn.Attributes())
	}
}
