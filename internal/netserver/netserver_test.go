package netserver

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func dial(t *testing.T, addr net.Addr) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// echo answers each line with the same line, marking each one a request.
func echo(_ context.Context, c *Conn) {
	r := bufio.NewReader(c)
	for {
		if r.Buffered() > 0 {
			c.Started() // a pipelined line
		}
		line, err := r.ReadString('\n')
		if err != nil || !c.Begin() {
			return
		}
		_, err = io.WriteString(c, line)
		if !c.End() || err != nil {
			return
		}
	}
}

func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, line string) {
	t.Helper()
	if _, err := io.WriteString(c, line); err != nil {
		t.Fatal(err)
	}
	if got, err := r.ReadString('\n'); err != nil || got != line {
		t.Fatalf("echo of %q: %q, %v", line, got, err)
	}
}

// waitEOF reads until the server closes c.
func waitEOF(t *testing.T, c net.Conn) {
	t.Helper()
	if _, err := io.Copy(io.Discard, c); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server did not close the connection")
		}
	}
}

func TestServeAndClose(t *testing.T) {
	s := New(Config{Name: "test server"}, echo)
	ln := listen(t)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	c := dial(t, ln.Addr())
	roundTrip(t, c, bufio.NewReader(c), "hello\n")
	if s.Addr().String() != ln.Addr().String() {
		t.Fatalf("Addr = %v, want %v", s.Addr(), ln.Addr())
	}
	s.Close()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
	waitEOF(t, c)
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Fatal("the listener is still open")
	}
	s.Close() // idempotent
	if err := s.Serve(listen(t)); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve after Close returned %v", err)
	}
}

// Close cancels the context of a handler that is still working.
func TestCloseCancelsHandlers(t *testing.T) {
	entered := make(chan struct{})
	var cancelled atomic.Bool
	s := New(Config{Name: "test server"}, func(ctx context.Context, c *Conn) {
		close(entered)
		<-ctx.Done()
		cancelled.Store(true)
	})
	ln := listen(t)
	s.Start(ln)
	dial(t, ln.Addr())
	<-entered
	s.Close()
	if !cancelled.Load() {
		t.Fatal("Close returned before the handler saw its context end")
	}
}

// Shutdown closes idle connections at once and lets a request in progress
// finish and answer.
func TestShutdownLetsRequestsFinish(t *testing.T) {
	release := make(chan struct{})
	inRequest := make(chan struct{})
	s := New(Config{Name: "test server"}, func(ctx context.Context, c *Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil || !c.Begin() {
				return
			}
			if line == "slow\n" {
				close(inRequest)
				<-release
			}
			_, err = io.WriteString(c, line)
			if !c.End() || err != nil {
				return
			}
		}
	})
	ln := listen(t)
	s.Start(ln)
	idle := dial(t, ln.Addr())
	roundTrip(t, idle, bufio.NewReader(idle), "hi\n")
	busy := dial(t, ln.Addr())
	if _, err := io.WriteString(busy, "slow\n"); err != nil {
		t.Fatal(err)
	}
	<-inRequest
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	waitEOF(t, idle)
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v while a request was in progress", err)
	default:
	}
	close(release)
	if got, err := bufio.NewReader(busy).ReadString('\n'); err != nil || got != "slow\n" {
		t.Fatalf("the request in progress was not answered: %q, %v", got, err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	waitEOF(t, busy)
}

// When Shutdown's context ends first, handlers are cancelled and their
// connections closed.
func TestShutdownDeadline(t *testing.T) {
	entered := make(chan struct{})
	s := New(Config{Name: "test server"}, func(ctx context.Context, c *Conn) {
		if !c.Begin() {
			return
		}
		close(entered)
		<-ctx.Done()
		c.End()
	})
	ln := listen(t)
	s.Start(ln)
	c := dial(t, ln.Addr())
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want context.Canceled", err)
	}
	waitEOF(t, c)
	if err := s.Shutdown(context.Background()); err != nil { // idempotent
		t.Fatalf("second Shutdown: %v", err)
	}
}

// flakyListener fails its first Accepts the way a process out of file
// descriptors does.
type flakyListener struct {
	net.Listener
	failures atomic.Int32
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	return l.Listener.Accept()
}

func TestAcceptFailuresAreRetried(t *testing.T) {
	ln := &flakyListener{Listener: listen(t)}
	ln.failures.Store(3)
	s := New(Config{Name: "test server"}, echo)
	s.Start(ln)
	defer s.Close()
	c := dial(t, ln.Addr())
	roundTrip(t, c, bufio.NewReader(c), "still listening\n")
	if n := ln.failures.Load(); n >= 0 {
		t.Fatalf("the failing accepts were not all made (%d left)", n+1)
	}
}

// A listener closed behind the server's back ends Serve with an error
// rather than a busy loop.
func TestForeignCloseEndsServe(t *testing.T) {
	ln := listen(t)
	s := New(Config{Name: "test server"}, echo)
	defer s.Close()
	_ = ln.Close()
	if err := s.Serve(ln); err == nil || errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
}
