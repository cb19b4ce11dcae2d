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
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/ratelog"
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
	warn    ratelog.Limiter
	frames  sync.Pool // frame buffers, lent while a frame is read and decoded
	srv     *netserver.Server
}

// NewServer returns a server that answers calls with h.
func NewServer(cfg ServerConfig, h Handler) *Server {
	if cfg.MaxFrameSize <= 0 {
		cfg.MaxFrameSize = DefaultMaxFrameSize
	}
	if cfg.FrameTimeout <= 0 {
		cfg.FrameTimeout = DefaultFrameTimeout
	}
	s := &Server{cfg: cfg, handler: h, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers > 0 {
		s.sem = make(chan struct{}, cfg.Workers)
	}
	s.srv = netserver.New("thrift server", s.log, s.serve)
	return s
}

// Start serves ln in the background until Shutdown. The server owns ln.
// Accept failures such as running out of file descriptors are retried.
func (s *Server) Start(ln net.Listener) { s.srv.Start(ln) }

// Addr returns the listening address, nil before Start.
func (s *Server) Addr() net.Addr { return s.srv.Addr() }

func (s *Server) serve(ctx context.Context, sc *netserver.Conn) {
	if s.cfg.OnConn != nil {
		s.cfg.OnConn(1)
		defer s.cfg.OnConn(-1)
	}
	var c net.Conn = sc
	if tc := s.cfg.TLS; tc != nil {
		t := tls.Server(c, tc)
		_ = t.SetDeadline(time.Now().Add(s.cfg.FrameTimeout))
		if err := t.HandshakeContext(ctx); err != nil {
			s.warn.Warn(s.log, "thrift server: TLS handshake failed; connection closed", "remote", c.RemoteAddr().String(), "error", err)
			return
		}
		_ = t.SetDeadline(time.Time{})
		c = t // the server closes sc, which closes t
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
				s.warn.Warn(s.log, "thrift server: undecodable request; connection closed", "remote", c.RemoteAddr().String(), "protocol", s.cfg.Protocol.String(), "error", err)
				return
			}
			typ := int32(thrift.PROTOCOL_ERROR)
			if errors.Is(err, errUnknownMethod) {
				typ = thrift.UNKNOWN_METHOD
				err = errors.New("Invalid method name: '" + call.Method + "'")
			}
			s.warn.Warn(s.log, "thrift server: bad request answered with an exception", "remote", c.RemoteAddr().String(), "method", call.Method, "error", err)
			reply = codec.EncodeException(call.Method, call.SeqID, typ, err.Error())
		} else {
			if !sc.Begin() {
				return // shutting down; the client resends
			}
			status, herr := s.process(ctx, &call)
			if herr != nil {
				reply = codec.EncodeException(call.Method, call.SeqID, thrift.INTERNAL_ERROR, "Internal error processing "+call.Method)
			} else {
				reply = codec.EncodeReply(call.Method, call.SeqID, status)
			}
		}
		_ = c.SetWriteDeadline(time.Now().Add(s.cfg.FrameTimeout))
		if _, err := c.Write(reply); err != nil {
			sc.End()
			s.connError(c, err)
			return
		}
		if !sc.End() {
			return
		}
	}
}

func (s *Server) process(ctx context.Context, call *Call) (st Status, err error) {
	if s.sem != nil {
		select {
		case s.sem <- struct{}{}:
			defer func() { <-s.sem }()
		case <-ctx.Done():
			return UNKNOWN, ctx.Err()
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
	return s.handler(ctx, call)
}

// connError logs why a connection ends, unless it is an ordinary close.
func (s *Server) connError(c net.Conn, err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || s.srv.Closing() {
		return
	}
	if s.cfg.OnBadRequest != nil {
		var fe *FrameError
		if errors.As(err, &fe) {
			s.cfg.OnBadRequest(err)
		}
	}
	s.warn.Warn(s.log, "thrift server: connection closed", "remote", c.RemoteAddr().String(), "error", err)
}

// Shutdown stops accepting, closes idle connections and lets calls in
// progress finish and answer; when ctx ends first, their handlers' context
// is cancelled and their connections are closed. It returns once every
// goroutine of the server has ended. It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
