package hadoopcodec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/dsnet/compress/bzip2"
	"github.com/golang/snappy"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// Codec is a Hadoop compression codec flumego can write.
type Codec struct {
	// Name is the class's simple name (GzipCodec).
	Name string
	// Class is the Java class name SequenceFile headers record.
	Class string
	// Extension is the codec's default file extension (.gz), which the
	// HDFS sink appends to file names when hdfs.fileSuffix is empty.
	Extension string

	kind kind
}

type kind uint8

const (
	zlibKind kind = iota
	gzipKind
	bzip2Kind
	snappyKind
)

const pkg = "org.apache.hadoop.io.compress."

var codecs = []*Codec{
	{Name: "DefaultCodec", Class: pkg + "DefaultCodec", Extension: ".deflate", kind: zlibKind},
	{Name: "DeflateCodec", Class: pkg + "DeflateCodec", Extension: ".deflate", kind: zlibKind},
	{Name: "GzipCodec", Class: pkg + "GzipCodec", Extension: ".gz", kind: gzipKind},
	{Name: "BZip2Codec", Class: pkg + "BZip2Codec", Extension: ".bz2", kind: bzip2Kind},
	{Name: "SnappyCodec", Class: pkg + "SnappyCodec", Extension: ".snappy", kind: snappyKind},
}

// unsupported are the codecs Hadoop (or hadoop-lzo) offers that flumego
// does not write.
var unsupported = []string{
	pkg + "Lz4Codec", pkg + "ZStandardCodec", pkg + "PassthroughCodec",
	"com.hadoop.compression.lzo.LzoCodec", "com.hadoop.compression.lzo.LzopCodec",
}

// ErrUnsupported matches Lookup's error for a Hadoop codec flumego does
// not implement (lz4, zstandard, lzo, lzop, passthrough).
var ErrUnsupported = errors.New("codec not supported")

// UnsupportedError is Lookup's error for a codec flumego recognises but
// does not write; it matches ErrUnsupported.
type UnsupportedError struct {
	// Class is the codec's class name.
	Class string
}

func (e *UnsupportedError) Error() string {
	return "the Hadoop codec " + e.Class + " is not supported (use gzip, bzip2, snappy or deflate)"
}

// Is reports whether target is ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// Lookup finds a codec as Flume's hdfs.codeC does: by class name, by simple
// name in any case (gzipcodec) or by simple name without "Codec" in any
// case (gzip, bzip2, snappy, deflate, default). "none" in any case returns
// nil, nil: no compression.
func Lookup(name string) (*Codec, error) {
	if strings.EqualFold(name, "none") {
		return nil, nil
	}
	for _, c := range codecs {
		if matches(c.Class, name) {
			return c, nil
		}
	}
	for _, class := range unsupported {
		if matches(class, name) {
			return nil, &UnsupportedError{Class: class}
		}
	}
	return nil, fmt.Errorf("unknown compression codec %q (expected gzip, bzip2, snappy, deflate, default or none, or their Hadoop class names)", name)
}

// matches is Flume's codecMatches.
func matches(class, name string) bool {
	simple := class[strings.LastIndexByte(class, '.')+1:]
	if class == name || strings.EqualFold(simple, name) {
		return true
	}
	prefix, ok := strings.CutSuffix(simple, "Codec")
	return ok && strings.EqualFold(prefix, name)
}

// Stream is a compressed output stream in the codec's Hadoop format. Data
// written goes into the current compressed unit — a zlib stream, a gzip
// member, a bzip2 stream, or Snappy blocks — which Finish completes, so
// that everything written so far can be decompressed; writing after
// Finish starts a new unit, as Hadoop's CompressionOutputStream does after
// finish() and resetState(). Readers decompress the concatenation.
type Stream interface {
	io.Writer
	// Finish completes the current unit and writes what it buffered. It
	// does nothing when nothing was written since the last Finish.
	Finish() error
}

// NewStream returns a Stream writing to w.
func (c *Codec) NewStream(w io.Writer) Stream {
	if c.kind == snappyKind {
		return &snappyStream{w: w}
	}
	return &unitStream{w: w, kind: c.kind}
}

