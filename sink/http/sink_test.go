package http

import (
	"context"
	"fmt"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/sink/sinktest"
)

// endpoint is a real HTTP server that records what it is sent and answers
// with the status answer picks for the n-th request (0 closes the
// connection without an answer).
type endpoint struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
	answer   func(n int, body string) int
}

type request struct {
	body, contentType, accept string
	status                    int
}

func newEndpoint(t testing.TB, answer func(n int, body string) int) *endpoint {
	e := &endpoint{answer: answer}
	e.Server = httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		status := e.answer(len(e.requests), string(b))
		e.requests = append(e.requests, request{string(b), r.Header.Get("Content-Type"), r.Header.Get("Accept"), status})
		e.mu.Unlock()
		if status == 0 {
			c, _, err := nethttp.NewResponseController(w).Hijack()
			if err == nil {
				_ = c.Close()
			}
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "answer body")
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) got() []request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]request(nil), e.requests...)
}

func newSink(t testing.TB, in flume.Channel, props map[string]string) *Sink {
	t.Helper()
	s, err := Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(props), in)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s.(*Sink)
}

// dest adapts an endpoint to sinktest.Destination.
type dest struct {
	e       *endpoint
	failing bool
}

func (d *dest) Received(testing.TB) []flume.Event {
	var out []flume.Event
	for _, r := range d.e.got() {
		if r.status == 200 {
			out = append(out, flume.NewEvent([]byte(r.body)))
		}
	}
	return out
}

func (d *dest) Fail(_ testing.TB, failing bool) bool {
	d.e.mu.Lock()
	d.failing = failing
	d.e.mu.Unlock()
	return true
}

// TestSinkTest: the delivery suite, with the endpoint answering 200 or,
// failing, closing connections unanswered.
func TestSinkTest(t *testing.T) {
	sinktest.Run(t, sinktest.Options{
		BatchSize: 1,
		New: func(t testing.TB, in flume.Channel) (flume.Sink, sinktest.Destination) {
			d := &dest{}
			d.e = newEndpoint(t, func(int, string) int {
				if d.failing {
					return 0
				}
				return 200
			})
			return newSink(t, in, map[string]string{"endpoint": d.e.URL, "rollback.2XX": "false", "backoff.2XX": "false"}), d
		},
	})
}

