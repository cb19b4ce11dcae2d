package thriftrpc

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/flumego/flume"
)

// DefaultMaxFrameSize is the largest frame accepted by default: Java
// Thrift's TFastFramedTransport limit (16 384 000 bytes), which is what a
// Flume thrift source enforces.
const DefaultMaxFrameSize = 16384000

// maxReplyFrame bounds the frames a client accepts: replies are a few
// bytes, exceptions a message string.
const maxReplyFrame = 1 << 20

// Call is one decoded request of ThriftSourceProtocol.
type Call struct {
	// Method is "append", "appendBatch" or, for a request the server
	// answers with UNKNOWN_METHOD, whatever the client asked for.
	Method string
	// SeqID is echoed in the reply.
	SeqID int32
	// Events are the decoded events (one for append). They share no memory
	// with the frame they were decoded from (which the connection reuses):
	// their bodies and header strings share one copy of it.
	Events []flume.Event
}

// ErrMessageTooLarge is returned (wrapped) by EncodeCall when the call
// would exceed the frame limit. Nothing was sent; smaller batches may pass.
var ErrMessageTooLarge = errors.New("thrift message exceeds the frame limit")

// errUnknownMethod marks a well-formed call of a method the service does
// not have.
var errUnknownMethod = errors.New("unknown method")

// Codec encodes and decodes the messages of ThriftSourceProtocol in one
// protocol, to and from frames (a 4-byte big-endian length and the
// message). It reuses its buffers: a frame returned by an Encode method is
// valid until the next Encode call. A Codec is not safe for concurrent use;
// each connection has its own.
type Codec struct {
	proto    Protocol
	maxFrame int
	rt, wt   memTransport
	rp, wp   thrift.TProtocol
}

// NewCodec returns a codec for protocol p that refuses to decode or encode
// messages longer than maxFrameSize bytes (DefaultMaxFrameSize when ≤ 0).
// The limit also bounds every string, binary and container length read.
func NewCodec(p Protocol, maxFrameSize int) *Codec {
	if maxFrameSize <= 0 || maxFrameSize > 1<<31-1 {
		maxFrameSize = DefaultMaxFrameSize
	}
	c := &Codec{proto: p, maxFrame: maxFrameSize}
	conf := &thrift.TConfiguration{
		MaxMessageSize:   int32(maxFrameSize),
		MaxFrameSize:     int32(maxFrameSize),
		MaxContainerSize: int32(maxFrameSize),
	}
	c.rp = newProtocol(p, &c.rt, conf)
	c.wp = newProtocol(p, &c.wt, conf)
	return c
}

// Protocol returns the codec's protocol.
func (c *Codec) Protocol() Protocol { return c.proto }

// MaxFrameSize returns the codec's frame limit.
func (c *Codec) MaxFrameSize() int { return c.maxFrame }

// The write side goes to a memory buffer, which cannot fail, so the
// protocol's write errors are ignored; only the frame size is checked.

func (c *Codec) begin() {
	c.wt.w = append(c.wt.w[:0], 0, 0, 0, 0)
}

func (c *Codec) finish() ([]byte, error) {
	n := len(c.wt.w) - 4
	if n > c.maxFrame {
		return nil, fmt.Errorf("%w: %d bytes, limit %d (send smaller batches or raise max-frame-size on both ends)", ErrMessageTooLarge, n, c.maxFrame)
	}
	binary.BigEndian.PutUint32(c.wt.w, uint32(n))
	return c.wt.w, nil
}

