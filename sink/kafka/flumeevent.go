package kafka

import (
	"errors"
	"fmt"
	"sort"

	"github.com/flumego/flume"
)

// AppendFlumeEvent appends e to dst as one Avro binary datum of Flume's
// AvroFlumeEvent record, the value format of useFlumeEventFormat = true
// (and of the Kafka channel's parseAsFlumeEvent):
//
//	{"type":"record","name":"AvroFlumeEvent","fields":[
//	  {"name":"headers","type":{"type":"map","values":"string"}},
//	  {"name":"body","type":"bytes"}]}
//
// No container, schema or length prefix: the header map as one block
// (count, then key and value strings, then 0) or a single 0 when empty, then
// the body as bytes. Headers are written in sorted order, so equal events
// encode equally. keys is scratch space (may be nil) and is returned for
// reuse.
func AppendFlumeEvent(dst []byte, e flume.Event, keys []string) ([]byte, []string) {
	if n := len(e.Headers); n > 0 {
		keys = keys[:0]
		for k := range e.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		dst = appendLong(dst, int64(n))
		for _, k := range keys {
			dst = appendString(dst, k)
			dst = appendString(dst, e.Headers[k])
		}
	}
	dst = append(dst, 0)
	dst = appendLong(dst, int64(len(e.Body)))
	return append(dst, e.Body...), keys
}

// flumeEventSize returns an upper bound of the encoded size of e.
func flumeEventSize(e flume.Event) int {
	n := 1 + 10 + len(e.Body) + 10
	for k, v := range e.Headers {
		n += 20 + len(k) + len(v)
	}
	return n
}

func appendLong(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63) // zig-zag
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

func appendString(dst []byte, s string) []byte {
	dst = appendLong(dst, int64(len(s)))
	return append(dst, s...)
}

// errTruncated reports a datum that ends early.
var errTruncated = errors.New("avro: truncated AvroFlumeEvent")

// DecodeFlumeEvent decodes one Avro binary AvroFlumeEvent datum, as
// Flume's Kafka source and channel read the values this sink writes with
// useFlumeEventFormat. It accepts every block layout Avro allows (several
// blocks, negative counts with byte sizes) and is bounded by the input: no
// count or length may claim more than the bytes left. Trailing bytes are an
// error.
func DecodeFlumeEvent(data []byte) (flume.Event, error) {
	d := decoder{buf: data}
	var e flume.Event
	for {
		n, err := d.long()
		if err != nil {
			return flume.Event{}, err
		}
		if n == 0 {
			break
		}
		if n < 0 {
			if n == -1<<63 {
				return flume.Event{}, errors.New("avro: bad map block count")
			}
			n = -n
			if _, err := d.long(); err != nil { // block size in bytes
				return flume.Event{}, err
			}
		}
		if n > int64(len(d.buf)-d.off)/2 { // each entry takes at least two bytes
			return flume.Event{}, fmt.Errorf("avro: map block of %d entries in %d bytes", n, len(d.buf)-d.off)
		}
		if e.Headers == nil {
			e.Headers = make(map[string]string, n)
		}
		for ; n > 0; n-- {
			k, err := d.bytes()
			if err != nil {
				return flume.Event{}, err
			}
			v, err := d.bytes()
			if err != nil {
				return flume.Event{}, err
			}
			e.Headers[string(k)] = string(v)
		}
	}
	body, err := d.bytes()
	if err != nil {
		return flume.Event{}, err
	}
	e.Body = append([]byte{}, body...)
	if d.off != len(d.buf) {
		return flume.Event{}, fmt.Errorf("avro: %d bytes after the AvroFlumeEvent", len(d.buf)-d.off)
	}
	return e, nil
}

type decoder struct {
	buf []byte
	off int
}

func (d *decoder) long() (int64, error) {
	var u uint64
	for shift := uint(0); ; shift += 7 {
		if d.off >= len(d.buf) {
			return 0, errTruncated
		}
		if shift >= 64 {
			return 0, errors.New("avro: varint longer than 10 bytes")
		}
		b := d.buf[d.off]
		d.off++
		u |= uint64(b&0x7f) << shift
		if b < 0x80 {
			break
		}
	}
	return int64(u>>1) ^ -int64(u&1), nil
}

func (d *decoder) bytes() ([]byte, error) {
	n, err := d.long()
	if err != nil {
		return nil, err
	}
	if n < 0 || n > int64(len(d.buf)-d.off) {
		return nil, fmt.Errorf("avro: length %d with %d bytes left", n, len(d.buf)-d.off)
	}
	b := d.buf[d.off : d.off+int(n)]
	d.off += int(n)
	return b, nil
}