// TestStatusTurns: an endpoint answering 200, 500 and 503 by turns. Each
// answer is handled as configured — 2XX commits without backoff, 500 rolls
// back without backoff (its exact code beats 5XX), 503 rolls back and backs
// off — and every event is delivered, in order, exactly once with a 200.
func TestStatusTurns(t *testing.T) {
	const n = 30
	e := newEndpoint(t, func(i int, _ string) int { return []int{200, 500, 503}[i%3] })
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	s := newSink(t, ch, map[string]string{"endpoint": e.URL + "/collect", "contentTypeHeader": "application/json",
		"acceptHeader": "application/json", "rollback.2XX": "false", "backoff.2XX": "false", "incrementMetrics.2XX": "true",
		"rollback.5XX": "true", "backoff.5XX": "true", "backoff.500": "false"})
	for i := range n {
		flumetest.Put(t, ch, flume.NewEvent([]byte(fmt.Sprintf("event %d", i))))
	}
	want := map[int]flume.Status{200: flume.Ready, 500: flume.Ready, 503: flume.Backoff}
	for calls := 0; ch.Len() > 0; calls++ {
		if calls > 10*n {
			t.Fatalf("%d events left after %d calls", ch.Len(), calls)
		}
		st, err := s.Process(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := e.got()
		if last := got[len(got)-1]; st != want[last.status] {
			t.Fatalf("after a %d answer: %v, want %v", last.status, st, want[last.status])
		}
	}
	var delivered []string
	for i, r := range e.got() {
		if r.contentType != "application/json" || r.accept != "application/json" {
			t.Fatalf("request %d headers: %q %q", i, r.contentType, r.accept)
		}
		if r.status == 200 {
			delivered = append(delivered, r.body)
		} else if next := e.got()[i+1]; next.body != r.body {
			t.Fatalf("after a %d for %q the sink sent %q", r.status, r.body, next.body)
		}
	}
	if len(delivered) != n {
		t.Fatalf("%d events delivered, want %d", len(delivered), n)
	}
	for i, b := range delivered {
		if b != fmt.Sprintf("event %d", i) {
			t.Fatalf("delivery %d is %q", i, b)
		}
	}
	c := s.Counters()
	if c.EventDrainAttemptCount.Load() != int64(len(e.got())) || c.EventDrainSuccessCount.Load() != n || c.EventWriteFail.Load() != 0 {
		t.Errorf("counters %v", c.Attributes())
	}
}

// TestFailures: a request that fails (no answer, a timeout) rolls the event
// back and is an error; an empty body is committed without a request.
func TestFailures(t *testing.T) {
	slow := newEndpoint(t, func(int, string) int { time.Sleep(300 * time.Millisecond); return 200 })
	ch := flumetest.MemoryChannel(t, 10, 10, 0)
	s := newSink(t, ch, map[string]string{"endpoint": slow.URL, "requestTimeout": "50", "rollback.2XX": "false"})
	flumetest.Put(t, ch, flume.NewEvent([]byte("slow")))
	if st, err := s.Process(context.Background()); err == nil || st != flume.Backoff || ch.Len() != 1 {
		t.Fatalf("timeout: %v %v, %d in the channel", st, err, ch.Len())
	}
	if s.Counters().EventWriteFail.Load() != 1 {
		t.Errorf("EventWriteFail %d", s.Counters().EventWriteFail.Load())
	}
	flumetest.TakeAll(t, ch)
	flumetest.Put(t, ch, flume.NewEvent(nil))
	if st, err := s.Process(context.Background()); err != nil || st != flume.Backoff || ch.Len() != 0 {
		t.Fatalf("empty body: %v %v, %d in the channel", st, err, ch.Len())
	}
	if len(slow.got()) != 1 {
		t.Errorf("%d requests; the empty event made one", len(slow.got()))
	}
	// The defaults roll back even a 200, as in Flume.
	ok := newEndpoint(t, func(int, string) int { return 200 })
	d := newSink(t, ch, map[string]string{"endpoint": ok.URL})
	flumetest.Put(t, ch, flume.NewEvent([]byte("again")))
	for range 3 {
		if st, err := d.Process(context.Background()); err != nil || st != flume.Backoff {
			t.Fatalf("defaults: %v %v", st, err)
		}
	}
	if len(ok.got()) != 3 || ch.Len() != 1 {
		t.Fatalf("defaults: %d requests, %d in the channel", len(ok.got()), ch.Len())
	}
}

// TestPolicy: an exact code beats its class, which beats the default.
func TestPolicy(t *testing.T) {
	p := Policy{Default: true, Overrides: map[string]bool{"5XX": false, "503": true, "2XX": false}}
	for code, want := range map[int]bool{200: false, 204: false, 500: false, 503: true, 404: true, 302: true} {
		if got := p.For(code); got != want {
			t.Errorf("%d: %v, want %v", code, got, want)
		}
	}
}

// TestConfig: required and checked properties, and the warnings.
func TestConfig(t *testing.T) {
	for props, want := range map[string]string{
		"":                                     "endpoint: required",
		"endpoint=ftp://host/x":                "http:// or https://",
		"endpoint=http://h connectTimeout=0":   "connectTimeout",
		"endpoint=http://h requestTimeout=x":   "requestTimeout",
		"endpoint=http://h rollback.2XX=false": "",
	} {
		m := map[string]string{}
		for _, kv := range strings.Fields(props) {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		_, err := ParseConfig(flume.ContextFromMap(m))
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%q: %v, want %q", props, err, want)
		}
	}
	cfg := flume.ContextFromMap(map[string]string{"endpoint": "http://192.168.157.1:8080/collect  ##", "backoff.5xx": "true", "rollback.2XX": "false"})
	if _, err := ParseConfig(cfg); err != nil {
		t.Fatal(err)
	}
	text := cfg.Problems().Error()
	for _, w := range []string{"endpoint", "white space or a fragment", "backoff.5xx", "never applies"} {
		if !strings.Contains(text, w) {
			t.Errorf("no %q in %s", w, text)
		}
	}
	cfg = flume.ContextFromMap(map[string]string{"endpoint": "http://h"})
	if _, err := ParseConfig(cfg); err != nil || !strings.Contains(cfg.Problems().Error(), "a 200 answer is rolled back") {
		t.Errorf("the defaults draw no warning: %v", cfg.Problems())
	}
}
