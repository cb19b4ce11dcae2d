package thriftrpc

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/flumego/flume"
)

// Conn is one client connection to a thrift source. Calls on a Conn are
// sequential: a Conn is not safe for concurrent use (the SDK pools them).
//
// After a transport error, a timeout or an undecodable reply the Conn is
// broken (Broken reports it) and must be closed; a non-OK status or an
// exception reply leaves it usable, as the frames stay in step.
type Conn struct {
	c       net.Conn
	fr      *frameReader
	codec   *Codec
	timeout time.Duration
	seq     int32
	broken  atomic.Bool
}

// Dial connects to the thrift source at addr ("host:port") within
// cfg.ConnectTimeout (and ctx), with TLS when cfg.TLS is set.
func Dial(ctx context.Context, addr string, cfg ClientConfig) (*Conn, error) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = defaultTimeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to thrift source %s: %w", addr, err)
	}
	if cfg.TLS != nil {
		tc := cfg.TLS
		if tc.ServerName == "" {
			tc = tc.Clone()
			if host, _, err := net.SplitHostPort(addr); err == nil {
				tc.ServerName = host
			}
		}
		t := tls.Client(c, tc)
		if err := t.HandshakeContext(dctx); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("TLS handshake with thrift source %s: %w", addr, err)
		}
		c = t
	}
	return NewConn(c, cfg), nil
}

// NewConn returns a client over an established connection c.
func NewConn(c net.Conn, cfg ClientConfig) *Conn {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultTimeout
	}
	return &Conn{
		c:       c,
		fr:      newFrameReader(bufio.NewReaderSize(c, 4096), maxReplyFrame),
		codec:   NewCodec(cfg.Protocol, cfg.MaxFrameSize),
		timeout: cfg.RequestTimeout,
	}
}

// Append sends one event with append and returns the server's status.
func (c *Conn) Append(ctx context.Context, e flume.Event) (Status, error) {
	return c.call(ctx, MethodAppend, []flume.Event{e})
}

// AppendBatch sends events in one appendBatch call (the caller keeps
// batches within its batch size) and returns the server's status.
func (c *Conn) AppendBatch(ctx context.Context, events []flume.Event) (Status, error) {
	return c.call(ctx, MethodAppendBatch, events)
}

func (c *Conn) call(ctx context.Context, method string, events []flume.Event) (Status, error) {
	if c.broken.Load() {
		return Unknown, errBroken
	}
	c.seq++
	frame, err := c.codec.EncodeCall(method, c.seq, events)
	if err != nil {
		return Unknown, fmt.Errorf("%s of %d events: %w", method, len(events), err)
	}
	return c.roundTrip(ctx, method, c.seq, frame)
}

// CallEncoded sends frame, a call of method with sequence id seqID that a
// Codec of the connection's protocol encoded beforehand (EncodeCall), and
// returns the server's status. Load generators use it to send one encoding
// many times; the sequence id is checked against the reply's as for any
// call.
func (c *Conn) CallEncoded(ctx context.Context, method string, seqID int32, frame []byte) (Status, error) {
	if c.broken.Load() {
		return Unknown, errBroken
	}
	return c.roundTrip(ctx, method, seqID, frame)
}

var errBroken = errors.New("thrift connection is broken by an earlier error; reconnect")

// roundTrip writes a request frame and reads its reply within the request
// timeout and ctx.
func (c *Conn) roundTrip(ctx context.Context, method string, seq int32, frame []byte) (Status, error) {
	deadline := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = c.c.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = c.c.SetDeadline(time.Unix(1, 0)) })
	status, err := c.exchange(method, seq, frame)
	if !stop() {
		// ctx ended during the call and may have cut it short; the
		// connection's deadline is no longer ours to trust.
		c.broken.Store(true)
		if err != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
	}
	return status, err
}

func (c *Conn) exchange(method string, seq int32, frame []byte) (Status, error) {
	if _, err := c.c.Write(frame); err != nil {
		c.broken.Store(true)
		return Unknown, fmt.Errorf("%s: send: %w", method, err)
	}
	msg, err := c.fr.readFrame()
	if err != nil {
		c.broken.Store(true)
		return Unknown, fmt.Errorf("%s: read reply: %w", method, err)
	}
	r, err := c.codec.DecodeReply(msg)
	var appErr thrift.TApplicationException
	if err != nil && !errors.As(err, &appErr) {
		c.broken.Store(true)
		return Unknown, fmt.Errorf("%s: %w", method, err)
	}
	if r.SeqID != seq || r.Method != method {
		c.broken.Store(true)
		return Unknown, fmt.Errorf("%s: out-of-sequence reply (%s seqid %d, expected %s seqid %d)", method, r.Method, r.SeqID, method, seq)
	}
	if err != nil {
		return Unknown, fmt.Errorf("%s: server raised %w", method, err)
	}
	return r.Status, nil
}

// Broken reports whether an earlier error left the connection unusable.
func (c *Conn) Broken() bool { return c.broken.Load() }

// RemoteAddr returns the server's address.
func (c *Conn) RemoteAddr() net.Addr { return c.c.RemoteAddr() }

// Close closes the connection. It may be called while a call is in
// progress, which then fails.
func (c *Conn) Close() error {
	c.broken.Store(true)
	return c.c.Close()
}
