package avrorpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/flumego/flume/avroevent"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/ratelog"
)

// Handler processes the events of one append (batch false, one event) or
// appendBatch call. The events share the request's memory, which is never
// reused, so the handler may keep them (put them on a channel); it must not
// keep the slice itself. A non-nil error is sent to the client as an Avro
// error response; otherwise the Status is.
type Handler func(ctx context.Context, batch bool, events []flume.Event) (Status, error)

// ServerConfig configures a Server.
type ServerConfig struct {
	// Handler answers append and appendBatch calls. Required.
	Handler Handler
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
	// MaxBatch, when set, returns the largest appendBatch the handler can
	// ever accept (0: no limit); it is asked per request. A larger batch
	// is answered FAILED as soon as its event count is read, without
	// decoding the events or calling the handler, as Flume answers a batch
	// its channel cannot take in one transaction; OnTooManyEvents, when
	// set, is told (with the lower bound the blocks declared), so that the
	// source can count it.
	MaxBatch        func() int
	OnTooManyEvents func(err *avroevent.TooManyEventsError)
	// Connections, when set, is kept equal to the number of open
	// connections (Flume's OpenConnectionCount).
	Connections *atomic.Int64
	// Logger receives connection-level problems; nil discards them.
	Logger *slog.Logger
}

// Server serves AvroSourceProtocol over Avro's Netty transport. Each
// connection is handled by one goroutine, calls in order: a client that
// waits for each answer (as Flume's sinks do) sees its batches committed in
// the order it sent them. A framing or handshake error closes that
// connection only.
type Server struct {
	cfg ServerConfig
	log *slog.Logger
	srv *netserver.Server
	// warn keeps connection problems (a misbehaving peer reconnecting in
	// a loop) to one warning per 10 s.
	warn ratelog.Limiter

	mu    sync.Mutex
	known map[MD5]bool // client protocol hashes learned from handshakes
}

// NewServer returns a server; call Serve or Start to run it.
func NewServer(cfg ServerConfig) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, known: map[MD5]bool{ProtocolHash: true}}
	s.srv = netserver.New("avro rpc server", log, s.serveConn)
	return s
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = netserver.ErrServerClosed

// Serve accepts connections on ln until Close, and returns ErrServerClosed
// then. The server owns ln. Accept failures such as running out of file
// descriptors are retried.
func (s *Server) Serve(ln net.Listener) error { return s.srv.Serve(ln) }

// Start serves ln on a goroutine of the server until Close (see Serve).
func (s *Server) Start(ln net.Listener) { s.srv.Start(ln) }

// Addr returns the listening address, nil before Serve or Start.
func (s *Server) Addr() net.Addr { return s.srv.Addr() }

// Close stops accepting, closes every connection and waits until no
// goroutine of the server runs. Calls in progress see their context
// cancelled.
func (s *Server) Close() error {
	s.srv.Close()
	return nil
}

func (s *Server) serveConn(ctx context.Context, raw *netserver.Conn) {
	remote := raw.RemoteAddr()
	if s.cfg.Accept != nil && !s.cfg.Accept(remote) {
		s.log.Info("connection refused by ipFilter", "remote", remote.String())
		return
	}
	if s.cfg.Connections != nil {
		s.cfg.Connections.Add(1)
		defer s.cfg.Connections.Add(-1)
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
		c = tls.Server(c, s.cfg.TLS)
	}
	fr := NewFrameReader(c, s.cfg.MaxFrameSize)
	fw := newFrameWriter(c)
	sess := serverSession{}
	var events []flume.Event
	resp := make([]byte, 0, 256)
	for {
		serial, payload, err := fr.ReadFrame(nil)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && ctx.Err() == nil {
				s.warn.Warn(s.log, "closing avro connection", "remote", remote.String(), "error", err)
			}
			return
		}
		// events is reused without clearing: the stale entries keep at
		// most the previous request's frame alive, and clearing them costs
		// write barriers on the hot path.
		resp, events, err = s.handle(ctx, &sess, payload, resp[:0], events[:0])
		if err != nil {
			s.warn.Warn(s.log, "closing avro connection after a bad request", "remote", remote.String(), "error", err)
			return
		}
		if err := fw.write(serial, nil, resp); err != nil {
			if ctx.Err() == nil {
				s.log.Debug("avro connection write failed", "remote", remote.String(), "error", err)
			}
			return
		}
	}
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
		limit := 0
		if s.cfg.MaxBatch != nil {
			limit = s.cfg.MaxBatch()
		}
		events, _, err = avroevent.DecodeEvents(params, events, limit)
		if tm := (*avroevent.TooManyEventsError)(nil); errors.As(err, &tm) {
			if s.cfg.OnTooManyEvents != nil {
				s.cfg.OnTooManyEvents(tm)
			}
			s.warn.Warn(s.log, "avro batch larger than the channels can take in one transaction; answered FAILED", "error", err)
			return appendStatusResponse(resp, Failed), events[:0], nil
		}
	default:
		return appendErrorResponse(resp, "org.apache.avro.AvroRuntimeException: No such remote message: "+message), events, nil
	}
	if err != nil {
		return appendErrorResponse(resp, fmt.Sprintf("org.apache.avro.AvroRuntimeException: cannot decode %s request: %v", message, err)), events, nil
	}
	status, err := s.cfg.Handler(ctx, batch, events)
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
