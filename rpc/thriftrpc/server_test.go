package thriftrpc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// recorder is a Handler that keeps what it receives and answers what it
// is told.
type recorder struct {
	mu     sync.Mutex
	calls  []Call
	status Status
	err    error
}

func (r *recorder) handle(_ context.Context, c *Call) (Status, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, *c)
	return r.status, r.err
}

func (r *recorder) set(s Status, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.err = s, err
}

func (r *recorder) events() []flume.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []flume.Event
	for _, c := range r.calls {
		out = append(out, c.Events...)
	}
	return out
}

func startServer(t *testing.T, cfg ServerConfig, h Handler) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(cfg, h)
	s.Start(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s
}

func dial(t *testing.T, s *Server, p Protocol) *Conn {
	t.Helper()
	cfg := ClientConfig{}
	cfg.Protocol = p
	c, err := Dial(t.Context(), s.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestServerAnswers(t *testing.T) {
	for _, p := range []Protocol{Compact, Binary} {
		t.Run(p.String(), func(t *testing.T) {
			rec := &recorder{}
			s := startServer(t, ServerConfig{Protocol: p}, rec.handle)
			c := dial(t, s, p)
			ctx := t.Context()

			e := flumetest.Event("one", "k", "v")
			if st, err := c.Append(ctx, e); err != nil || st != OK {
				t.Fatalf("append: %v %v", st, err)
			}
			batch := sampleEvents(10)
			if st, err := c.AppendBatch(ctx, batch); err != nil || st != OK {
				t.Fatalf("appendBatch: %v %v", st, err)
			}
			rec.set(Failed, nil)
			if st, err := c.AppendBatch(ctx, batch[:1]); err != nil || st != Failed {
				t.Fatalf("appendBatch on a refusing handler: %v %v", st, err)
			}
			rec.set(OK, errors.New("interceptor exploded"))
			_, err := c.AppendBatch(ctx, batch[:1])
			var appErr thrift.TApplicationException
			if !errors.As(err, &appErr) || appErr.TypeId() != thrift.INTERNAL_ERROR || !strings.Contains(err.Error(), "Internal error processing appendBatch") {
				t.Fatalf("handler error answered with %v", err)
			}
			if c.Broken() {
				t.Fatal("an exception reply broke the connection")
			}
			rec.set(OK, nil)
			if st, err := c.Append(ctx, e); err != nil || st != OK {
				t.Fatalf("append after an exception: %v %v", st, err)
			}
			want := append(append([]flume.Event{e}, batch...), batch[0], batch[0], e)
			if got := rec.events(); !sameEvents(got, want) {
				t.Fatalf("server received %d events, want %d", len(got), len(want))
			}
		})
	}
}

// rawConn opens a plain TCP connection to s.
func rawConn(t *testing.T, s *Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// waitClosed reads from c until the server closes it.
func waitClosed(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, c)
	if err != nil {
		t.Fatalf("the server did not close the connection: %v", err)
	}
}

func TestBadPeersCostOnlyTheirConnection(t *testing.T) {
	var bad atomic.Int64
	rec := &recorder{}
	cfg := ServerConfig{MaxFrameSize: 4096, Limits: Limits{RequestTimeout: 300 * time.Millisecond}, Hooks: Hooks{OnBadRequest: func(error) { bad.Add(1) }}}
	s := startServer(t, cfg, rec.handle)
	good := dial(t, s, Compact)

	frame := func(n uint32, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, n)
		return append(b, body...)
	}
	cases := []struct {
		name  string
		bytes []byte
	}{
		{"http", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
		{"unframed compact", unhex(t, `82 21 01 06 61 70 70 65 6e 64 1c 1b 01 88 01 61 01 62 18 02 68 69 00 00`)},
		{"oversized frame", frame(1<<30, []byte("x"))},
		{"garbage in a frame", frame(8, []byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4})},
		{"empty frame", frame(0, nil)},
		{"half-written frame", frame(100, []byte("only a part"))},
		{"half-written header", []byte{0, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := bad.Load()
			c := rawConn(t, s)
			if _, err := c.Write(tc.bytes); err != nil {
				t.Fatal(err)
			}
			// Meanwhile, a well-behaved client is served.
			if st, err := good.Append(t.Context(), flume.Event{Body: []byte(tc.name)}); err != nil || st != OK {
				t.Fatalf("good client: %v %v", st, err)
			}
			if strings.HasPrefix(tc.name, "half-written") {
				// Held until the frame timeout, then closed.
				waitClosed(t, c)
				return
			}
			waitClosed(t, c)
			if bad.Load() == before {
				t.Fatal("the bad request was not counted")
			}
		})
	}
	if got := len(rec.events()); got != len(cases) {
		t.Fatalf("good client delivered %d events, want %d", got, len(cases))
	}
}

func TestExceptionsKeepTheConnection(t *testing.T) {
	rec := &recorder{}
	s := startServer(t, ServerConfig{}, rec.handle)
	c := rawConn(t, s)
	codec := NewCodec(Compact, 0)
	fr := newFrameReader(c, 0)
	send := func(msg []byte) Reply {
		t.Helper()
		f := binary.BigEndian.AppendUint32(nil, uint32(len(msg)))
		if _, err := c.Write(append(f, msg...)); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		m, err := fr.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		r, err := codec.DecodeReply(m)
		var appErr thrift.TApplicationException
		if errors.As(err, &appErr) {
			r.Status = Status(-appErr.TypeId())
		} else if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ctx := t.Context()
	unknown := encodeRaw(t, Compact, func(tp thrift.TProtocol) {
		_ = tp.WriteMessageBegin(ctx, "getStatus", thrift.CALL, 5)
		_ = tp.WriteStructBegin(ctx, "")
		_ = tp.WriteFieldStop(ctx)
	})
	if r := send(unknown); r.Status != Status(-thrift.UNKNOWN_METHOD) || r.SeqID != 5 || r.Method != "getStatus" {
		t.Fatalf("unknown method answered %+v", r)
	}
	noBody := encodeRaw(t, Compact, func(tp thrift.TProtocol) {
		_ = tp.WriteMessageBegin(ctx, MethodAppend, thrift.CALL, 6)
		_ = tp.WriteStructBegin(ctx, "")
		_ = tp.WriteFieldBegin(ctx, "", thrift.STRUCT, 1)
		_ = tp.WriteFieldBegin(ctx, "", thrift.MAP, 1)
		_ = tp.WriteMapBegin(ctx, thrift.STRING, thrift.STRING, 0)
		_ = tp.WriteFieldStop(ctx)
		_ = tp.WriteFieldStop(ctx)
	})
	if r := send(noBody); r.Status != Status(-thrift.PROTOCOL_ERROR) || r.SeqID != 6 {
		t.Fatalf("missing body answered %+v", r)
	}
	good, err := codec.EncodeCall(MethodAppend, 7, []flume.Event{{Body: []byte("ok")}})
	if err != nil {
		t.Fatal(err)
	}
	if r := send(good[4:]); r.Status != OK || r.SeqID != 7 {
		t.Fatalf("valid append after two bad ones answered %+v", r)
	}
	if len(rec.events()) != 1 {
		t.Fatalf("handler saw %d events", len(rec.events()))
	}
}

func TestWorkersBoundConcurrentCalls(t *testing.T) {
	const workers, clients = 3, 24
	var cur, peak atomic.Int64
	release := make(chan struct{})
	entered := make(chan struct{}, clients)
	h := func(ctx context.Context, c *Call) (Status, error) {
		entered <- struct{}{}
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		return OK, nil
	}
	s := startServer(t, ServerConfig{Workers: workers}, h)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		c := dial(t, s, Compact)
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := c.AppendBatch(context.Background(), []flume.Event{{Body: []byte(fmt.Sprint(i))}})
			if err == nil && st != OK {
				err = fmt.Errorf("status %v", st)
			}
			errs <- err
		}()
	}
	// Let the calls pile up at the bound, then release them one by one.
	for range workers {
		<-entered
	}
	for range clients {
		release <- struct{}{}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p > workers || p < 1 {
		t.Fatalf("peak concurrency %d with %d workers", p, workers)
	}
}

func TestShutdownLetsCallsFinish(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	h := func(ctx context.Context, c *Call) (Status, error) {
		close(entered)
		<-release
		return OK, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(ServerConfig{}, h)
	s.Start(ln)
	busy := dial(t, s, Compact)
	idle := rawConn(t, s)
	res := make(chan error, 1)
	go func() {
		st, err := busy.Append(context.Background(), flume.Event{Body: []byte("x")})
		if err == nil && st != OK {
			err = fmt.Errorf("status %v", st)
		}
		res <- err
	}()
	<-entered
	down := make(chan error, 1)
	go func() { down <- s.Shutdown(context.Background()) }()
	waitClosed(t, idle) // idle connections go at once
	select {
	case err := <-down:
		t.Fatalf("shutdown returned while a call was in progress: %v", err)
	default:
	}
	close(release)
	if err := <-res; err != nil {
		t.Fatalf("the call in progress was not answered: %v", err)
	}
	if err := <-down; err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}

func TestShutdownDeadlineCancelsHandlers(t *testing.T) {
	entered := make(chan struct{})
	h := func(ctx context.Context, c *Call) (Status, error) {
		close(entered)
		<-ctx.Done()
		return Unknown, ctx.Err()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(ServerConfig{}, h)
	s.Start(ln)
	c := dial(t, s, Compact)
	go func() { _, _ = c.Append(context.Background(), flume.Event{}) }()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("shutdown = %v", err)
	}
}

func TestClientTimeoutBreaksConnection(t *testing.T) {
	block := make(chan struct{})
	s := startServer(t, ServerConfig{}, func(ctx context.Context, c *Call) (Status, error) {
		<-block
		return OK, nil
	})
	defer close(block)
	cfg := ClientConfig{}
	cfg.RequestTimeout = 100 * time.Millisecond
	c, err := Dial(t.Context(), s.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Append(t.Context(), flume.Event{})
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if !c.Broken() {
		t.Fatal("connection usable after a timeout")
	}
	if _, err := c.Append(t.Context(), flume.Event{}); err == nil {
		t.Fatal("call on a broken connection succeeded")
	}
}

func TestHandlerPanicIsContained(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(ctx context.Context, c *Call) (Status, error) {
		if string(c.Events[0].Body) == "boom" {
			panic("interceptor bug")
		}
		return OK, nil
	})
	c := dial(t, s, Compact)
	_, err := c.Append(t.Context(), flume.Event{Body: []byte("boom")})
	var appErr thrift.TApplicationException
	if !errors.As(err, &appErr) || appErr.TypeId() != thrift.INTERNAL_ERROR {
		t.Fatalf("panic answered with %v", err)
	}
	if st, err := c.Append(t.Context(), flume.Event{Body: []byte("fine")}); err != nil || st != OK {
		t.Fatalf("after a panic: %v %v", st, err)
	}
}
