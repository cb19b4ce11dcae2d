package flumetest

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
)

func TestPutTakeAll(t *testing.T) {
	ch := MemoryChannel(t, 100, 10, 0)
	for i := 0; i < 25; i += 5 {
		Put(t, ch, channeltest.Events(i, i+5)...)
	}
	got := TakeAll(t, ch)
	if len(got) != 25 {
		t.Fatalf("took %d events, want 25", len(got))
	}
	for i, e := range got {
		if channeltest.Seq(e) != i {
			t.Fatalf("event %d has seq %d", i, channeltest.Seq(e))
		}
	}
	if err := Processor(ch).Process(t.Context(), []flume.Event{flume.NewEvent([]byte("x"))}); err != nil || ch.Len() != 1 {
		t.Fatalf("Process: %v, channel holds %d", err, ch.Len())
	}
}

func TestLogBufferWaitLine(t *testing.T) {
	var l LogBuffer
	go func() {
		fmt.Fprint(&l, "level=INFO msg=starting\nlevel=INFO msg=\"source listening\" ")
		time.Sleep(time.Millisecond) // the line arrives in two writes
		fmt.Fprint(&l, "address=127.0.0.1:4141 ssl=false\n")
	}()
	line := l.WaitLine(t, "source listening", 10*time.Second)
	if got := LogValue(line, "address"); got != "127.0.0.1:4141" {
		t.Fatalf("address = %q in %q", got, line)
	}
	if LogValue(line, "port") != "" {
		t.Fatal("LogValue found a key that is not there")
	}
}

func TestCounters(t *testing.T) {
	var c Counters
	if got := c.Get("r1", "EventAcceptedCount"); got != -1 {
		t.Fatalf("nothing published: %d", got)
	}
	var sc flume.SourceCounter
	sc.EventAcceptedCount.Add(7)
	c.Publish("r1", &sc)
	if got := c.Get("r1", "EventAcceptedCount"); got != 7 {
		t.Fatalf("EventAcceptedCount = %d, want 7", got)
	}
	if got := c.Get("r1", "NoSuchCounter"); got != -1 {
		t.Fatalf("an unknown attribute: %d", got)
	}
}

func TestEventHelpers(t *testing.T) {
	e := Event("body", "b", "2", "a", "1")
	if string(e.Body) != "body" || !maps.Equal(Headers(e), map[string]string{"a": "1", "b": "2"}) {
		t.Fatalf("Event: %q %v", e.Body, Headers(e))
	}
	f := EventWithHeaders([]byte("body"), map[string]string{"a": "1", "b": "2"})
	if !SameEvent(e, f) {
		t.Fatalf("same headers in another order: %v vs %v", Headers(e), Headers(f))
	}
	f.SetHeader("b", "3")
	if SameEvent(e, f) {
		t.Fatal("different header values compare equal")
	}
	if SameEvent(e, Event("other", "b", "2", "a", "1")) || SameEvent(e, Event("body", "b", "2")) {
		t.Fatal("different bodies or header counts compare equal")
	}
	if h := Headers(EventWithHeaders(nil, nil)); h == nil || len(h) != 0 {
		t.Fatalf("Headers of an event without headers: %#v", h)
	}
	if !SameEvent(flume.Event{Body: nil}, flume.Event{Body: []byte{}}) {
		t.Fatal("nil and empty bodies differ")
	}
}
