package netserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume/internal/ratelog"
)

// Handler serves one connection on its own goroutine. ctx ends when the
// server is closed (by Close, or when Shutdown's context ends first). The
// server closes the connection when Handler returns.
type Handler func(ctx context.Context, c *Conn)

// ErrServerClosed is returned by Serve once the server was closed.
var ErrServerClosed = errors.New("server closed")

// ErrRequestTimeout is matched (errors.Is) by the error a Conn's Read
// returns when a request did not finish arriving within
// Limits.RequestTimeout. The server has already logged and reported it
// (Hooks.OnBadRequest); the handler just returns.
var ErrRequestTimeout = errors.New("request not received in time")

// DefaultRequestTimeout is the RequestTimeout of a zero Limits: Java
// Flume's socket timeout on TLS connections, long enough for a batch of
// several megabytes on a link of 1 Mbit/s.
const DefaultRequestTimeout = 120 * time.Second

// Limits bound what the peers of one server can hold. The zero value is
// DefaultRequestTimeout and no connection cap.
type Limits struct {
	// RequestTimeout bounds how long a request may take to arrive once
	// its first byte did, a TLS handshake once it began, and the writing of
	// one answer to a peer that does not read it. A connection that
	// exceeds it is closed. A connection idle between requests is never
	// timed out: Flume's clients keep theirs open for hours. 0 means
	// DefaultRequestTimeout, a negative value no limit.
	RequestTimeout time.Duration
	// MaxConnections bounds the connections served at once; one more is
	// closed as soon as it is accepted, counted (Hooks.OnConnRefused) and
	// logged (rate limited), and the connections already open keep
	// working. ≤ 0 means no limit.
	MaxConnections int
}

func (l Limits) requestTimeout() time.Duration {
	switch {
	case l.RequestTimeout == 0:
		return DefaultRequestTimeout
	case l.RequestTimeout < 0:
		return 0
	}
	return l.RequestTimeout
}

// Hooks tell a server's owner, a source, what happens on its connections.
// They are the one shape every network server of a source exposes (the
// Avro and Thrift RPC servers alias it); package source fills them from a
// source's counters. Every field is optional; the funcs are called from
// connection goroutines, concurrently.
type Hooks struct {
	// Connections, when set, is kept equal to the number of connections
	// being served (Flume's OpenConnectionCount).
	Connections *atomic.Int64
	// OnConnRefused is called for each connection refused because
	// Limits.MaxConnections were open.
	OnConnRefused func(remote net.Addr)
	// OnBadRequest is called for each request that could not be read or
	// decoded: malformed, over a size limit, of an unknown method, or not
	// finished within Limits.RequestTimeout (err matches
	// ErrRequestTimeout; the server reports those itself). The server
	// answers the request with the protocol's error or closes the
	// connection.
	OnBadRequest func(err error)
	// MaxBatch, when set, returns the largest batch the owner can accept
	// (0: no limit); it is asked per request. A server that reads a
	// batch's event count before its events refuses a larger batch
	// without decoding it, answering as for a channel refusal (FAILED),
	// and calls OnTooManyEvents with the number of events the request
	// declared (a lower bound when the count comes in blocks).
	MaxBatch        func() int
	OnTooManyEvents func(declared int)
}

// BadRequest calls OnBadRequest when it is set.
func (h *Hooks) BadRequest(err error) {
	if h.OnBadRequest != nil {
		h.OnBadRequest(err)
	}
}

// BatchLimit calls MaxBatch when it is set; 0 means no limit.
func (h *Hooks) BatchLimit() int {
	if h.MaxBatch == nil {
		return 0
	}
	return h.MaxBatch()
}

// TooManyEvents calls OnTooManyEvents when it is set.
func (h *Hooks) TooManyEvents(declared int) {
	if h.OnTooManyEvents != nil {
		h.OnTooManyEvents(declared)
	}
}

// Config configures a Server.
type Config struct {
	// Name starts the server's log lines ("avro rpc server").
	Name string
	// Logger receives connection-level problems (rate limited); nil
	// discards them.
	Logger *slog.Logger
	Limits Limits
	Hooks  Hooks
}

// Server accepts connections and hands each to its Handler.
type Server struct {
	name    string
	log     *slog.Logger
	handle  Handler
	limits  Limits
	timeout time.Duration // limits.requestTimeout()
	hooks   Hooks
	ctx     context.Context
	cancel  context.CancelFunc
	warn    ratelog.Limiter // accept failures
	refused ratelog.Limiter // connections over MaxConnections
	slow    ratelog.Limiter // requests over RequestTimeout
	wg      sync.WaitGroup  // the accept loop and every connection

	mu      sync.Mutex
	ln      net.Listener
	conns   map[*Conn]struct{}
	closing bool
}

