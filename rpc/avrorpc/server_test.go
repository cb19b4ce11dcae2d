package avrorpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// startServer runs a server on a loopback port until the test ends.
func startServer(t testing.TB, cfg ServerConfig, h Handler) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(cfg, h)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return s, ln.Addr().String()
}

type recorder struct {
	mu     sync.Mutex
	events []flume.Event
	calls  int
}

func (r *recorder) handle(_ context.Context, _ bool, events []flume.Event) (Status, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	r.events = append(r.events, events...)
	return OK, nil
}

func (r *recorder) snapshot() (calls int, events []flume.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls, append([]flume.Event(nil), r.events...)
}

func dial(t testing.TB, addr string, cfg ClientConfig) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// expectClosed checks the server closes a raw connection after bad input.
func expectClosed(t *testing.T, addr string, input []byte, truncated bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(input); err != nil {
		t.Fatal(err)
	}
	if truncated {
		_ = c.(*net.TCPConn).CloseWrite() // the peer goes away mid-pack
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("connection fed % x was not closed", input)
		}
		return
	}
}

// TestHostileFramesCloseOnlyTheirConnection: framing and handshake errors
// close the offending connection; an established client keeps working.
func TestHostileFramesCloseOnlyTheirConnection(t *testing.T) {
	rec := &recorder{}
	_, addr := startServer(t, ServerConfig{MaxFrameSize: 1 << 20}, rec.handle)
	good := dial(t, addr, ClientConfig{})
	if st, err := good.Append(context.Background(), flume.Event{Body: []byte("before")}); err != nil || st != OK {
		t.Fatalf("append: %v %v", st, err)
	}
	hs, _ := AppendHandshakeRequest(nil, HandshakeRequest{ClientHash: ProtocolHash, ServerHash: ProtocolHash, Meta: map[string][]byte{}})
	for name, input := range map[string][]byte{
		"zero buffers":      {0, 0, 0, 1, 0, 0, 0, 0},
		"negative count":    {0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff},
		"negative length":   {0, 0, 0, 1, 0, 0, 0, 1, 0x80, 0, 0, 0},
		"over the limit":    {0, 0, 0, 1, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff},
		"absurd count":      {0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff},
		"garbage handshake": AppendFrame(nil, 1, []byte{1, 2, 3, 4, 5}),
		"huge map count":    AppendFrame(nil, 1, append(append([]byte{}, hs[:len(hs)-2]...), 0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f)),
		"truncated":         AppendFrame(nil, 1, hs)[:20],
	} {
		t.Run(name, func(t *testing.T) { expectClosed(t, addr, input, name == "truncated") })
	}
	if st, err := good.Append(context.Background(), flume.Event{Body: []byte("after")}); err != nil || st != OK {
		t.Fatalf("append after the hostile connections: %v %v", st, err)
	}
	if _, evs := rec.snapshot(); len(evs) != 2 {
		t.Fatalf("handler saw %d events", len(evs))
	}
}

// TestBadCallsGetErrorAnswers: an unknown message or undecodable params
// get an Avro error answer, as from Java, and the connection goes on.
func TestBadCallsGetErrorAnswers(t *testing.T) {
	rec := &recorder{}
	_, addr := startServer(t, ServerConfig{}, rec.handle)
	c := dial(t, addr, ClientConfig{})
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	_, err := c.CallEncoded(context.Background(), appendCallHeader(nil, "launchMissiles"))
	var re *RemoteError
	if !errors.As(err, &re) || !strings.Contains(re.Message, "launchMissiles") {
		t.Fatalf("unknown message: %v", err)
	}
	_, err = c.CallEncoded(context.Background(), append(appendCallHeader(nil, MessageAppendBatch), 0x04, 0x00))
	if !errors.As(err, &re) || !strings.Contains(re.Message, "appendBatch") {
		t.Fatalf("truncated batch: %v", err)
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("ping after errors: %v", err)
	}
	if st, err := c.AppendBatch(context.Background(), []flume.Event{{Body: []byte("a")}, {Body: []byte("b")}}); err != nil || st != OK {
		t.Fatalf("appendBatch: %v %v", st, err)
	}
	if calls, evs := rec.snapshot(); calls != 1 || len(evs) != 2 {
		t.Fatalf("handler: %d calls, %d events", calls, len(evs))
	}
}

// TestHandlerAnswers: the handler's Status and errors reach the client.
func TestHandlerAnswers(t *testing.T) {
	answers := []struct {
		st  Status
		err error
	}{{Failed, nil}, {Unknown, nil}, {OK, errors.New("boom")}, {OK, nil}}
	i := 0
	_, addr := startServer(t, ServerConfig{}, func(context.Context, bool, []flume.Event) (Status, error) {
		a := answers[i]
		i++
		return a.st, a.err
	})
	c := dial(t, addr, ClientConfig{})
	for _, want := range answers {
		st, err := c.Append(context.Background(), flume.Event{})
		if want.err != nil {
			var re *RemoteError
			if !errors.As(err, &re) || re.Message != "boom" {
				t.Fatalf("want error boom, got %v %v", st, err)
			}
			continue
		}
		if err != nil || st != want.st {
			t.Fatalf("got %v %v, want %v", st, err, want.st)
		}
	}
}

