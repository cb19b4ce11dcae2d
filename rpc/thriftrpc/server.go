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

// Limits bound the server's connections and slow requests (see
// internal/netserver; the Avro server has the same). The request timeout
// also bounds a TLS handshake and the writing of a reply.
type Limits = netserver.Limits

// Hooks tell the server's owner what happens on its connections:
// connections opened, closed and refused, bad requests (a frame that is not
// one or is over max-frame-size, a frame cut short or not received within
// the request timeout, a call that cannot be decoded, an unknown method),
// and batches refused from their event counts (MaxBatch, OnTooManyEvents).
// The Avro server has the same hooks.
type Hooks = netserver.Hooks

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
	// Limits bound connections and slow requests.
	Limits Limits
	// TLS, when set, makes the server accept TLS connections only.
	TLS *tls.Config
	// Logger receives connection-level problems (rate limited); nil
	// discards them.
	Logger *slog.Logger
	// Hooks report to the owner. With Hooks.MaxBatch set, a larger
	// appendBatch is answered FAILED as soon as its list header is read,
	// without decoding the events or calling the handler, as Flume answers
	// a batch its channel cannot take in one transaction.
	Hooks Hooks
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
	panics  ratelog.Limiter // handler panics: one error line (with its stack) per 10 s
	frames  sync.Pool       // frame buffers, lent while a frame is read and decoded
	srv     *netserver.Server
}

// NewServer returns a server that answers calls with h.
func NewServer(cfg ServerConfig, h Handler) *Server {
	if cfg.MaxFrameSize <= 0 {
		cfg.MaxFrameSize = DefaultMaxFrameSize
	}
	s := &Server{cfg: cfg, handler: h, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers > 0 {
		s.sem = make(chan struct{}, cfg.Workers)
	}
	s.srv = netserver.New(netserver.Config{Name: "thrift server", Logger: s.log, Limits: cfg.Limits, Hooks: cfg.Hooks}, s.serve)
	return s
}

// Start serves ln in the background until Shutdown. The server owns ln.
// Accept failures such as running out of file descriptors are retried.
func (s *Server) Start(ln net.Listener) { s.srv.Start(ln) }

// Addr returns the listening address, nil before Start.
func (s *Server) Addr() net.Addr { return s.srv.Addr() }

func (s *Server) serve(ctx context.Context, sc *netserver.Conn) {
	var c net.Conn = sc
	if tc := s.cfg.TLS; tc != nil {
		t, err := sc.ServerTLS(ctx, sc, tc)
		if err != nil {
			if !errors.Is(err, netserver.ErrRequestTimeout) && !s.srv.Closing() {
				s.warn.Warn(s.log, "thrift server: TLS handshake failed; connection closed", "remote", c.RemoteAddr().String(), "error", err)
			}
			return
		}
		c = t // the server closes sc, which closes t
	}
	br := bufio.NewReaderSize(c, 16<<10)
	fr := newFrameReader(br, s.cfg.MaxFrameSize)
	fr.pool = &s.frames
	defer fr.release()
	// Between frames a client may idle as long as it likes; once a frame
	// has begun it must arrive within the request timeout.
	fr.started = sc.Started
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
		if !sc.Begin() {
			return // shutting down; the client resends
		}
		call, err := codec.DecodeCallMax(msg, s.cfg.Hooks.BatchLimit())
		fr.release() // the events share no memory with the frame
		var reply []byte
		tooMany := (*TooManyEventsError)(nil)
		switch {
		case errors.As(err, &tooMany):
			s.cfg.Hooks.TooManyEvents(tooMany.Declared)
			reply = codec.EncodeReply(call.Method, call.SeqID, Failed)
		case err != nil:
			s.cfg.Hooks.BadRequest(err)
			if call.Method == "" {
				s.warn.Warn(s.log, "thrift server: undecodable request; connection closed", "remote", c.RemoteAddr().String(), "protocol", s.cfg.Protocol.String(), "error", err)
				sc.End()
				return
			}
			typ := int32(thrift.PROTOCOL_ERROR)
			if errors.Is(err, errUnknownMethod) {
				typ = thrift.UNKNOWN_METHOD
				err = errors.New("Invalid method name: '" + call.Method + "'")
			}
			s.warn.Warn(s.log, "thrift server: bad request answered with an exception", "remote", c.RemoteAddr().String(), "method", call.Method, "error", err)
			reply = codec.EncodeException(call.Method, call.SeqID, typ, err.Error())
		default:
			status, herr := s.process(ctx, &call)
			if herr != nil {
				reply = codec.EncodeException(call.Method, call.SeqID, thrift.INTERNAL_ERROR, "Internal error processing "+call.Method)
			} else {
				reply = codec.EncodeReply(call.Method, call.SeqID, status)
			}
		}
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
			return Unknown, ctx.Err()
		}
	}
	defer func() {
		// A panic in the handler (an interceptor bug, say) fails this
		// call, not the agent.
		if r := recover(); r != nil {
			s.panics.Log(s.log, slog.LevelError, "thrift server: handler panicked; answering INTERNAL_ERROR", "method", call.Method,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			st, err = Unknown, fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return s.handler(ctx, call)
}

// connError logs why a connection ends, unless it is an ordinary close or
// a request timeout (which the connection reported itself), and reports a
// request the peer began but did not finish, or that was not a frame.
func (s *Server) connError(c net.Conn, err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, netserver.ErrRequestTimeout) || s.srv.Closing() {
		return
	}
	var fe *FrameError
	if errors.As(err, &fe) || errors.Is(err, errTruncated) {
		s.cfg.Hooks.BadRequest(err)
	}
	s.warn.Warn(s.log, "thrift server: connection closed", "remote", c.RemoteAddr().String(), "error", err)
}

// Shutdown stops accepting, closes idle connections and lets calls in
// progress finish and answer; when ctx ends first, their handlers' context
// is cancelled and their connections are closed. It returns once every
// goroutine of the server has ended. It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