// EncodeCall returns the frame of a call: append (exactly one event) or
// appendBatch.
func (c *Codec) EncodeCall(method string, seqID int32, events []flume.Event) ([]byte, error) {
	ctx := context.Background()
	p := c.wp
	c.begin()
	_ = p.WriteMessageBegin(ctx, method, thrift.CALL, seqID)
	_ = p.WriteStructBegin(ctx, method+"_args")
	switch method {
	case MethodAppend:
		if len(events) != 1 {
			return nil, fmt.Errorf("append takes one event, not %d", len(events))
		}
		_ = p.WriteFieldBegin(ctx, "event", thrift.STRUCT, 1)
		c.writeEvent(ctx, events[0])
		_ = p.WriteFieldEnd(ctx)
	case MethodAppendBatch:
		_ = p.WriteFieldBegin(ctx, "events", thrift.LIST, 1)
		_ = p.WriteListBegin(ctx, thrift.STRUCT, len(events))
		for _, e := range events {
			c.writeEvent(ctx, e)
		}
		_ = p.WriteListEnd(ctx)
		_ = p.WriteFieldEnd(ctx)
	default:
		return nil, fmt.Errorf("ThriftSourceProtocol has no method %q", method)
	}
	_ = p.WriteFieldStop(ctx)
	_ = p.WriteStructEnd(ctx)
	_ = p.WriteMessageEnd(ctx)
	return c.finish()
}

func (c *Codec) writeEvent(ctx context.Context, e flume.Event) {
	p := c.wp
	_ = p.WriteStructBegin(ctx, "ThriftFlumeEvent")
	_ = p.WriteFieldBegin(ctx, "headers", thrift.MAP, 1)
	_ = p.WriteMapBegin(ctx, thrift.STRING, thrift.STRING, e.HeaderCount())
	for k, v := range e.AllHeaders() {
		_ = p.WriteString(ctx, k)
		_ = p.WriteString(ctx, v)
	}
	_ = p.WriteMapEnd(ctx)
	_ = p.WriteFieldEnd(ctx)
	_ = p.WriteFieldBegin(ctx, "body", thrift.STRING, 2)
	body := e.Body
	if body == nil {
		body = []byte{} // binary fields cannot be null; always send both fields
	}
	_ = p.WriteBinary(ctx, body)
	_ = p.WriteFieldEnd(ctx)
	_ = p.WriteFieldStop(ctx)
	_ = p.WriteStructEnd(ctx)
}

// EncodeReply returns the frame of a reply carrying status.
func (c *Codec) EncodeReply(method string, seqID int32, status Status) []byte {
	ctx := context.Background()
	p := c.wp
	c.begin()
	_ = p.WriteMessageBegin(ctx, method, thrift.REPLY, seqID)
	_ = p.WriteStructBegin(ctx, method+"_result")
	_ = p.WriteFieldBegin(ctx, "success", thrift.I32, 0)
	_ = p.WriteI32(ctx, int32(status))
	_ = p.WriteFieldEnd(ctx)
	_ = p.WriteFieldStop(ctx)
	_ = p.WriteStructEnd(ctx)
	_ = p.WriteMessageEnd(ctx)
	f, _ := c.finish() // a few bytes
	return f
}

// EncodeException returns the frame of an EXCEPTION reply carrying a
// TApplicationException of type typ (thrift.INTERNAL_ERROR, ...).
func (c *Codec) EncodeException(method string, seqID int32, typ int32, msg string) []byte {
	ctx := context.Background()
	if len(msg) > maxReplyFrame/2 {
		msg = msg[:maxReplyFrame/2]
	}
	c.begin()
	_ = c.wp.WriteMessageBegin(ctx, method, thrift.EXCEPTION, seqID)
	_ = thrift.NewTApplicationException(typ, msg).Write(ctx, c.wp)
	_ = c.wp.WriteMessageEnd(ctx)
	f, _ := c.finish()
	return f
}

// TooManyEventsError is returned by DecodeCallMax for an appendBatch whose
// list declares more events than allowed; the events were not decoded.
type TooManyEventsError struct {
	// Limit is the maxEvents passed to DecodeCallMax; Declared the size
	// of the list.
	Limit, Declared int
}

