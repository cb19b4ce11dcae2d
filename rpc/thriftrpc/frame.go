package thriftrpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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
}

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
			return 0, fmt.Errorf("connection closed inside a frame header: %w", io.ErrUnexpectedEOF)
		}
		return 0, err
	}
	size := binary.BigEndian.Uint32(f.hdr[:])
	if size == 0 || size > uint32(f.max) {
		return 0, &FrameError{Size: size, Max: f.max, Hint: hint(f.hdr)}
	}
	return int(size), nil
}

// readBody reads the size bytes of a frame announced by readHeader. The
// returned slice is valid until the next readBody.
func (f *frameReader) readBody(size int) ([]byte, error) {
	if cap(f.buf) > f.keep && size <= f.keep {
		f.buf = nil
	}
	if cap(f.buf) < size {
		f.buf = make([]byte, size)
	}
	b := f.buf[:size]
	if n, err := io.ReadFull(f.r, b); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("connection closed after %d of %d bytes of a frame: %w", n, size, io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	return b, nil
}

// readFrame reads one whole frame.
func (f *frameReader) readFrame() ([]byte, error) {
	size, err := f.readHeader()
	if err != nil {
		return nil, err
	}
	return f.readBody(size)
}