// Compress appends data compressed as one complete unit to dst: what
// SequenceFile writes for a record-compressed value or for each buffer of
// a compressed block.
func (c *Codec) Compress(dst, data []byte) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	s := c.NewStream(buf)
	if _, err := s.Write(data); err != nil {
		return dst, err
	}
	if err := s.(interface{ finishAlways() error }).finishAlways(); err != nil {
		return dst, err
	}
	return buf.Bytes(), nil
}

// unitStream writes zlib, gzip and bzip2 units, each through a compressor
// taken from a pool for the unit and given back when it ends: a
// compressor holds about a megabyte, and the HDFS sink may have thousands
// of files open, but only the files of the current batch hold a unit.
type unitStream struct {
	w    io.Writer
	kind kind
	cur  resetter // the open unit's compressor; nil between units
}

type resetter interface {
	io.WriteCloser
	Reset(io.Writer)
}

type bzip2Writer struct{ *bzip2.Writer }

func (b bzip2Writer) Reset(w io.Writer) { _ = b.Writer.Reset(w) }

var pools = [...]sync.Pool{
	zlibKind:  {New: func() any { return zlib.NewWriter(io.Discard) }},
	gzipKind:  {New: func() any { return gzip.NewWriter(io.Discard) }},
	bzip2Kind: {New: func() any { return newBzip2() }},
}

func newBzip2() resetter {
	w, err := bzip2.NewWriter(io.Discard, &bzip2.WriterConfig{Level: bzip2.BestCompression}) // Hadoop's 900k blocks
	if err != nil {
		panic(err) // only for an invalid level
	}
	return bzip2Writer{w}
}

func (s *unitStream) start() error {
	s.cur = pools[s.kind].Get().(resetter)
	s.cur.Reset(s.w)
	return nil
}

func (s *unitStream) Write(p []byte) (int, error) {
	if s.cur == nil {
		if err := s.start(); err != nil {
			return 0, err
		}
	}
	return s.cur.Write(p)
}

func (s *unitStream) Finish() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.Close()
	s.cur.Reset(io.Discard) // drop the reference to the file's writer
	pools[s.kind].Put(s.cur)
	s.cur = nil
	return err
}

// finishAlways completes a unit even if nothing was written (an empty
// value still compresses to a unit).
func (s *unitStream) finishAlways() error {
	if s.cur == nil {
		if err := s.start(); err != nil {
			return err
		}
	}
	return s.Finish()
}

// Hadoop's BlockCompressorStream cuts Snappy input into blocks of at most
// the buffer size (io.compression.codec.snappy.buffersize, 256 KiB) less
// the compressor's worst-case overhead.
const (
	snappyBufferSize = 256 << 10
	snappyMaxInput   = snappyBufferSize - (snappyBufferSize/6 + 32)
)

// snappyStream is Hadoop's block framing of Snappy, which is neither raw
// Snappy nor the Snappy framing format: each block is the big-endian
// 32-bit length of its uncompressed data, then its compressed chunks, each
// a big-endian 32-bit length and raw Snappy data. flumego writes one
// chunk per block.
type snappyStream struct {
	w   io.Writer
	buf []byte
	out []byte
}

func (s *snappyStream) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		room := snappyMaxInput - len(s.buf)
		if room == 0 {
			if err := s.Finish(); err != nil {
				return n - len(p), err
			}
			continue
		}
		take := min(room, len(p))
		s.buf = append(s.buf, p[:take]...)
		p = p[take:]
	}
	return n, nil
}

func (s *snappyStream) Finish() error {
	if len(s.buf) == 0 {
		return nil
	}
	return s.block()
}

// finishAlways writes a block even for no data: Hadoop writes an empty
// block as its zero length alone, which readers take for the end.
func (s *snappyStream) finishAlways() error {
	if len(s.buf) == 0 {
		_, err := s.w.Write([]byte{0, 0, 0, 0})
		return err
	}
	return s.block()
}

func (s *snappyStream) block() error {
	need := 8 + snappy.MaxEncodedLen(len(s.buf))
	if cap(s.out) < need {
		s.out = make([]byte, need)
	}
	out := s.out[:need]
	enc := snappy.Encode(out[8:], s.buf)
	binary.BigEndian.PutUint32(out[0:], uint32(len(s.buf)))
	binary.BigEndian.PutUint32(out[4:], uint32(len(enc)))
	s.buf = s.buf[:0]
	_, err := s.w.Write(out[:8+len(enc)])
	return err
}