// Error describes the refusal.
func (e *TooManyEventsError) Error() string {
	return fmt.Sprintf("appendBatch of %d events; at most %d are accepted", e.Declared, e.Limit)
}

// DecodeCall decodes the message of one frame (without its length). On
// error, a Call whose Method is set means the message header was read: the
// server can answer with an exception (unknown method, malformed
// arguments) and keep the connection. A Call with an empty Method means the
// bytes are not a call at all; the connection should be closed.
func (c *Codec) DecodeCall(msg []byte) (Call, error) { return c.DecodeCallMax(msg, 0) }

// DecodeCallMax is DecodeCall for a server that accepts at most maxEvents
// events per call (0: no limit): an appendBatch whose list is longer is
// refused with a *TooManyEventsError as soon as the list header is read,
// with the Call's Method and SeqID set so that it can be answered.
func (c *Codec) DecodeCallMax(msg []byte, maxEvents int) (Call, error) {
	ctx := context.Background()
	p := c.rp
	c.rt.reset(msg)
	name, typ, seq, err := p.ReadMessageBegin(ctx)
	if err != nil {
		return Call{}, fmt.Errorf("bad message header: %w", err)
	}
	if typ != thrift.CALL && typ != thrift.ONEWAY {
		return Call{}, fmt.Errorf("message %q has type %d, not CALL", name, typ)
	}
	if name == "" {
		return Call{}, errors.New("message has no method name")
	}
	call := Call{Method: name, SeqID: seq}
	var hb flume.HeaderBuffer
	switch name {
	case MethodAppend:
		c.rt.own()
		err = c.readArgs(ctx, func(id int16, t thrift.TType) (bool, error) {
			if id != 1 || t != thrift.STRUCT {
				return false, nil
			}
			e, err := c.readEvent(ctx, &hb)
			if err != nil {
				return true, err
			}
			call.Events = []flume.Event{e}
			return true, nil
		})
		if err == nil && call.Events == nil {
			err = errors.New("append: required argument 'event' is missing")
		}
	case MethodAppendBatch:
		c.rt.own()
		seen := false
		err = c.readArgs(ctx, func(id int16, t thrift.TType) (bool, error) {
			if id != 1 || t != thrift.LIST {
				return false, nil
			}
			seen = true
			et, n, err := p.ReadListBegin(ctx)
			if err != nil {
				return true, err
			}
			if et != thrift.STRUCT && n > 0 {
				return true, fmt.Errorf("appendBatch: events is a list of type %d, not of structs", et)
			}
			if maxEvents > 0 && n > maxEvents {
				return true, &TooManyEventsError{Limit: maxEvents, Declared: n}
			}
			call.Events = make([]flume.Event, 0, min(n, 4096))
			for i := range n {
				e, err := c.readEvent(ctx, &hb)
				if err != nil {
					return true, err
				}
				if i == 0 {
					// Room for the batch's headers in one allocation, if
					// the events carry about as many as the first.
					items, _ := e.EncodedHeaders()
					hb.Grow(len(items) * (n - 1))
				}
				call.Events = append(call.Events, e)
			}
			return true, p.ReadListEnd(ctx)
		})
		if err == nil && !seen {
			err = errors.New("appendBatch: required argument 'events' is missing")
		}
	default:
		err = thrift.SkipDefaultDepth(ctx, p, thrift.STRUCT)
		if err == nil {
			err = fmt.Errorf("%w: %q", errUnknownMethod, name)
		}
	}
	if err == nil {
		err = p.ReadMessageEnd(ctx)
	}
	if err != nil {
		call.Events = nil
	}
	return call, err
}

