package seqfile

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/flumego/flume/internal/hadoopcodec"
)

// Hadoop Writable class names.
const (
	LongWritable  = "org.apache.hadoop.io.LongWritable"
	BytesWritable = "org.apache.hadoop.io.BytesWritable"
	Text          = "org.apache.hadoop.io.Text"
)

// Compression is a SequenceFile's compression type.
type Compression uint8

// The compression types of SequenceFile.CompressionType.
const (
	None   Compression = iota
	Record             // each value compressed on its own
	Block              // keys and values compressed in blocks
)

// Hadoop's defaults.
const (
	// version is the format version Hadoop writes: 6, with metadata and
	// the codec's class name.
	version = 6
	// DefaultSyncInterval is Hadoop 3's SequenceFile.SYNC_INTERVAL (100
	// KiB; Hadoop 2 had 2,000 bytes): a sync marker goes before the first
	// record at least this many bytes after the previous one.
	DefaultSyncInterval = 5 * 1024 * (4 + syncSize)
	// DefaultBlockSize is io.seqfile.compress.blocksize: a block is
	// written once its uncompressed keys and values reach it.
	DefaultBlockSize = 1_000_000
	syncSize         = 16
)

// Options describe a SequenceFile.
type Options struct {
	// KeyClass and ValueClass are the Writable class names in the header;
	// the caller serializes keys and values accordingly.
	KeyClass, ValueClass string
	// Compression and Codec: Codec is required unless Compression is
	// None.
	Compression Compression
	Codec       *hadoopcodec.Codec
	// Metadata are header entries (name, value); Flume writes none.
	Metadata [][2]string
	// SyncInterval and BlockSize default to Hadoop's.
	SyncInterval int
	BlockSize    int
	// Sync is the file's sync marker; zero picks a random one, as Hadoop
	// does.
	Sync [syncSize]byte
}

// Writer writes a SequenceFile to an io.Writer, laid out byte for byte as
// Hadoop's SequenceFile.Writer lays it out (only the random sync marker
// and, for compressed files, the compressor's choices differ). It is not
// safe for concurrent use.
type Writer struct {
	w        io.Writer
	o        Options
	pos      int64 // bytes written to w
	lastSync int64
	scratch  []byte
	cbuf     []byte // a compressed block buffer
	err      error

	// Block: the buffered records.
	records                      int
	keyLens, keys, valLens, vals []byte
}

// NewWriter writes a SequenceFile header to w and returns a writer for its
// records.
func NewWriter(w io.Writer, o Options) (*Writer, error) {
	if o.KeyClass == "" || o.ValueClass == "" {
		return nil, errors.New("seqfile: key and value classes are required")
	}
	if o.Compression != None && o.Codec == nil {
		return nil, errors.New("seqfile: compression needs a codec")
	}
	if o.Compression > Block {
		return nil, fmt.Errorf("seqfile: unknown compression type %d", o.Compression)
	}
	if o.SyncInterval <= 0 {
		o.SyncInterval = DefaultSyncInterval
	}
	if o.BlockSize <= 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.Sync == ([syncSize]byte{}) {
		if _, err := rand.Read(o.Sync[:]); err != nil {
			return nil, fmt.Errorf("seqfile: sync marker: %w", err)
		}
	}
	sw := &Writer{w: w, o: o}
	h := append(sw.scratch[:0], 'S', 'E', 'Q', version)
	h = appendText(h, o.KeyClass)
	h = appendText(h, o.ValueClass)
	h = append(h, boolByte(o.Compression != None), boolByte(o.Compression == Block))
	if o.Compression != None {
		h = appendText(h, o.Codec.Class)
	}
	h = binary.BigEndian.AppendUint32(h, uint32(len(o.Metadata)))
	for _, kv := range o.Metadata {
		h = appendText(h, kv[0])
		h = appendText(h, kv[1])
	}
	h = append(h, o.Sync[:]...)
	sw.scratch = h
	if err := sw.write(h); err != nil {
		return nil, err
	}
	return sw, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// SyncMarker returns the file's sync marker.
func (w *Writer) SyncMarker() [syncSize]byte { return w.o.Sync }

// Len returns the number of bytes written to the underlying writer.
func (w *Writer) Len() int64 { return w.pos }

func (w *Writer) write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	n, err := w.w.Write(p)
	w.pos += int64(n)
	if err != nil {
		w.err = fmt.Errorf("seqfile: %w", err)
	}
	return w.err
}