// Conn is an accepted connection. The handler reads and writes it (or a
// TLS or compressing wrapper around it) and tells the server where each
// request begins and ends:
//
//   - a request starts with its first byte: the server notices it on a
//     read that returns data while the connection is idle, and the handler
//     calls Started when the first byte was already buffered (a pipelined
//     request) — from then on the rest must arrive within RequestTimeout;
//   - Begin marks the request received and in progress (Shutdown lets it
//     finish; the timeout stops);
//   - End marks it answered: the connection is idle again, for as long as
//     the peer likes.
type Conn struct {
	net.Conn
	s *Server
	// reading is set while a request is arriving (only the handler's
	// goroutine touches it).
	reading bool
	busy    bool // guarded by s.mu
}

// New returns a server that serves connections with h.
func New(cfg Config, h Handler) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		name: cfg.Name, log: log, handle: h, limits: cfg.Limits, timeout: cfg.Limits.requestTimeout(), hooks: cfg.Hooks,
		ctx: ctx, cancel: cancel, conns: map[*Conn]struct{}{},
	}
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
		if max := s.limits.MaxConnections; max > 0 && len(s.conns) >= max {
			s.mu.Unlock()
			s.refuse(c)
			continue
		}
		s.conns[sc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		if s.hooks.Connections != nil {
			s.hooks.Connections.Add(1)
		}
		go s.serve(sc)
	}
}

// refuse closes a connection over MaxConnections at once; the peer sees
// the connection close before any answer.
func (s *Server) refuse(c net.Conn) {
	remote := c.RemoteAddr()
	_ = c.Close()
	if s.hooks.OnConnRefused != nil {
		s.hooks.OnConnRefused(remote)
	}
	s.refused.Warn(s.log, s.name+": connection refused: max-connections are open", "remote", remote.String(),
		"max_connections", s.limits.MaxConnections)
}

func (s *Server) serve(c *Conn) {
	defer s.wg.Done()
	defer func() {
		_ = c.Conn.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		if s.hooks.Connections != nil {
			s.hooks.Connections.Add(-1)
		}
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

// Read reads from the connection. A read that returns data while the
// connection is idle starts a request: the rest of it must then arrive
// within the request timeout. A read that hits that timeout reports the
// request (Hooks.OnBadRequest, a rate-limited warning) and returns an error
// matching ErrRequestTimeout.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.reading {
		c.Started()
	}
	if err != nil && c.reading && errors.Is(err, os.ErrDeadlineExceeded) {
		s := c.s
		err = fmt.Errorf("%w: the peer started a request and did not finish it within %v: %w", ErrRequestTimeout, s.timeout, err)
		s.hooks.BadRequest(err)
		s.slow.Warn(s.log, s.name+": closing a connection whose request did not arrive in time", "remote", c.RemoteAddr().String(),
			"timeout", s.timeout)
	}
	return n, err
}

// Write writes to the connection; a peer that does not take the data
// within the request timeout gets its connection closed (the write fails).
func (c *Conn) Write(p []byte) (int, error) {
	if c.s.timeout > 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.s.timeout))
	}
	return c.Conn.Write(p)
}

// Started marks the start of a request whose first bytes the handler has
// already buffered; it does nothing when a request is already arriving.
// From now on the rest must arrive within the request timeout.
func (c *Conn) Started() {
	if c.reading {
		return
	}
	c.reading = true
	if c.s.timeout > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.s.timeout))
	}
}

// Idle marks the connection idle without a request: after a TLS
// handshake, or after a request answered without Begin. Reads wait for the
// peer without a time limit again.
func (c *Conn) Idle() {
	if !c.reading {
		return
	}
	c.reading = false
	if c.s.timeout > 0 {
		_ = c.Conn.SetReadDeadline(time.Time{})
	}
}

// ServerTLS runs a TLS server over over (c itself, or a wrapper of c such
// as a compressing one) and completes the handshake: within the request
// timeout once the peer's first byte arrived (a peer that connects and
// sends nothing is idle, not slow). The connection is idle again
// afterwards. Closing c closes the TLS connection.
func (c *Conn) ServerTLS(ctx context.Context, over net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	t := tls.Server(over, cfg)
	if err := t.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	c.Idle()
	return t, nil
}

// Begin marks a request received and in progress on c: the request timeout
// stops and Shutdown lets the request finish. It returns false, and marks
// nothing, when the server is closing; the handler should then return
// without processing the request (the client resends).
func (c *Conn) Begin() bool {
	c.Idle()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.closing {
		return false
	}
	c.busy = true
	return true
}

// End marks the request answered; the connection is idle. It returns false
// when the server is closing: the handler should return, which closes the
// connection.
func (c *Conn) End() bool {
	c.Idle()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.busy = false
	return !c.s.closing
}
