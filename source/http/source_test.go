package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/source/http/handler"
	"github.com/flumego/flume/source/sourcetest"
)

func settings() flume.Settings {
	r := flume.NewRegistry()
	if err := handler.Register(r); err != nil {
		panic(err)
	}
	return flume.Settings{Name: "r1", Registry: r}
}

func startHTTP(t testing.TB, props map[string]string, out flume.ChannelProcessor) *Source {
	t.Helper()
	props["bind"], props["port"] = "127.0.0.1", "0"
	src, err := Factory(settings(), flume.ContextFromMap(props), out)
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*Source)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s
}

func url(s *Source) string { return "http://" + s.Addr().String() + "/" }

// jsonBatch is Flume's JSON for events.
func jsonBatch(events []flume.Event) []byte {
	type je struct {
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	out := make([]je, len(events))
	for i, e := range events {
		h := map[string]string{}
		for k, v := range e.AllHeaders() {
			h[k] = v
		}
		out[i] = je{h, string(e.Body)}
	}
	b, _ := json.Marshal(out)
	return b
}

func do(t testing.TB, method, u, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, err := nethttp.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestSourceTest: the conformance suite of sources with acknowledgements:
// 200 only for committed events, 503 for a full channel with nothing half
// committed, and the resend accepted.
func TestSourceTest(t *testing.T) {
	sourcetest.Run(t, sourcetest.Options{
		New: func(t testing.TB, out flume.ChannelProcessor) flume.Source {
			return startHTTP(t, map[string]string{}, out)
		},
		Send: func(t testing.TB, src flume.Source, events []flume.Event) (int, error) {
			status, msg := do(t, nethttp.MethodPost, url(src.(*Source)), "application/json", bytes.NewReader(jsonBatch(events)))
			switch status {
			case nethttp.StatusOK:
				return len(events), nil
			case nethttp.StatusServiceUnavailable:
				return 0, errors.New(msg)
			}
			t.Fatalf("answered %d %s", status, msg)
			return 0, nil
		},
		Headers: true,
	})
}

// TestAnswers: Flume's answer to each method and kind of body, and the
// counters.
func TestAnswers(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	s := startHTTP(t, map[string]string{}, flumetest.Processor(ch))
	ok := `[{"headers":{"a":"b"},"body":"x"}]`
	for _, c := range []struct {
		method, body string
		status       int
		text         string
	}{
		{"POST", ok, 200, ""},
		{"GET", ok, 200, ""},
		{"POST", `[{"headers":{"a":"b"},"body":"x"`, 400, "Bad request from client. Request has invalid JSON Syntax"},
		{"POST", ``, 400, "Bad request from client."},
		{"PUT", ok, 405, ""},
		{"DELETE", ok, 405, ""},
		{"TRACE", "", 403, ""},
		{"OPTIONS", "", 403, ""},
		{"PATCH", ok, 501, ""},
	} {
		status, text := do(t, c.method, url(s), "application/json", strings.NewReader(c.body))
		if status != c.status || !strings.Contains(text, c.text) {
			t.Errorf("%s %q: %d %q, want %d %q", c.method, c.body, status, text, c.status, c.text)
		}
	}
	if got := flumetest.TakeAll(t, ch); len(got) != 2 {
		t.Fatalf("%d events, want 2", len(got))
	}
	cn := s.Counters()
	if cn.AppendBatchReceivedCount.Load() != 2 || cn.AppendBatchAcceptedCount.Load() != 2 || cn.EventReadFail.Load() != 2 {
		t.Errorf("counters %v", cn.Attributes())
	}
	// HEAD is handled as GET (the body, if any, is the request's).
	req, _ := nethttp.NewRequest(nethttp.MethodHead, url(s), nil)
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("Server") != "flumego" {
		t.Errorf("HEAD without a body: %d, Server %q", resp.StatusCode, resp.Header.Get("Server"))
	}
}

// TestBigBodies: a body over max-request-size is refused with 413, whether
// it announces its length or streams (a 1 GB stream is cut after the limit,
// never held in memory), and other clients are served meanwhile.
func TestBigBodies(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	s := startHTTP(t, map[string]string{"max-request-size": "1048576"}, flumetest.Processor(ch))
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	status, _ := do(t, "POST", url(s), "application/json", bytes.NewReader(make([]byte, 2<<20)))
	if status != nethttp.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MB body: %d", status)
	}
	// 1 GB, chunked: the source answers once it passed the limit; the
	// client stops sending then.
	done := make(chan int, 1)
	go func() {
		req, _ := nethttp.NewRequest("POST", url(s), io.LimitReader(zeros{}, 1<<30))
		req.ContentLength = -1
		resp, err := nethttp.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	if status, _ := do(t, "POST", url(s), "", strings.NewReader(`[{"body":"served"}]`)); status != 200 {
		t.Errorf("another client: %d", status)
	}
	select {
	case status := <-done:
		if status != nethttp.StatusRequestEntityTooLarge && status != -1 {
			t.Errorf("1 GB streamed: %d", status)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the 1 GB request is still going after 60 s")
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.TotalAlloc-before.TotalAlloc > 512<<20 {
		t.Errorf("%d MB allocated for bodies cut at 1 MB", (after.TotalAlloc-before.TotalAlloc)>>20)
	}
	if n := s.Counters().EventReadFail.Load(); n != 2 {
		t.Errorf("EventReadFail %d", n)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestSlowAndIdleClients: a client that sends half a request and stalls is
// cut off after request-read-timeout; 1000 idle connections hold bounded
// memory; another client is served throughout.
func TestSlowAndIdleClients(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	s := startHTTP(t, map[string]string{"request-read-timeout": "300"}, flumetest.Processor(ch))
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	idle := make([]net.Conn, 1000)
	for i := range idle {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle[i] = c
	}
	slow := flumetest.Stalled(t, s.Addr().String(), 1,
		[]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{\"body\":"))[0]
	if status, _ := do(t, "POST", url(s), "", strings.NewReader(`[{"body":"served"}]`)); status != 200 {
		t.Errorf("a client among 1000 idle ones: %d", status)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 64<<20 {
		t.Errorf("1000 idle connections hold %d MB", grown>>20)
	}
	if !flumetest.ClosedByPeer(t, slow) {
		t.Fatal("the stalled request's connection is open")
	}
	nethttp.DefaultClient.CloseIdleConnections() // the served client's kept-alive connection
	flumetest.WaitFor(t, 10*time.Second, "idle connections closed after request-read-timeout", func() bool {
		return s.Counters().OpenConnectionCount.Load() == 0
	})
	if got := flumetest.TakeAll(t, ch); len(got) != 1 || string(got[0].Body) != "served" {
		t.Fatalf("channel holds %v", got)
	}
}

// TestMaxThreads: requests beyond QueuedThreadPool.maxThreads wait for a
// slot; none is refused.
func TestMaxThreads(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	gate := flumetest.Gate(flumetest.Processor(ch))
	s := startHTTP(t, map[string]string{"QueuedThreadPool.maxThreads": "1"}, gate)
	results := make(chan int, 2)
	for i := range 2 {
		go func() {
			status, _ := do(t, "POST", url(s), "", strings.NewReader(fmt.Sprintf(`[{"body":"%d"}]`, i)))
			results <- status
		}()
	}
	<-gate.Entered
	select {
	case <-gate.Entered:
		t.Fatal("two requests handled at once with maxThreads 1")
	case <-time.After(200 * time.Millisecond):
	}
	close(gate.Release)
	for range 2 {
		if status := <-results; status != 200 {
			t.Errorf("status %d", status)
		}
	}
}

// TestConfig: Flume's names, its deprecated aliases, the Jetty settings.
func TestConfig(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"port": "0", "enableSSL": "false", "keystorePassword": "x",
		"HttpConfiguration.sendServerVersion": "false", "ServerConnector.idleTimeout": "300",
		"QueuedThreadPool.MaxThreads": "100", "QueuedThreadPool.minThreads": "4", "ServerConnector.acceptQueueSize": "22"})
	c, err := ParseConfig(settings(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.ServerHeader || c.IdleTimeout != 300*time.Millisecond || c.MaxThreads != DefaultMaxThreads || c.TLS != nil ||
		c.HandlerType != handler.JSONClass || c.MaxRequestSize != DefaultMaxRequestSize || c.Addr != "0.0.0.0:0" {
		t.Errorf("config %+v", c)
	}
	warnings := cfg.Problems().Error()
	for _, want := range []string{`QueuedThreadPool.MaxThreads: "100": ignored, as Flume ignores it: Jetty's setting is spelled QueuedThreadPool.maxThreads`,
		`QueuedThreadPool.minThreads: "4": a setting of Jetty's QueuedThreadPool with no effect`,
		`ServerConnector.acceptQueueSize: "22": a setting of Jetty's ServerConnector`, `enableSSL: "false": deprecated name of ssl`} {
		if !strings.Contains(warnings, want) {
			t.Errorf("no warning %q in\n%s", want, warnings)
		}
	}
	// BlobHandler raises the request limit to its own bound.
	c, err = ParseConfig(settings(), flume.ContextFromMap(map[string]string{"port": "0", "handler": handler.BlobClass}))
	if err != nil || c.MaxRequestSize != handler.DefaultMaxBlobLength || !c.SelfBounded {
		t.Errorf("BlobHandler: %d %v %v", c.MaxRequestSize, c.SelfBounded, err)
	}
	for props, want := range map[string]string{
		"handler=com.example.XMLHandler": "com.example.XMLHandler",
		"handler=org.apache.flume.sink.solr.morphline.BlobHandler handler.maxBlobLength=0": "maxBlobLength",
		"SslContextFactory.needClientAuth=true":                                            "not supported",
		"max-request-size=0":                                                               "max-request-size",
		"ssl=true":                                                                         "keystore",
	} {
		m := map[string]string{"port": "0"}
		for _, kv := range strings.Fields(props) {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		if _, err := ParseConfig(settings(), flume.ContextFromMap(m)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", props, err, want)
		}
	}
}
