package avrorpc

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// DefaultMaxFrameSize bounds the payload of one pack (the concatenation of
// its buffers): 256 MiB. Java has no limit besides its heap; a Flume batch
// is far smaller. Memory is allocated as bytes arrive: a claimed length
// reserves at most 4 MiB (growStep) beyond the bytes received, so a
// hostile peer costs at most what it sends plus 4 MiB per connection.
const DefaultMaxFrameSize = 256 << 20

// ErrFrame is wrapped by every framing error (bad counts, lengths, sizes).
var ErrFrame = errors.New("bad avro netty frame")

// FrameReader reads Netty-framed packs:
//
//	int32 serial, int32 count, count × (int32 length, length bytes)
//
// all big-endian. A pack's payload is the concatenation of its buffers.
type FrameReader struct {
	r   *bufio.Reader
	max int
	hdr [8]byte
}

// NewFrameReader returns a reader of packs from r whose payloads may not
// exceed maxSize bytes (DefaultMaxFrameSize when maxSize <= 0).
func NewFrameReader(r io.Reader, maxSize int) *FrameReader {
	if maxSize <= 0 {
		maxSize = DefaultMaxFrameSize
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &FrameReader{r: br, max: maxSize}
}

// Buffered returns the number of bytes read from the connection but not
// yet consumed: the start of a request sent right after the previous one.
func (f *FrameReader) Buffered() int { return f.r.Buffered() }

// growStep bounds how far ahead of the received data the payload buffer is
// grown for a buffer whose claimed length is large.
const growStep = 4 << 20

// ReadFrame reads one pack and returns its serial and payload. The payload
// is appended to buf[:0]; pass nil to get a freshly allocated payload that
// the caller may keep (and share) after the next call.
func (f *FrameReader) ReadFrame(buf []byte) (serial int32, payload []byte, err error) {
	if _, err := io.ReadFull(f.r, f.hdr[:8]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return 0, nil, truncated(err)
		}
		return 0, nil, err // io.EOF: the peer closed between packs
	}
	serial = int32(binary.BigEndian.Uint32(f.hdr[0:4]))
	count := int32(binary.BigEndian.Uint32(f.hdr[4:8]))
	if count <= 0 {
		return serial, nil, fmt.Errorf("%w: pack %d has %d buffers (at least one required)", ErrFrame, serial, count)
	}
	if int64(count)*4 > int64(f.max)+4 {
		return serial, nil, fmt.Errorf("%w: pack %d has %d buffers, more than a %d-byte pack can hold", ErrFrame, serial, count, f.max)
	}
	payload = buf[:0]
	for i := int32(0); i < count; i++ {
		if _, err := io.ReadFull(f.r, f.hdr[:4]); err != nil {
			return serial, nil, truncated(err)
		}
		n := int32(binary.BigEndian.Uint32(f.hdr[0:4]))
		if n < 0 {
			return serial, nil, fmt.Errorf("%w: pack %d buffer %d has negative length %d", ErrFrame, serial, i, n)
		}
		if int64(len(payload))+int64(n) > int64(f.max) {
			return serial, nil, fmt.Errorf("%w: pack %d is larger than the %d-byte limit", ErrFrame, serial, f.max)
		}
		if buf == nil && i == 0 && n <= growStep {
			// A single buffer gets an exact allocation; Java's first buffer
			// is the small [handshake, metadata, name] and the params follow.
			if count == 1 {
				payload = make([]byte, 0, n)
			} else {
				payload = make([]byte, 0, int(n)+64)
			}
		}
		for remaining := int(n); remaining > 0; {
			step := min(remaining, growStep)
			start := len(payload)
			// Room for the rest of the pack if the buffers still to come
			// are as large as this one: Java sends a small first buffer
			// (handshake, metadata, name) and then the params as Avro's
			// 8 KiB buffers, all full but the last, so the pack gets one
			// allocation of about its size where doubling would allocate
			// twice its size in six steps. Never more than growStep beyond
			// what has arrived.
			rest := int64(remaining) + int64(count-1-i)*int64(n)
			payload = grow(payload, step, start+int(min(rest, growStep)))
			if _, err := io.ReadFull(f.r, payload[start:start+step]); err != nil {
				return serial, nil, truncated(err)
			}
			remaining -= step
		}
	}
	if buf == nil && cap(payload)-len(payload) > max(len(payload), 4<<10) {
		// The buffers after this one's were smaller than it: the events
		// decoded from the payload would keep the unused room alive.
		payload = append(make([]byte, 0, len(payload)), payload...)
	}
	return serial, payload, nil
}

func truncated(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: truncated pack: %w", ErrFrame, err)
}

// grow extends b by n bytes. When it must reallocate, the new capacity is
// the larger of hint, twice the old capacity and what n needs.
func grow(b []byte, n, hint int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	c := max(2*cap(b), len(b)+n, hint)
	g := make([]byte, len(b)+n, c)
	copy(g, b)
	return g
}

// frameHeaderSize is the size of a single-buffer pack's header.
const frameHeaderSize = 12

// putFrameHeader writes the header of a single-buffer pack of n payload
// bytes into hdr[:12].
func putFrameHeader(hdr []byte, serial int32, n int) {
	binary.BigEndian.PutUint32(hdr[0:4], uint32(serial))
	binary.BigEndian.PutUint32(hdr[4:8], 1)
	binary.BigEndian.PutUint32(hdr[8:12], uint32(n))
}

// AppendFrame appends a pack holding bufs as separate buffers (a sender may
// split a message anywhere; one buffer is the usual choice).
func AppendFrame(dst []byte, serial int32, bufs ...[]byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(serial))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(bufs)))
	for _, b := range bufs {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
		dst = append(dst, b...)
	}
	return dst
}

// frameWriter writes single-buffer packs: with writev on a plain TCP
// connection, else through a buffer so that a pack is one write (one TLS
// record run, one deflate sync flush).
type frameWriter struct {
	w   io.Writer
	bw  *bufio.Writer // nil on a plain TCP connection
	hdr [frameHeaderSize]byte
}

func newFrameWriter(c net.Conn) *frameWriter {
	switch c.(type) {
	case *net.TCPConn, *deflateConn:
		return &frameWriter{w: c}
	}
	return &frameWriter{w: c, bw: bufio.NewWriterSize(c, 32<<10)}
}

// write sends one pack: pre (when not empty) and payload as its buffers.
func (f *frameWriter) write(serial int32, pre, payload []byte) error {
	hdr := f.hdr[:frameHeaderSize]
	if len(pre) > 0 {
		binary.BigEndian.PutUint32(hdr[0:4], uint32(serial))
		binary.BigEndian.PutUint32(hdr[4:8], 2)
		binary.BigEndian.PutUint32(hdr[8:12], uint32(len(pre)))
		var lenB [4]byte
		binary.BigEndian.PutUint32(lenB[:], uint32(len(payload)))
		pre = append(append([]byte(nil), pre...), lenB[:]...)
	} else {
		putFrameHeader(hdr, serial, len(payload))
	}
	if d, ok := f.w.(*deflateConn); ok {
		for _, b := range [][]byte{hdr, pre, payload} {
			if _, err := d.zw.Write(b); err != nil {
				return err
			}
		}
		return d.zw.Flush()
	}
	if f.bw == nil {
		bufs := net.Buffers{hdr, pre, payload}
		_, err := bufs.WriteTo(f.w)
		return err
	}
	f.bw.Write(hdr)
	f.bw.Write(pre)
	f.bw.Write(payload)
	return f.bw.Flush()
}