// readArgs reads an argument struct, handing each field to field, which
// reports whether it consumed the value; unknown fields are skipped.
func (c *Codec) readArgs(ctx context.Context, field func(id int16, t thrift.TType) (bool, error)) error {
	p := c.rp
	if _, err := p.ReadStructBegin(ctx); err != nil {
		return err
	}
	for {
		_, t, id, err := p.ReadFieldBegin(ctx)
		if err != nil {
			return err
		}
		if t == thrift.STOP {
			break
		}
		used, err := field(id, t)
		if err != nil {
			return err
		}
		if !used {
			if err := thrift.SkipDefaultDepth(ctx, p, t); err != nil {
				return err
			}
		}
		if err := p.ReadFieldEnd(ctx); err != nil {
			return err
		}
	}
	return p.ReadStructEnd(ctx)
}

// Reply is a decoded answer to a call.
type Reply struct {
	Method string
	SeqID  int32
	Status Status
}

// DecodeReply decodes the message of one reply frame. An EXCEPTION reply
// returns the server's thrift.TApplicationException as the error, with the
// Reply's Method and SeqID set. Any other error means the bytes are not a
// reply; the connection should be closed.
func (c *Codec) DecodeReply(msg []byte) (Reply, error) {
	ctx := context.Background()
	p := c.rp
	c.rt.reset(msg)
	name, typ, seq, err := p.ReadMessageBegin(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("bad reply header: %w", err)
	}
	r := Reply{Method: name, SeqID: seq, Status: Unknown}
	switch typ {
	case thrift.EXCEPTION:
		exc := thrift.NewTApplicationException(thrift.UNKNOWN_APPLICATION_EXCEPTION, "")
		if err := exc.Read(ctx, p); err != nil {
			return Reply{}, fmt.Errorf("bad exception reply: %w", err)
		}
		return r, exc
	case thrift.REPLY:
	default:
		return Reply{}, fmt.Errorf("message %q has type %d, not REPLY", name, typ)
	}
	found := false
	err = c.readArgs(ctx, func(id int16, t thrift.TType) (bool, error) {
		if id != 0 || t != thrift.I32 {
			return false, nil
		}
		v, err := p.ReadI32(ctx)
		r.Status, found = Status(v), true
		return true, err
	})
	if err == nil {
		err = p.ReadMessageEnd(ctx)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("bad reply: %w", err)
	}
	if !found {
		return Reply{}, fmt.Errorf("%s failed: unknown result (the reply has no status)", name)
	}
	return r, nil
}

// memTransport is the in-memory transport the protocols read frames from
// and write frames to. It implements thrift.TRichTransport, so the
// protocols use it without another wrapper, and RemainingBytes, so they
// check every length they read against the bytes left in the frame.
type memTransport struct {
	r   []byte
	off int
	w   []byte
}

func (t *memTransport) reset(b []byte) { t.r, t.off = b, 0 }

// own replaces the frame being read by a copy, so that what is decoded
// from it may alias it (the caller's frame buffer is reused).
func (t *memTransport) own() { t.r = bytes.Clone(t.r) }

func (t *memTransport) Read(p []byte) (int, error) {
	if t.off >= len(t.r) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := copy(p, t.r[t.off:])
	t.off += n
	return n, nil
}

func (t *memTransport) ReadByte() (byte, error) {
	if t.off >= len(t.r) {
		return 0, io.EOF
	}
	b := t.r[t.off]
	t.off++
	return b, nil
}

func (t *memTransport) Write(p []byte) (int, error) {
	t.w = append(t.w, p...)
	return len(p), nil
}

func (t *memTransport) WriteByte(b byte) error {
	t.w = append(t.w, b)
	return nil
}

func (t *memTransport) WriteString(s string) (int, error) {
	t.w = append(t.w, s...)
	return len(s), nil
}

func (t *memTransport) RemainingBytes() uint64      { return uint64(len(t.r) - t.off) }
func (t *memTransport) Flush(context.Context) error { return nil }
func (t *memTransport) Open() error                 { return nil }
func (t *memTransport) IsOpen() bool                { return true }
func (t *memTransport) Close() error                { return nil }

var _ thrift.TRichTransport = (*memTransport)(nil)