// Append adds a record: key and value are the serialized Writables of the
// header's classes (see AppendLong, AppendBytes, AppendText).
func (w *Writer) Append(key, value []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.o.Compression == Block {
		w.keyLens = AppendVInt(w.keyLens, int64(len(key)))
		w.keys = append(w.keys, key...)
		w.valLens = AppendVInt(w.valLens, int64(len(value)))
		w.vals = append(w.vals, value...)
		w.records++
		if len(w.keys)+len(w.vals) >= w.o.BlockSize {
			return w.Sync()
		}
		return nil
	}
	if w.pos >= w.lastSync+int64(w.o.SyncInterval) {
		if err := w.writeSync(); err != nil {
			return err
		}
	}
	rec := w.scratch[:0]
	rec = append(rec, 0, 0, 0, 0, 0, 0, 0, 0) // the lengths, set below
	rec = append(rec, key...)
	if w.o.Compression == Record {
		var err error
		if rec, err = w.o.Codec.Compress(rec, value); err != nil {
			w.err = fmt.Errorf("seqfile: compress: %w", err)
			return w.err
		}
	} else {
		rec = append(rec, value...)
	}
	binary.BigEndian.PutUint32(rec[0:], uint32(len(rec)-8))
	binary.BigEndian.PutUint32(rec[4:], uint32(len(key)))
	w.scratch = rec
	return w.write(rec)
}

// writeSync writes the sync escape and marker, unless one was just
// written.
func (w *Writer) writeSync() error {
	if w.pos == w.lastSync {
		return nil
	}
	b := append(w.scratch[:0], 0xff, 0xff, 0xff, 0xff) // the escape, -1
	b = append(b, w.o.Sync[:]...)
	w.scratch = b
	if err := w.write(b); err != nil {
		return err
	}
	w.lastSync = w.pos
	return nil
}

// Sync is Hadoop's Writer.sync(), which Flume calls before each hflush:
// it writes a sync marker (unless one was just written) or, for block
// compression, the buffered records as a block (a sync marker, the record
// count, then the compressed key lengths, keys, value lengths and values).
// Everything appended so far is then in the underlying writer.
func (w *Writer) Sync() error {
	if w.err != nil {
		return w.err
	}
	if w.o.Compression != Block {
		return w.writeSync()
	}
	if w.records == 0 {
		return nil
	}
	if err := w.writeSync(); err != nil {
		return err
	}
	b := AppendVInt(w.scratch[:0], int64(w.records))
	for _, buf := range [][]byte{w.keyLens, w.keys, w.valLens, w.vals} {
		c, err := w.o.Codec.Compress(w.cbuf[:0], buf)
		if err != nil {
			w.err = fmt.Errorf("seqfile: compress: %w", err)
			return w.err
		}
		w.cbuf = c
		b = AppendVInt(b, int64(len(c)))
		b = append(b, c...)
	}
	w.scratch = b
	w.records = 0
	w.keyLens, w.keys, w.valLens, w.vals = w.keyLens[:0], w.keys[:0], w.valLens[:0], w.vals[:0]
	return w.write(b)
}

// Close writes what a block-compressed file buffers, as Hadoop's close
// does; it neither closes nor flushes the underlying writer.
func (w *Writer) Close() error {
	if w.o.Compression == Block {
		return w.Sync()
	}
	return w.err
}

// AppendVInt appends v in Hadoop's variable-length encoding
// (WritableUtils.writeVLong).
func AppendVInt(dst []byte, v int64) []byte {
	if v >= -112 && v <= 127 {
		return append(dst, byte(v))
	}
	n := -112
	if v < 0 {
		v ^= -1
		n = -120
	}
	for tmp := v; tmp != 0; tmp >>= 8 {
		n--
	}
	dst = append(dst, byte(int8(n)))
	if n < -120 {
		n = -(n + 120)
	} else {
		n = -(n + 112)
	}
	for i := n; i > 0; i-- {
		dst = append(dst, byte(v>>((i-1)*8)))
	}
	return dst
}

// appendText appends s as Hadoop's Text.writeString: a VInt length and the
// UTF-8 bytes.
func appendText(dst []byte, s string) []byte {
	dst = AppendVInt(dst, int64(len(s)))
	return append(dst, s...)
}

// AppendLong appends a LongWritable: 8 bytes, big-endian.
func AppendLong(dst []byte, v int64) []byte { return binary.BigEndian.AppendUint64(dst, uint64(v)) }

// AppendBytes appends a BytesWritable: a 32-bit big-endian length and the
// bytes.
func AppendBytes(dst, b []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}

// AppendText appends a Text holding b: a VInt length and the bytes (which
// Flume does not check for UTF-8, and neither does this).
func AppendText(dst, b []byte) []byte {
	dst = AppendVInt(dst, int64(len(b)))
	return append(dst, b...)
}