// TestHandshakeNoneThenClient: a client with an unknown hash and no text
// gets NONE; with the text it is served. Our Conn does this on its own
// when the server does not know Flume's hash, tested here by a server that
// has forgotten it.
func TestHandshakeNoneThenClient(t *testing.T) {
	rec := &recorder{}
	s, addr := startServer(t, ServerConfig{}, rec.handle)
	other := MD5{9, 9, 9}
	resp := s.match(HandshakeRequest{ClientHash: other, ServerHash: other})
	if resp.Match != MatchNone || resp.ServerHash == nil || *resp.ServerHash != ProtocolHash || *resp.ServerProtocol != ProtocolJSON {
		t.Fatalf("unknown client: %+v", resp)
	}
	text := strings.Replace(ProtocolJSON, "Licensed", "Licenced", 1)
	if resp := s.match(HandshakeRequest{ClientHash: other, ClientProtocol: &text, ServerHash: other}); resp.Match != MatchClient {
		t.Fatalf("client with its text: %v", resp.Match)
	}
	if resp := s.match(HandshakeRequest{ClientHash: other, ServerHash: ProtocolHash}); resp.Match != MatchBoth {
		t.Fatalf("learned client: %v", resp.Match)
	}
	bad := `{"protocol":"Other","messages":{"launch":{"request":[{"name":"x","type":"int"}],"response":"null"}}}`
	if resp := s.match(HandshakeRequest{ClientHash: MD5{7}, ClientProtocol: &bad, ServerHash: ProtocolHash}); resp.Match != MatchNone {
		t.Fatalf("incompatible protocol: %v", resp.Match)
	}
	s.mu.Lock()
	delete(s.known, ProtocolHash)
	s.mu.Unlock()
	c := dial(t, addr, ClientConfig{})
	if st, err := c.Append(context.Background(), flume.Event{Body: []byte("x")}); err != nil || st != OK {
		t.Fatalf("append through NONE: %v %v", st, err)
	}
}

// TestClientTimeoutAndCancel: a server that never answers makes calls
// fail after request-timeout or when the context ends, and breaks the
// connection.
func TestClientTimeoutAndCancel(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	_, addr := startServer(t, ServerConfig{}, func(ctx context.Context, _ bool, _ []flume.Event) (Status, error) {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return OK, nil
	})
	c := dial(t, addr, ClientConfig{ConnectTimeout: 100 * time.Millisecond, RequestTimeout: 200 * time.Millisecond})
	start := time.Now()
	if _, err := c.Append(context.Background(), flume.Event{}); err == nil || !strings.Contains(err.Error(), "within") {
		t.Fatalf("timeout: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("timeout took too long")
	}
	if _, err := c.Append(context.Background(), flume.Event{}); !errors.Is(err, ErrBroken) {
		t.Fatalf("call on a broken connection: %v", err)
	}
	c2 := dial(t, addr, ClientConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := c2.Append(ctx, flume.Event{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v", err)
	}
}

// TestServerCloseUnblocks: Close ends blocked handlers and connections.
func TestServerCloseUnblocks(t *testing.T) {
	entered := make(chan struct{}, 1)
	s, addr := startServer(t, ServerConfig{}, func(ctx context.Context, _ bool, _ []flume.Event) (Status, error) {
		entered <- struct{}{}
		<-ctx.Done()
		return Failed, nil
	})
	c := dial(t, addr, ClientConfig{})
	type result struct {
		st  Status
		err error
	}
	done := make(chan result, 1)
	go func() { st, err := c.Append(context.Background(), flume.Event{}); done <- result{st, err} }()
	<-entered
	s.Close() // returns only once the handler saw its context end
	// The handler answers FAILED after cancellation, or the connection
	// closes first: both are fine, OK is not.
	if r := <-done; r.err == nil && r.st == OK {
		t.Fatal("a call cancelled by Close was answered OK")
	}
}

// TestArbitraryBufferSplits: a request split anywhere, with empty buffers
// (as Java does at 8 KiB), is the same request.
func TestArbitraryBufferSplits(t *testing.T) {
	rec := &recorder{}
	_, addr := startServer(t, ServerConfig{}, rec.handle)
	hs, _ := AppendHandshakeRequest(nil, HandshakeRequest{ClientHash: ProtocolHash, ServerHash: ProtocolHash, Meta: map[string][]byte{}})
	var evs []flume.Event
	for i := range 300 {
		evs = append(evs, flumetest.EventWithHeaders(bytes.Repeat([]byte{byte(i)}, i), map[string]string{"i": fmt.Sprint(i)}))
	}
	msg := append(hs, EncodeAppendBatch(evs)...)
	var bufs [][]byte
	for rest := msg; len(rest) > 0; {
		n := min(len(rest), rand.IntN(8192))
		bufs = append(bufs, rest[:n], nil)
		rest = rest[n:]
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(AppendFrame(nil, 42, bufs...)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	serial, payload, err := NewFrameReader(c, 0).ReadFrame(nil)
	if err != nil || serial != 42 || !bytes.Equal(payload, []byte{0, 0, 0, 0, 0, 0, 0}) {
		t.Fatalf("answer %d % x %v", serial, payload, err)
	}
	_, got := rec.snapshot()
	if len(got) != 300 || flumetest.Headers(got[299])["i"] != "299" || !bytes.Equal(got[150].Body, evs[150].Body) {
		t.Fatalf("got %d events", len(got))
	}
}
