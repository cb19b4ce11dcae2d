package thriftrpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// FrameError reports a frame the reader refused before reading its body:
// too large, or not a frame at all (an unframed Thrift client, a TLS client
// on a plain port, an HTTP request). The connection cannot be resynchronised
// and is closed.
type FrameError struct {
	// Size is the length the 4-byte prefix announced.
	Size uint32
	// Max is the configured limit.
	Max int
	// Hint guesses what the peer is speaking, when the prefix is
	// recognisable.
	Hint string
}

// Error describes the frame and what the peer seems to speak.
func (e *FrameError) Error() string {
	msg := fmt.Sprintf("frame of %d bytes exceeds the limit of %d bytes", e.Size, e.Max)
	if e.Size == 0 {
		msg = "empty frame"
	}
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// hint guesses what a peer that sent prefix instead of a frame length is
// speaking.
func hint(prefix [4]byte) string {
	switch {
	case prefix[0] == 0x80 && prefix[1] == 0x01:
		return "the client speaks unframed binary Thrift; Flume's thrift source needs TFramedTransport"
	case prefix[0] == 0x82 && prefix[1]&0x1f == 0x01:
		return "the client speaks unframed compact Thrift; Flume's thrift source needs TFramedTransport"
	case prefix[0] == 0x16 && prefix[1] == 0x03:
		return "the client speaks TLS but ssl is off on this source"
	case string(prefix[:]) == "GET " || string(prefix[:]) == "POST" || string(prefix[:]) == "PUT " || string(prefix[:]) == "HEAD":
		return "the client speaks HTTP"
	}
	return ""
}

// errTruncated marks a frame the peer began and did not finish sending
// (it closed the connection, or it broke).
var errTruncated = errors.New("frame cut short")

// frameReader reads length-prefixed frames into a reusable buffer.
type frameReader struct {
	r io.Reader
	// started, when set, is called once the first byte of a frame has
	// arrived: from then on the peer is sending a frame, not idling.
	started func()
	max     int
	hdr     [4]byte
	buf     []byte
	// keep is the largest buffer kept between frames; a larger frame's
	// buffer is dropped after use so idle connections stay small.
	keep int
	// pool, when set, lends the frame buffers: a buffer is held from
	// readBody to release only, so connections between frames hold none.
	pool *sync.Pool
	lent *[]byte
}

// maxPooledFrame is the largest buffer returned to a pool.
const maxPooledFrame = 4 << 20

func newFrameReader(r io.Reader, max int) *frameReader {
	if max <= 0 {
		max = DefaultMaxFrameSize
	}
	return &frameReader{r: r, max: max, keep: 1 << 20}
}

// readHeader reads the 4-byte length of the next frame. A clean end of
// stream before the first byte is io.EOF.
func (f *frameReader) readHeader() (int, error) {
	if _, err := io.ReadFull(f.r, f.hdr[:1]); err != nil {
		return 0, err
	}
	if f.started != nil {
		f.started()
	}
	if _, err := io.ReadFull(f.r, f.hdr[1:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, fmt.Errorf("%w: connection closed inside a frame header: %w", errTruncated, err)
	}
	size := binary.BigEndian.Uint32(f.hdr[:])
	if size == 0 || size > uint32(f.max) {
		return 0, &FrameError{Size: size, Max: f.max, Hint: hint(f.hdr)}
	}
	return int(size), nil
}

// readBody reads the size bytes of a frame announced by readHeader. The
// returned slice is valid until the next readBody (or release). The buffer
// grows as bytes arrive, not as announced: a peer that announces a large
// frame and sends little costs little memory.
func (f *frameReader) readBody(size int) ([]byte, error) {
	switch {
	case f.pool != nil:
		f.release()
		bp, _ := f.pool.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
		}
		f.lent, f.buf = bp, *bp
	case cap(f.buf) > f.keep && size <= f.keep:
		f.buf = nil
	}
	b := f.buf[:0]
	for len(b) < size {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(size, max(2*cap(b), 64<<10)))
			copy(nb, b)
			b = nb
		}
		n, err := f.r.Read(b[len(b):min(cap(b), size)])
		b = b[:len(b)+n]
		if err != nil && len(b) < size {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			f.keepBuf(b)
			return nil, fmt.Errorf("%w: connection closed after %d of %d bytes of a frame: %w", errTruncated, len(b), size, err)
		}
	}
	f.keepBuf(b)
	return b, nil
}

// keepBuf remembers b's array for the next frame (or the pool).
func (f *frameReader) keepBuf(b []byte) {
	f.buf = b[:0]
	if f.lent != nil {
		*f.lent = f.buf
	}
}

// release returns a lent buffer to the pool; the last frame is no longer
// valid afterwards.
func (f *frameReader) release() {
	if f.lent == nil {
		return
	}
	if cap(*f.lent) <= maxPooledFrame {
		f.pool.Put(f.lent)
	}
	f.lent, f.buf = nil, nil
}

// readFrame reads one whole frame.
func (f *frameReader) readFrame() ([]byte, error) {
	size, err := f.readHeader()
	if err != nil {
		return nil, err
	}
	return f.readBody(size)
}
