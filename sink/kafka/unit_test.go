package kafka

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// The reference's byte examples of the AvroFlumeEvent datum.
func TestFlumeEventGolden(t *testing.T) {
	for _, tc := range []struct {
		e    flume.Event
		want string
	}{
		{flumetest.Event("hi", "a", "b"), "02026102620004" + "6869"},
		{flume.Event{Body: []byte("hi")}, "00046869"},
		{flume.Event{}, "0000"},
	} {
		got, _ := AppendFlumeEvent(nil, tc.e, nil)
		if hex.EncodeToString(got) != tc.want {
			t.Errorf("%v: % x, want %s", tc.e, got, tc.want)
		}
		back, err := avroevent.Unmarshal(got)
		if err != nil || !bytes.Equal(back.Body, tc.e.Body) || back.HeaderCount() != tc.e.HeaderCount() {
			t.Errorf("decode %x: %v %v", got, back, err)
		}
	}
}

func TestTopicEscapes(t *testing.T) {
	ts := time.Date(2021, 3, 4, 5, 6, 7, 0, time.Local)
	h := map[string]string{"app": "web", "timestamp": formatInt(ts.UnixMilli()), "a.b-c": "x"}
	for in, want := range map[string]string{
		"plain":                "plain",
		"logs-%{app}":          "logs-web",
		"%{missing}x":          "x",
		"%{a.b-c}":             "x",
		"%{bad name}":          "%{bad name}",
		"%Y%m%d-%H%M%S":        "20210304-050607",
		"%y %e %k %l %n %j %p": "21 4 5 5 3 063 AM",
		"%a %b %D %I":          "Thu Mar 03/04/21 05",
		"%t":                   formatInt(ts.UnixMilli()),
		"%s":                   formatInt(ts.Unix()),
		"100%%":                "100%",
		"%Q":                   "",
		"trailing%":            "trailing%",
		"%[localhost]":         hostInfo("localhost"),
	} {
		f, err := parseTopic(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		got, err := f.expand(flumetest.EventWithHeaders(nil, h))
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := parseTopic("%[nowhere]"); err == nil {
		t.Error("%[nowhere] accepted")
	}
	f, _ := parseTopic("t-%d")
	if _, err := f.expand(flumetest.Event("", "timestamp", "soon")); err == nil {
		t.Error("bad timestamp accepted")
	}
}

// Kafka checks the broker's host name unless told not to.
func TestHostnameVerificationSetting(t *testing.T) {
	f := tlstest.Generate(t)
	base := map[string]string{
		"kafka.bootstrap.servers":                "h:1",
		"kafka.producer.security.protocol":       "SSL",
		"kafka.producer.ssl.truststore.location": f.CAPEM,
	}
	c, cfg := parse(t, base)
	if cfg.Err() != nil || c.Producer.Security.TLS == nil || c.Producer.Security.TLS.InsecureSkipVerify {
		t.Fatalf("default must verify the host name: %v %+v", cfg.Err(), c.Producer.Security.TLS)
	}
	base["kafka.producer.ssl.disableTLSHostnameVerification"] = "true"
	c, _ = parse(t, base)
	if tc := c.Producer.Security.TLS; !tc.InsecureSkipVerify || tc.VerifyPeerCertificate == nil {
		t.Fatalf("disableTLSHostnameVerification must keep the chain check only: %+v", tc)
	}
	base["kafka.producer.ssl.truststore.location"] = "/nonexistent"
	_, cfg = parse(t, base)
	if err := cfg.Err(); err == nil || !strings.Contains(err.Error(), "kafka.producer.ssl.truststore.location") {
		t.Fatalf("bad truststore: %v", err)
	}
}

func TestRegisterAndLifecycle(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kafka", "KAFKA", ClassName} {
		if _, _, err := r.Sink(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "life"))
	ch := newChannel(t, 10, 10, []flume.Event{ev("x")})
	var published flume.CounterGroup
	sk, err := Factory(flume.Settings{Name: "k1", Publisher: func(g flume.CounterGroup) { published = g }},
		flume.ContextFromMap(map[string]string{"kafka.bootstrap.servers": c.ListenAddrs()[0], "kafka.topic": "life"}), ch)
	if err != nil {
		t.Fatal(err)
	}
	s := sk.(*Sink)
	if err := s.Stop(t.Context()); err != nil {
		t.Fatalf("stop before start: %v", err)
	}
	if _, err := s.Process(t.Context()); !errors.Is(err, errNotStarted) {
		t.Fatalf("process before start: %v", err)
	}
	baseline := runtime.NumGoroutine()
	for round := 0; round < 2; round++ { // a stopped sink starts again
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			drainAll(t, s, 1)
		}
		if err := s.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := s.Stop(t.Context()); err != nil {
			t.Fatalf("second stop: %v", err)
		}
	}
	if s.counter.ConnectionCreatedCount.Load() != 0 || attr(&s.counter, "StopTime") == 0 {
		t.Errorf("counters after restart: %v", s.counter.Attributes())
	}
	// kafka-go's connection goroutines end right after Stop closed them.
	flumetest.WaitFor(t, 5*time.Second, "the sink's goroutines to end", func() bool { return runtime.NumGoroutine() <= baseline })

	names := map[string]bool{}
	for _, a := range published.Attributes() {
		names[a.Name] = true
	}
	for _, want := range []string{"Type", "StartTime", "StopTime", "ConnectionCreatedCount", "ConnectionClosedCount",
		"ConnectionFailedCount", "BatchEmptyCount", "BatchUnderflowCount", "BatchCompleteCount",
		"EventDrainAttemptCount", "EventDrainSuccessCount", "KafkaEventSendTimer", "RollbackCount"} {
		if !names[want] {
			t.Errorf("attribute %s missing", want)
		}
	}
	if len(names) != 13 || published.Type() != "SINK" {
		t.Errorf("attributes %v", names)
	}
}

// An unreachable cluster makes Process fail within the delivery timeout,
// counting the failed connections; nothing is committed.
func TestUnreachableClusterFailsFast(t *testing.T) {
	ch := newChannel(t, 10, 10, []flume.Event{ev("x")})
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers":            "127.0.0.1:1",
		"kafka.producer.request.timeout.ms":  "500",
		"kafka.producer.delivery.timeout.ms": "1000",
	}, ch)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := s.Process(ctx); err == nil {
		t.Fatal("delivered to nowhere")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Process took %s", d)
	}
	if ch.Len() != 1 || s.counter.RollbackCount.Load() != 1 || s.counter.ConnectionFailedCount.Load() == 0 {
		t.Errorf("channel %d, counters %v", ch.Len(), s.counter.Attributes())
	}
}

func attr(g flume.CounterGroup, name string) float64 {
	for _, a := range g.Attributes() {
		if a.Name == name {
			return a.Value
		}
	}
	return -1
}
