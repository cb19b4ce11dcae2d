package avrofile

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/flumego/flume/internal/avrobin"
	"github.com/flumego/flume/internal/javamap"
	"github.com/golang/snappy"
)

// Codec names, as written in the avro.codec metadata.
const (
	CodecNull    = "null"
	CodecDeflate = "deflate"
	CodecSnappy  = "snappy"
)

// Magic starts every object container file.
var Magic = []byte{'O', 'b', 'j', 1}

// Sync interval bounds, Java's DataFileWriter.setSyncInterval.
const (
	MinSyncInterval = 32
	MaxSyncInterval = 1 << 30
)

// Options configure a Writer.
type Options struct {
	// Schema is the writer schema, as JSON; written as avro.schema.
	Schema string
	// Codec is CodecNull, CodecDeflate or CodecSnappy; "" writes
	// uncompressed blocks without an avro.codec entry (which readers take
	// as null), as Java does when the configured codec was not recognised.
	Codec string
	// SyncInterval is the uncompressed block size, in bytes, at which a
	// block is written without waiting for Flush (MinSyncInterval to
	// MaxSyncInterval).
	SyncInterval int
	// Meta holds more file metadata entries (Flume's spooling directory
	// tracker stores its target file as "file"). Keys starting with
	// "avro." are reserved: NewWriter refuses them.
	Meta map[string]string
}

// Writer writes one object container file. It is not safe for concurrent
// use.
type Writer struct {
	w     io.Writer
	opts  Options
	sync  [16]byte
	block []byte        // the current block's uncompressed datums
	count int64         // datums in block
	frame []byte        // scratch: the framed block
	comp  bytes.Buffer  // deflate output
	fw    *flate.Writer // reused across blocks
	snap  []byte        // snappy output
}

// NewWriter returns a writer to w. Nothing is written until WriteHeader.
func NewWriter(w io.Writer, opts Options) (*Writer, error) {
	switch opts.Codec {
	case "", CodecNull, CodecDeflate, CodecSnappy:
	default:
		return nil, fmt.Errorf("avro container: unsupported codec %q", opts.Codec)
	}
	for k := range opts.Meta {
		if strings.HasPrefix(k, "avro.") {
			return nil, fmt.Errorf("avro container: metadata key %q is reserved", k)
		}
	}
	if opts.SyncInterval < MinSyncInterval || opts.SyncInterval > MaxSyncInterval {
		return nil, fmt.Errorf("avro container: sync interval %d out of range [%d, %d]", opts.SyncInterval, MinSyncInterval, MaxSyncInterval)
	}
	wr := &Writer{w: w, opts: opts}
	if _, err := rand.Read(wr.sync[:]); err != nil {
		return nil, fmt.Errorf("avro container: sync marker: %w", err)
	}
	return wr, nil
}

// Sync returns the file's sync marker.
func (w *Writer) Sync() [16]byte { return w.sync }

// WriteHeader writes the magic, the metadata and the sync marker.
func (w *Writer) WriteHeader() error {
	meta := map[string]string{"avro.schema": w.opts.Schema}
	for k, v := range w.opts.Meta {
		meta[k] = v
	}
	if w.opts.Codec != "" {
		meta["avro.codec"] = w.opts.Codec
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	javamap.Order(keys)
	b := append([]byte(nil), Magic...)
	b = avrobin.AppendLong(b, int64(len(keys)))
	for _, k := range keys {
		b = avrobin.AppendString(b, k)
		b = avrobin.AppendBytes(b, []byte(meta[k]))
	}
	b = append(b, 0)
	b = append(b, w.sync[:]...)
	_, err := w.w.Write(b)
	return err
}

// Append adds one datum, which encode appends to the buffer it is given
// (and returns, like append). When the block reaches the sync interval it
// is written.
func (w *Writer) Append(encode func(dst []byte) []byte) error {
	w.block = encode(w.block)
	w.count++
	if len(w.block) >= w.opts.SyncInterval {
		return w.Flush()
	}
	return nil
}

// Buffered returns the uncompressed size of the datums not yet written.
func (w *Writer) Buffered() int { return len(w.block) }

// Flush writes the pending datums as one block, if there are any.
func (w *Writer) Flush() error {
	if w.count == 0 {
		return nil
	}
	data, err := w.compress(w.block)
	if err != nil {
		return err
	}
	f := avrobin.AppendLong(w.frame[:0], w.count)
	f = avrobin.AppendLong(f, int64(len(data)))
	f = append(f, data...)
	f = append(f, w.sync[:]...)
	w.frame = f
	w.block, w.count = w.block[:0], 0
	_, err = w.w.Write(f)
	return err
}

func (w *Writer) compress(raw []byte) ([]byte, error) {
	switch w.opts.Codec {
	case CodecDeflate:
		w.comp.Reset()
		if w.fw == nil {
			fw, err := flate.NewWriter(&w.comp, flate.DefaultCompression)
			if err != nil {
				return nil, err
			}
			w.fw = fw
		} else {
			w.fw.Reset(&w.comp)
		}
		if _, err := w.fw.Write(raw); err != nil {
			return nil, err
		}
		if err := w.fw.Close(); err != nil {
			return nil, err
		}
		return w.comp.Bytes(), nil
	case CodecSnappy:
		if n := snappy.MaxEncodedLen(len(raw)) + 4; cap(w.snap) < n {
			w.snap = make([]byte, n)
		}
		out := snappy.Encode(w.snap[:cap(w.snap)], raw)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(raw)), nil
	}
	return raw, nil
}
