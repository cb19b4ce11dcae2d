package avrorpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/ratelog"
)

// Handler processes the events of one append (batch false, one event) or
// appendBatch call. The events share the request's memory, which is never
// reused, so the handler may keep them (put them on a channel); it must not
// keep the slice itself. A non-nil error is sent to the client as an Avro
// error response; otherwise the Status is.
type Handler func(ctx context.Context, batch bool, events []flume.Event) (Status, error)

// Limits bound the server's connections and slow requests (see
// internal/netserver; the Thrift server has the same).
type Limits = netserver.Limits

// Hooks tell the server's owner what happens on its connections:
// connections opened, closed and refused, bad requests (a malformed or
// oversized frame, a handshake or call that cannot be decoded, an unknown
// message, a request not received within the request timeout), and
// batches refused from their event counts (MaxBatch, OnTooManyEvents). The
// Thrift server has the same hooks.
type Hooks = netserver.Hooks

// ServerConfig configures a Server.
type ServerConfig struct {
	// TLS, when set, wraps every connection in a TLS server.
	TLS *tls.Config
	// Deflate enables Flume's compression-type = deflate (level 6 for
	// responses, as Java's source).
	Deflate bool
	// Accept, when set, decides per connection from the client address
	// (Flume's ipFilter); a refused connection is closed at once.
	Accept func(remote net.Addr) bool
	// MaxFrameSize bounds a request pack (DefaultMaxFrameSize when 0).
	MaxFrameSize int
	// Limits bound connections and slow requests.
	Limits Limits
	// Hooks report to the owner. With Hooks.MaxBatch set, a larger
	// appendBatch is answered FAILED as soon as its block counts pass the
	// limit, without decoding the events or calling the handler, as Flume
	// answers a batch its channel cannot take in one transaction.
	Hooks Hooks
	// Logger receives connection-level problems; nil discards them.
	Logger *slog.Logger
}

// Server serves AvroSourceProtocol over Avro's Netty transport. Each
// connection is handled by one goroutine, calls in order: a client that
// waits for each answer (as Flume's sinks do) sees its batches committed in
// the order it sent them. A framing or handshake error closes that
// connection only.
type Server struct {
	cfg     ServerConfig
	handler Handler
	log     *slog.Logger
	srv     *netserver.Server
	// warn keeps connection problems (a misbehaving peer reconnecting in
	// a loop) to one warning per 10 s, refused the connections ipFilter
	// turns away to one info line.
	warn, refused ratelog.Limiter

	mu    sync.Mutex
	known map[MD5]bool // client protocol hashes learned from handshakes
}

// NewServer returns a server that answers calls with h; call Serve or
// Start to run it.
func NewServer(cfg ServerConfig, h Handler) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, handler: h, log: log, known: map[MD5]bool{ProtocolHash: true}}
	s.srv = netserver.New(netserver.Config{Name: "avro rpc server", Logger: log, Limits: cfg.Limits, Hooks: cfg.Hooks}, s.serveConn)
	return s
}

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = netserver.ErrServerClosed

// Serve accepts connections on ln until Close or Shutdown, and returns
// ErrServerClosed then. The server owns ln. Accept failures such as
// running out of file descriptors are retried.
func (s *Server) Serve(ln net.Listener) error { return s.srv.Serve(ln) }

// Start serves ln on a goroutine of the server until Close or Shutdown
// (see Serve).
func (s *Server) Start(ln net.Listener) { s.srv.Start(ln) }

// Addr returns the listening address, nil before Serve or Start.
func (s *Server) Addr() net.Addr { return s.srv.Addr() }

// Close stops accepting, closes every connection and waits until no
// goroutine of the server runs. Calls in progress see their context
// cancelled and get no answer (their senders resend).
func (s *Server) Close() error {
	s.srv.Close()
	return nil
}

// Shutdown stops accepting, closes idle connections and lets calls in
// progress finish and answer; when ctx ends first, their handlers' context
// is cancelled, their connections are closed and ctx.Err() is returned. It
// returns once every goroutine of the server has ended. It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

