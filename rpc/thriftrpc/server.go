package thriftrpc

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
)

// Handler processes the events of one call (call.Method is append or
// appendBatch). It returns OK only once the events are committed, FAILED
// when a channel refused them. A non-nil error is answered, as Java's
// generated processor does for any exception other than a channel
// refusal, with an EXCEPTION reply carrying a TApplicationException of type
// INTERNAL_ERROR ("Internal error processing appendBatch"). Handlers run
// concurrently, one call per connection at a time; call.Events belong to
// the handler.
type Handler func(ctx context.Context, call *Call) (Status, error)

// DefaultFrameTimeout bounds, by default, how long a peer may take to send
// the rest of a frame once its length arrived, to complete a TLS handshake,
// and to accept a reply: Java Flume's socket timeout on TLS connections.
const DefaultFrameTimeout = 120 * time.Second

// ServerConfig configures a Server.
type ServerConfig struct {
	// Protocol of the frames (Compact is Flume's default).
	Protocol Protocol
	// MaxFrameSize is the largest request accepted, in bytes
	// (DefaultMaxFrameSize when ≤ 0). A larger frame closes its connection.
	MaxFrameSize int
	// Workers bounds the calls processed at the same time, Flume's
	// "threads"; ≤ 0 means unbounded. Connections are not bounded by it: as
	// in Flume's non-blocking server, an idle or slow connection holds no
	// worker, only a goroutine and its frame buffer.
	Workers int
	// FrameTimeout: see DefaultFrameTimeout (used when 0).
	FrameTimeout time.Duration
	// TLS, when set, makes the server accept TLS connections only.
	TLS *tls.Config
	// Logger receives connection-level problems (rate limited); nil
	// discards them.
	Logger *slog.Logger
	// OnConn, when set, is called with +1 and -1 as connections open and
	// close.
	OnConn func(delta int)
	// OnBadRequest, when set, is called for each request that could not be
	// decoded (malformed, oversized, unknown method).
	OnBadRequest func(err error)
}

// Server serves ThriftSourceProtocol over framed transport: one goroutine
// per connection reads a frame, decodes it, hands the events to the
// Handler (within the Workers bound) and writes the reply. A connection
// that sends something that is not a frame, a frame over the limit, or a
// frame that is cut short is closed; nothing else is affected.
type Server struct {
	cfg     ServerConfig
	handler Handler
	log     *slog.Logger
	sem     chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	warn    logLimiter
	frames  sync.Pool // frame buffers, lent while a frame is read and decoded

	mu       sync.Mutex
	ln       net.Listener
	conns    map[*serverConn]struct{}
	closing  bool
	wg       sync.WaitGroup
	shutdown sync.Once
}

type serverConn struct {
	c    net.Conn
	busy bool // processing a call; Shutdown lets it finish
}

