package avrorpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/flumego/flume/avroevent"
	"net"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// ClientConfig configures a client connection.
type ClientConfig struct {
	// ConnectTimeout bounds the TCP connect, the TLS handshake and, added
	// to RequestTimeout, the first call (which carries the Avro
	// handshake). Default 20 s.
	ConnectTimeout time.Duration
	// RequestTimeout bounds each later call. Default 20 s.
	RequestTimeout time.Duration
	// TLS, when set, makes the connection a TLS client.
	TLS *tls.Config
	// Deflate enables compression-type = deflate at DeflateLevel (0-9,
	// default 6 when Deflate is set and the level is left at -1).
	Deflate      bool
	DeflateLevel int
	// MaxFrameSize bounds a response pack (responses are tiny; default
	// 1 MiB).
	MaxFrameSize int
}

// Conn is one client connection to an avro source. It sends one call at a
// time (callers are serialised) and matches each answer by serial. Any
// failure (timeout, I/O error, malformed answer) breaks the connection:
// later calls return ErrBroken and the owner dials again.
type Conn struct {
	cfg ClientConfig

	mu          sync.Mutex
	c           net.Conn
	fr          *FrameReader
	fw          *frameWriter
	serial      int32
	established bool
	serverHash  MD5
	broken      error
	body        []byte
	resp        []byte
}

// ErrBroken is returned by calls on a connection that failed or was closed.
var ErrBroken = errors.New("avro rpc connection is closed")

// Dial opens a connection to addr (host:port). The Avro handshake rides
// on the first call.
func Dial(ctx context.Context, addr string, cfg ClientConfig) (*Conn, error) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 20 * time.Second
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 20 * time.Second
	}
	if cfg.MaxFrameSize <= 0 {
		cfg.MaxFrameSize = 1 << 20
	}
	d := net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("avro rpc: connect to %s: %w", addr, err)
	}
	c := raw
	if cfg.Deflate {
		dc, err := newDeflateConn(c, cfg.DeflateLevel)
		if err != nil {
			raw.Close()
			return nil, err
		}
		c = dc
	}
	if cfg.TLS != nil {
		tc := tls.Client(c, cfg.TLS)
		hctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("avro rpc: TLS handshake with %s: %w", addr, err)
		}
		c = tc
	}
	return &Conn{cfg: cfg, c: c, fr: NewFrameReader(c, cfg.MaxFrameSize), fw: newFrameWriter(c), serverHash: ProtocolHash}, nil
}

// RemoteAddr returns the server's address.
func (c *Conn) RemoteAddr() net.Addr { return c.c.RemoteAddr() }

// Close closes the connection. It is safe to call more than once.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken == nil {
		c.broken = ErrBroken
		return c.c.Close()
	}
	return nil
}

// Append sends one event and returns the server's Status.
func (c *Conn) Append(ctx context.Context, e flume.Event) (Status, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.body = avroevent.AppendEvent(appendCallHeader(c.body[:0], MessageAppend), e)
	return c.call(ctx, c.body)
}

// AppendBatch sends events in one appendBatch call and returns the server's
// Status.
func (c *Conn) AppendBatch(ctx context.Context, events []flume.Event) (Status, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.body = avroevent.AppendEvents(appendCallHeader(c.body[:0], MessageAppendBatch), events)
	return c.call(ctx, c.body)
}

// EncodeAppendBatch returns a ready-to-send appendBatch call for CallEncoded:
// load generators encode once and send many times.
func EncodeAppendBatch(events []flume.Event) []byte {
	return avroevent.AppendEvents(appendCallHeader(nil, MessageAppendBatch), events)
}

// CallEncoded sends a call encoded by EncodeAppendBatch.
func (c *Conn) CallEncoded(ctx context.Context, call []byte) (Status, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.call(ctx, call)
}

// Ping performs the handshake-only call (an empty message name) Avro
// clients use to check a connection.
func (c *Conn) Ping(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.body = appendCallHeader(c.body[:0], "")
	_, err := c.call(ctx, c.body)
	return err
}

var errPing = errors.New("ping")

// call sends body (metadata, name, params) with the handshake while the
// session is not established, and reads the answer. Called with mu held.
func (c *Conn) call(ctx context.Context, body []byte) (Status, error) {
	if c.broken != nil {
		return 0, c.broken
	}
	timeout := c.cfg.RequestTimeout
	if !c.established {
		timeout += c.cfg.ConnectTimeout
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = c.c.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = c.c.SetDeadline(time.Unix(1, 0)) })
	status, err := c.roundTrip(body)
	if !stop() && err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	if err != nil {
		if errors.Is(err, errPing) {
			return 0, nil
		}
		var re *RemoteError
		if errors.As(err, &re) {
			return 0, err // the connection itself is fine
		}
		c.broken = fmt.Errorf("%w after: %w", ErrBroken, err)
		c.c.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil {
			return 0, fmt.Errorf("avro rpc: no answer from %s within %s: %w", c.c.RemoteAddr(), timeout, err)
		}
		return 0, fmt.Errorf("avro rpc call to %s: %w", c.c.RemoteAddr(), err)
	}
	return status, nil
}

func (c *Conn) roundTrip(body []byte) (Status, error) {
	var sentProtocol bool
	for {
		c.serial++
		serial := c.serial
		var hs []byte
		if !c.established {
			req := HandshakeRequest{ClientHash: ProtocolHash, ServerHash: c.serverHash, Meta: map[string][]byte{}}
			if sentProtocol {
				text := ProtocolJSON
				req.ClientProtocol = &text
			}
			var err error
			if hs, err = AppendHandshakeRequest(nil, req); err != nil {
				return 0, err
			}
		}
		if err := c.fw.write(serial, hs, body); err != nil {
			return 0, err
		}
		got, resp, err := c.fr.ReadFrame(c.resp)
		if err != nil {
			return 0, err
		}
		c.resp = resp[:0]
		if got != serial {
			return 0, fmt.Errorf("%w: answer has serial %d, expected %d", ErrFrame, got, serial)
		}
		if !c.established {
			h, rest, err := DecodeHandshakeResponse(resp)
			if err != nil {
				return 0, err
			}
			if h.ServerHash != nil {
				c.serverHash = *h.ServerHash
			}
			if h.Match == MatchNone {
				if sentProtocol {
					return 0, fmt.Errorf("avro handshake: the server does not accept AvroSourceProtocol (answered NONE to its text)")
				}
				sentProtocol = true
				continue // resend the same call with our protocol text
			}
			if h.Match == MatchClient && h.ServerProtocol != nil {
				if err := compatibleProtocol(*h.ServerProtocol); err != nil {
					return 0, fmt.Errorf("avro handshake: server protocol: %w", err)
				}
			}
			c.established = true
			resp = rest
		}
		if len(body) >= 2 && body[1] == 0 { // empty message name: a ping
			return 0, errPing
		}
		return parseResponse(resp)
	}
}