func (s *Server) serveConn(ctx context.Context, raw *netserver.Conn) {
	remote := raw.RemoteAddr()
	if s.cfg.Accept != nil && !s.cfg.Accept(remote) {
		s.refused.Log(s.log, slog.LevelInfo, "connection refused by ipFilter", "remote", remote.String())
		return
	}
	var c net.Conn = raw
	if s.cfg.Deflate {
		dc, err := newDeflateConn(c, 6)
		if err != nil {
			s.log.Error("cannot set up deflate", "error", err)
			return
		}
		c = dc
	}
	if s.cfg.TLS != nil {
		tc, err := raw.ServerTLS(ctx, c, s.cfg.TLS)
		if err != nil {
			s.closing(ctx, remote, "closing avro connection: TLS handshake failed", err)
			return
		}
		c = tc
	}
	fr := NewFrameReader(c, s.cfg.MaxFrameSize)
	fw := newFrameWriter(c)
	sess := serverSession{}
	var events []flume.Event
	resp := make([]byte, 0, 256)
	for {
		if fr.Buffered() > 0 {
			raw.Started() // a pipelined request: the rest must come in time
		}
		serial, payload, err := fr.ReadFrame(nil)
		if err != nil {
			if errors.Is(err, ErrFrame) && !errors.Is(err, netserver.ErrRequestTimeout) {
				s.cfg.Hooks.BadRequest(err)
			}
			s.closing(ctx, remote, "closing avro connection", err)
			return
		}
		if !raw.Begin() {
			return // shutting down; the client resends
		}
		// events is reused without clearing: the stale entries keep at
		// most the previous request's frame alive, and clearing them costs
		// write barriers on the hot path.
		resp, events, err = s.handle(ctx, &sess, payload, resp[:0], events[:0])
		if err != nil {
			s.cfg.Hooks.BadRequest(err)
			s.warn.Warn(s.log, "closing avro connection after a bad request", "remote", remote.String(), "error", err)
			raw.End()
			return
		}
		if err := fw.write(serial, nil, resp); err != nil {
			if ctx.Err() == nil {
				s.log.Debug("avro connection write failed", "remote", remote.String(), "error", err)
			}
			raw.End()
			return
		}
		if !raw.End() {
			return
		}
	}
}

// closing logs why a connection ends, unless it is an ordinary close or
// a request timeout (which the connection reported itself).
func (s *Server) closing(ctx context.Context, remote net.Addr, msg string, err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, netserver.ErrRequestTimeout) || ctx.Err() != nil {
		return
	}
	s.warn.Warn(s.log, msg, "remote", remote.String(), "error", err)
}

type serverSession struct {
	established bool
}

// handle answers one request. An error means the connection must close.
func (s *Server) handle(ctx context.Context, sess *serverSession, req, resp []byte, events []flume.Event) ([]byte, []flume.Event, error) {
	if !sess.established {
		hreq, rest, err := DecodeHandshakeRequest(req)
		if err != nil {
			return resp, events, err
		}
		hresp := s.match(hreq)
		if resp, err = AppendHandshakeResponse(resp, hresp); err != nil {
			return resp, events, err
		}
		if hresp.Match == MatchNone {
			return resp, events, nil // the call is not executed; the client resends it
		}
		sess.established = true
		req = rest
	}
	message, params, err := parseCallHeader(req)
	if err != nil {
		return resp, events, err
	}
	var batch bool
	switch message {
	case "":
		return resp, events, nil // handshake-only ping
	case MessageAppend:
		var e flume.Event
		if e, _, err = avroevent.DecodeEvent(params); err == nil {
			events = append(events, e)
		}
	case MessageAppendBatch:
		batch = true
		events, _, err = avroevent.DecodeEvents(params, events, s.cfg.Hooks.BatchLimit())
		if tm := (*avroevent.TooManyEventsError)(nil); errors.As(err, &tm) {
			s.cfg.Hooks.TooManyEvents(tm.Declared)
			return appendStatusResponse(resp, Failed), events[:0], nil
		}
	default:
		s.cfg.Hooks.BadRequest(fmt.Errorf("no such message %q", message))
		return appendErrorResponse(resp, "org.apache.avro.AvroRuntimeException: No such remote message: "+message), events, nil
	}
	if err != nil {
		s.cfg.Hooks.BadRequest(fmt.Errorf("cannot decode %s request: %w", message, err))
		return appendErrorResponse(resp, fmt.Sprintf("org.apache.avro.AvroRuntimeException: cannot decode %s request: %v", message, err)), events, nil
	}
	status, err := s.handler(ctx, batch, events)
	if err != nil {
		return appendErrorResponse(resp, err.Error()), events, nil
	}
	return appendStatusResponse(resp, status), events, nil
}

// match decides the handshake as Java's Responder does, accepting any
// client protocol text that declares AvroSourceProtocol's messages.
func (s *Server) match(h HandshakeRequest) HandshakeResponse {
	s.mu.Lock()
	known := s.known[h.ClientHash]
	s.mu.Unlock()
	if !known && h.ClientProtocol != nil {
		if err := compatibleProtocol(*h.ClientProtocol); err != nil {
			s.warn.Warn(s.log, "avro client sent an incompatible protocol", "hash", h.ClientHash.String(), "error", err)
		} else {
			known = true
			s.mu.Lock()
			if len(s.known) < 1024 {
				s.known[h.ClientHash] = true
			}
			s.mu.Unlock()
		}
	}
	text, hash := ProtocolJSON, ProtocolHash
	switch {
	case !known:
		return HandshakeResponse{Match: MatchNone, ServerProtocol: &text, ServerHash: &hash}
	case h.ServerHash == ProtocolHash:
		return HandshakeResponse{Match: MatchBoth}
	default:
		return HandshakeResponse{Match: MatchClient, ServerProtocol: &text, ServerHash: &hash}
	}
}
