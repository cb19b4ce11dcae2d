package thriftrpc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/flumego/flume"
)

// The ThriftFlumeEvent struct is read straight from the frame rather than
// through thrift.TProtocol, whose ReadString and ReadBinary copy every
// header name, value and body into an allocation of its own: bodies alias
// the codec's copy of the frame, and the headers of a whole batch are
// encoded into one flume.HeaderBuffer. Fields the struct does not
// define are skipped with thrift.SkipDefaultDepth on the same transport, so
// the two readers never disagree about the position.

// Compact protocol type nibbles (TCompactProtocol's tCompactType).
const (
	compactBoolTrue  = 1
	compactBoolFalse = 2
	compactBinary    = 8
	compactMap       = 11
	compactStruct    = 12
)

// compactTypes maps the compact type nibbles to thrift.TType.
var compactTypes = [...]thrift.TType{
	compactBoolTrue: thrift.BOOL, compactBoolFalse: thrift.BOOL, 3: thrift.BYTE, 4: thrift.I16, 5: thrift.I32,
	6: thrift.I64, 7: thrift.DOUBLE, compactBinary: thrift.STRING, 9: thrift.LIST, 10: thrift.SET,
	compactMap: thrift.MAP, 12: thrift.STRUCT, 13: thrift.UUID,
}

// compactType returns the thrift.TType of a compact type nibble, STOP for
// one that has none.
func compactType(nibble byte) thrift.TType {
	if int(nibble) < len(compactTypes) {
		return compactTypes[nibble]
	}
	return thrift.STOP
}

var errEventTruncated = errors.New("ThriftFlumeEvent: the frame ends inside the event")

// readEvent reads one ThriftFlumeEvent, its headers into hb. Both fields
// are required, as in Java's generated validate(): an event without
// headers or body is refused. A header name the map carries twice gets its
// last value, as in Java's HashMap; a field sent twice keeps the last.
func (c *Codec) readEvent(ctx context.Context, hb *flume.HeaderBuffer) (flume.Event, error) {
	var e flume.Event
	var err error
	haveHeaders, haveBody := false, false
	t := &c.rt
	lastID := int16(0)
	for {
		var typ thrift.TType
		var id int16
		if c.proto == Compact {
			b, err := t.ReadByte()
			if err != nil {
				return e, errEventTruncated
			}
			if b == 0 {
				break // STOP
			}
			if typ = compactType(b & 0x0f); typ == thrift.STOP {
				return e, fmt.Errorf("ThriftFlumeEvent: unknown compact type %d", b&0x0f)
			}
			if delta := int16(b >> 4); delta != 0 {
				id = lastID + delta
			} else {
				v, err := t.uvarint()
				if err != nil {
					return e, err
				}
				id = int16(int32(v>>1) ^ -int32(v&1)) // zigzag, as ReadI16
			}
			lastID = id
		} else {
			b, err := t.ReadByte()
			if err != nil {
				return e, errEventTruncated
			}
			if b == 0 {
				break // STOP
			}
			typ = thrift.TType(b)
			hi, err := t.fixed(2)
			if err != nil {
				return e, err
			}
			id = int16(binary.BigEndian.Uint16(hi))
		}
		switch {
		case id == 1 && typ == thrift.MAP:
			hb.Discard() // a second headers field replaces the first, as in Java
			if err := c.readHeaders(hb); err != nil {
				hb.Discard()
				return e, err
			}
			haveHeaders = true
		case id == 2 && typ == thrift.STRING:
			if e.Body, err = t.binary(c.proto); err != nil {
				hb.Discard()
				return e, err
			}
			haveBody = true
		case c.proto == Compact && typ == thrift.BOOL:
			// A compact bool field's value is its type nibble: nothing to skip.
		default:
			if err := thrift.SkipDefaultDepth(ctx, c.rp, typ); err != nil {
				hb.Discard()
				return e, err
			}
		}
	}
	switch {
	case !haveHeaders:
		hb.Discard()
		return e, errors.New("required field 'headers' was not present in ThriftFlumeEvent")
	case !haveBody:
		hb.Discard()
		return e, errors.New("required field 'body' was not present in ThriftFlumeEvent")
	}
	hb.Attach(&e)
	return e, nil
}

// readHeaders reads the headers map<string,string> into hb's pending
// event.
func (c *Codec) readHeaders(hb *flume.HeaderBuffer) error {
	t := &c.rt
	var n uint64
	var kt, vt thrift.TType
	if c.proto == Compact {
		v, err := t.uvarint()
		if err != nil {
			return err
		}
		n = v
		if n > 0 {
			kv, err := t.ReadByte()
			if err != nil {
				return errEventTruncated
			}
			kt, vt = compactType(kv>>4), compactType(kv&0x0f)
		}
	} else {
		b, err := t.fixed(6)
		if err != nil {
			return err
		}
		kt, vt = thrift.TType(b[0]), thrift.TType(b[1])
		size := int32(binary.BigEndian.Uint32(b[2:]))
		if size < 0 {
			return fmt.Errorf("ThriftFlumeEvent.headers: negative map size %d", size)
		}
		n = uint64(size)
	}
	if n > 0 && (kt != thrift.STRING || vt != thrift.STRING) {
		return fmt.Errorf("ThriftFlumeEvent.headers must be map<string,string>, not map<%d,%d>", kt, vt)
	}
	// Every entry takes 2 bytes at least.
	if n > t.RemainingBytes()/2 {
		return fmt.Errorf("ThriftFlumeEvent.headers: %d entries cannot fit in the %d bytes left", n, t.RemainingBytes())
	}
	for range n {
		k, err := t.binary(c.proto)
		if err != nil {
			return err
		}
		v, err := t.binary(c.proto)
		if err != nil {
			return err
		}
		hb.Add(str(k), str(v))
	}
	return nil
}

// str returns b as a string sharing its memory, for HeaderBuffer.Add,
// which copies it.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// uvarint reads an unsigned varint of at most 10 bytes.
func (t *memTransport) uvarint() (uint64, error) {
	v, n := binary.Uvarint(t.r[t.off:])
	switch {
	case n == 0:
		return 0, errEventTruncated
	case n < 0:
		return 0, errors.New("ThriftFlumeEvent: varint overflows 64 bits")
	}
	t.off += n
	return v, nil
}

// fixed returns the next n bytes.
func (t *memTransport) fixed(n int) ([]byte, error) {
	if len(t.r)-t.off < n {
		return nil, errEventTruncated
	}
	b := t.r[t.off : t.off+n : t.off+n]
	t.off += n
	return b, nil
}

// binary reads a string or binary value of protocol p; the result aliases
// the frame, its capacity capped.
func (t *memTransport) binary(p Protocol) ([]byte, error) {
	var n uint64
	if p == Compact {
		v, err := t.uvarint()
		if err != nil {
			return nil, err
		}
		if v > 1<<31-1 {
			return nil, fmt.Errorf("ThriftFlumeEvent: string length %d out of range", v)
		}
		n = v
	} else {
		b, err := t.fixed(4)
		if err != nil {
			return nil, err
		}
		l := int32(binary.BigEndian.Uint32(b))
		if l < 0 {
			return nil, fmt.Errorf("ThriftFlumeEvent: negative string length %d", l)
		}
		n = uint64(l)
	}
	if n > t.RemainingBytes() {
		return nil, fmt.Errorf("ThriftFlumeEvent: a string of %d bytes, %d left in the frame", n, t.RemainingBytes())
	}
	return t.fixed(int(n))
}