// NewServer returns a server that answers calls with h.
func NewServer(cfg ServerConfig, h Handler) *Server {
	if cfg.MaxFrameSize <= 0 {
		cfg.MaxFrameSize = DefaultMaxFrameSize
	}
	if cfg.FrameTimeout <= 0 {
		cfg.FrameTimeout = DefaultFrameTimeout
	}
	s := &Server{cfg: cfg, handler: h, log: cfg.Logger, conns: map[*serverConn]struct{}{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers > 0 {
		s.sem = make(chan struct{}, cfg.Workers)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Start serves ln in the background until Shutdown. The server owns ln.
func (s *Server) Start(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	closing := s.closing
	s.mu.Unlock()
	if closing {
		_ = ln.Close()
		return
	}
	s.wg.Add(1)
	go s.accept(ln)
}

// Addr returns the listening address, nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

func (s *Server) accept(ln net.Listener) {
	defer s.wg.Done()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return
			}
			// Out of file descriptors and the like: back off and retry, as
			// net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.warn.log(s.log, "thrift server: accept failed; retrying", "error", err, "retry_in", delay)
			select {
			case <-time.After(delay):
			case <-s.ctx.Done():
				return
			}
			continue
		}
		delay = 0
		sc := &serverConn{c: c}
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[sc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		if s.cfg.OnConn != nil {
			s.cfg.OnConn(1)
		}
		go s.serve(sc)
	}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// begin marks sc busy; false when the server is shutting down.
func (s *Server) begin(sc *serverConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	sc.busy = true
	return true
}

// end marks sc idle; false when the server is shutting down.
func (s *Server) end(sc *serverConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc.busy = false
	return !s.closing
}

func (s *Server) serve(sc *serverConn) {
	defer s.wg.Done()
	defer func() {
		_ = sc.c.Close()
		s.mu.Lock()
		delete(s.conns, sc)
		s.mu.Unlock()
		if s.cfg.OnConn != nil {
			s.cfg.OnConn(-1)
		}
	}()
	c := sc.c
	if tc := s.cfg.TLS; tc != nil {
		t := tls.Server(c, tc)
		_ = t.SetDeadline(time.Now().Add(s.cfg.FrameTimeout))
		if err := t.HandshakeContext(s.ctx); err != nil {
			s.warn.log(s.log, "thrift server: TLS handshake failed; connection closed", "remote", c.RemoteAddr().String(), "error", err)
			return
		}
		_ = t.SetDeadline(time.Time{})
		c = t // sc.c stays the raw connection: closing it closes t
	}
	fr := newFrameReader(bufio.NewReaderSize(c, 16<<10), s.cfg.MaxFrameSize)
	fr.pool = &s.frames
	defer fr.release()
	// Between frames a client may idle as long as it likes; once a frame
	// has begun it must arrive within the frame timeout.
	fr.started = func() { _ = c.SetReadDeadline(time.Now().Add(s.cfg.FrameTimeout)) }
	codec := NewCodec(s.cfg.Protocol, s.cfg.MaxFrameSize)
	for {
		size, err := fr.readHeader()
		if err != nil {
			s.connError(c, err)
			return
		}
		msg, err := fr.readBody(size)
		if err != nil {
			s.connError(c, err)
			return
		}
		_ = c.SetReadDeadline(time.Time{})
		call, err := codec.DecodeCall(msg)
		fr.release() // the events share no memory with the frame
		var reply []byte
		if err != nil {
			if s.cfg.OnBadRequest != nil {
				s.cfg.OnBadRequest(err)
			}
			if call.Method == "" {
				s.warn.log(s.log, "thrift server: undecodable request; connection closed", "remote", c.RemoteAddr().String(), "protocol", s.cfg.Protocol.String(), "error", err)
				return
			}
			typ := int32(thrift.PROTOCOL_ERROR)
			if errors.Is(err, errUnknownMethod) {
				typ = thrift.UNKNOWN_METHOD
				err = errors.New("Invalid method name: '" + call.Method + "'")
			}
			s.warn.log(s.log, "thrift server: bad request answered with an exception", "remote", c.RemoteAddr().String(), "method", call.Method, "error", err)
			reply = codec.EncodeException(call.Method, call.SeqID, typ, err.Error())
		} else {
			if !s.begin(sc) {
				return // shutting down; the client resends
			}
			status, herr := s.process(&call)
			if herr != nil {
				reply = codec.EncodeException(call.Method, call.SeqID, thrift.INTERNAL_ERROR, "Internal error processing "+call.Method)
			} else {
				reply = codec.EncodeReply(call.Method, call.SeqID, status)
			}
		}
		_ = c.SetWriteDeadline(time.Now().Add(s.cfg.FrameTimeout))
		if _, err := c.Write(reply); err != nil {
			s.end(sc)
			s.connError(c, err)
			return
		}
		if !s.end(sc) {
			return
		}
	}
}

func (s *Server) process(call *Call) (st Status, err error) {
	if s.sem != nil {
		select {
		case s.sem <- struct{}{}:
			defer func() { <-s.sem }()
		case <-s.ctx.Done():
			return UNKNOWN, s.ctx.Err()
		}
	}
	defer func() {
		// A panic in the handler (an interceptor bug, say) fails this
		// call, not the agent.
		if r := recover(); r != nil {
			s.log.Error("thrift server: handler panicked; answering INTERNAL_ERROR", "method", call.Method,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			st, err = UNKNOWN, fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return s.handler(s.ctx, call)
}

// connError logs why a connection ends, unless it is an ordinary close.
func (s *Server) connError(c net.Conn, err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || s.isClosing() {
		return
	}
	if s.cfg.OnBadRequest != nil {
		var fe *FrameError
		if errors.As(err, &fe) {
			s.cfg.OnBadRequest(err)
		}
	}
	s.warn.log(s.log, "thrift server: connection closed", "remote", c.RemoteAddr().String(), "error", err)
}

// Shutdown stops accepting, closes idle connections and lets calls in
// progress finish and answer; when ctx ends first, their handlers' context
// is cancelled and their connections are closed. It returns once every
// goroutine of the server has ended. It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdown.Do(func() {
		s.mu.Lock()
		s.closing = true
		if s.ln != nil {
			_ = s.ln.Close()
		}
		for sc := range s.conns {
			if !sc.busy {
				_ = sc.c.Close()
			}
		}
		s.mu.Unlock()
	})
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
	for sc := range s.conns {
		_ = sc.c.Close()
	}
	s.mu.Unlock()
	<-done
	return ctx.Err()
}

// logLimiter logs at most one warning per interval; the rest go to debug,
// so a misbehaving peer cannot flood the log.
type logLimiter struct {
	last       atomic.Int64
	suppressed atomic.Int64
}

const logInterval = 10 * time.Second

func (l *logLimiter) log(log *slog.Logger, msg string, args ...any) {
	now := time.Now().UnixNano()
	last := l.last.Load()
	if now-last < int64(logInterval) || !l.last.CompareAndSwap(last, now) {
		l.suppressed.Add(1)
		log.Debug(msg, args...)
		return
	}
	if n := l.suppressed.Swap(0); n > 0 {
		args = append(args, "similar_suppressed", n)
	}
	log.Warn(msg, args...)
}
