package netserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/flumego/flume/internal/ratelog"
)

// Handler serves one connection on its own goroutine. ctx ends when the
// server is closed (by Close, or when Shutdown's context ends first). The
// server closes the connection when Handler returns.
type Handler func(ctx context.Context, c *Conn)

// ErrServerClosed is returned by Serve once the server was closed.
var ErrServerClosed = errors.New("server closed")

// Server accepts connections and hands each to its Handler.
type Server struct {
	name   string
	log    *slog.Logger
	handle Handler
	ctx    context.Context
	cancel context.CancelFunc
	warn   ratelog.Limiter
	wg     sync.WaitGroup // the accept loop and every connection

	mu      sync.Mutex
	ln      net.Listener
	conns   map[*Conn]struct{}
	closing bool
}

// Conn is an accepted connection. The handler reads and writes it (or a
// TLS or compressing wrapper around it); Begin and End tell the server
// when a request is in progress, so that Shutdown lets it finish.
type Conn struct {
	net.Conn
	s    *Server
	busy bool // guarded by s.mu
}

// New returns a server that serves connections with h. name starts its log
// lines ("avro rpc server"); log may be nil.
func New(name string, log *slog.Logger, h Handler) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{name: name, log: log, handle: h, ctx: ctx, cancel: cancel, conns: map[*Conn]struct{}{}}
}

// register makes ln the server's listener and counts the accept loop; false
// (ln closed) when the server is already closed.
func (s *Server) register(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		_ = ln.Close()
		return false
	}
	s.ln = ln
	s.wg.Add(1)
	return true
}

// Serve accepts connections on ln until the server is closed, and then
// returns ErrServerClosed. The server owns ln. When ln is closed by someone
// else, Serve returns that error.
func (s *Server) Serve(ln net.Listener) error {
	if !s.register(ln) {
		return ErrServerClosed
	}
	defer s.wg.Done()
	return s.accept(ln)
}

// Start serves ln on a goroutine of the server (see Serve); an accept loop
// that ends other than by Close or Shutdown is logged.
func (s *Server) Start(ln net.Listener) {
	if !s.register(ln) {
		return
	}
	go func() {
		defer s.wg.Done()
		if err := s.accept(ln); !errors.Is(err, ErrServerClosed) {
			s.log.Error(s.name+" stopped accepting connections", "error", err)
		}
	}()
}

func (s *Server) accept(ln net.Listener) error {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.Closing() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("%s: accept: %w", s.name, err)
			}
			// Out of file descriptors and the like: back off and retry, as
			// net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.warn.Warn(s.log, s.name+": accept failed; retrying", "error", err, "retry_in", delay)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.ctx.Done():
				t.Stop()
				return ErrServerClosed
			}
			continue
		}
		delay = 0
		sc := &Conn{Conn: c, s: s}
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			_ = c.Close()
			return ErrServerClosed
		}
		s.conns[sc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(sc)
	}
}

func (s *Server) serve(c *Conn) {
	defer s.wg.Done()
	defer func() {
		_ = c.Conn.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	s.handle(s.ctx, c)
}

// Addr returns the listening address, nil before Serve or Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Closing reports whether Close or Shutdown was called.
func (s *Server) Closing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// Close stops accepting, closes every connection, cancels the handlers'
// context and waits until no goroutine of the server runs. It is
// idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	s.closeLocked(true)
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// Shutdown stops accepting, closes idle connections and lets requests in
// progress (between Begin and End) finish; when ctx ends first, the
// handlers' context is cancelled, their connections are closed and
// ctx.Err() is returned. It returns once no goroutine of the server runs.
// It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closeLocked(false)
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
	}
	s.cancel()
	s.mu.Lock()
	s.closeLocked(true)
	s.mu.Unlock()
	<-done
	return ctx.Err()
}

// closeLocked marks the server closing, closes the listener and the idle
// connections, or all of them. Called with mu held.
func (s *Server) closeLocked(all bool) {
	s.closing = true
	if s.ln != nil {
		_ = s.ln.Close()
	}
	for c := range s.conns {
		if all || !c.busy {
			_ = c.Conn.Close()
		}
	}
}

// Begin marks a request in progress on c: Shutdown lets it finish. It
// returns false, and marks nothing, when the server is closing; the handler
// should then return without processing the request (the client resends).
func (c *Conn) Begin() bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.closing {
		return false
	}
	c.busy = true
	return true
}

// End marks the request finished. It returns false when the server is
// closing: the handler should return, which closes the connection.
func (c *Conn) End() bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.busy = false
	return !c.s.closing
}
