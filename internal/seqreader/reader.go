package seqreader

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Compression is how a file's records are compressed.
type Compression int

// The three layouts of SequenceFile.CompressionType.
const (
	CompressNone   Compression = iota // records as they are
	CompressRecord                    // each value compressed on its own
	CompressBlock                     // records in blocks of compressed buffers
)

func (c Compression) String() string {
	switch c {
	case CompressNone:
		return "NONE"
	case CompressRecord:
		return "RECORD"
	}
	return "BLOCK"
}

// Version is the format version the reader reads.
const Version = 6

// syncEscape is the record length that announces a sync marker.
const syncEscape = -1

// Meta is one metadata entry of the header.
type Meta struct{ Key, Value string }

// Header is a SequenceFile's header.
type Header struct {
	Version    int
	KeyClass   string
	ValueClass string
	// Compression and, when compressed, the codec's Java class name.
	Compression Compression
	Codec       string
	Metadata    []Meta
	Sync        [16]byte
}

// Limits bound what a reader accepts; zero fields take the defaults.
type Limits struct {
	// MaxRecord bounds a record's key plus value (default 64 MiB).
	MaxRecord int
	// MaxBlock bounds a block's buffers, compressed and decompressed
	// (default 256 MiB), and MaxBlockRecords its record count (default
	// 16 Mi).
	MaxBlock        int
	MaxBlockRecords int
	// MaxHeader bounds a class name, the codec name and each metadata
	// string (default 1 MiB), and the number of metadata entries
	// (default 64 Ki).
	MaxHeader int
}

func (l Limits) withDefaults() Limits {
	if l.MaxRecord <= 0 {
		l.MaxRecord = 64 << 20
	}
	if l.MaxBlock <= 0 {
		l.MaxBlock = 256 << 20
	}
	if l.MaxBlockRecords <= 0 {
		l.MaxBlockRecords = 16 << 20
	}
	if l.MaxHeader <= 0 {
		l.MaxHeader = 1 << 20
	}
	return l
}

// ErrCorrupt marks a file that does not follow the format.
var ErrCorrupt = errors.New("seqreader: corrupt SequenceFile")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// Reader reads a SequenceFile's records in order.
type Reader struct {
	r      *bufio.Reader
	h      Header
	lim    Limits
	codec  codec
	syncs  int
	offset int64 // bytes consumed

	// Block-compressed files: the current block's records.
	keys, values       []byte
	keyLens, valueLens []int
	next               int
}

// NewReader reads the header of the SequenceFile r holds.
func NewReader(r io.Reader, lim Limits) (*Reader, error) {
	rd := &Reader{r: bufio.NewReader(r), lim: lim.withDefaults()}
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	return rd, nil
}

// Header returns the file's header.
func (r *Reader) Header() Header { return r.h }

// Syncs is the number of sync markers passed so far (for a
// block-compressed file, one before every block).
func (r *Reader) Syncs() int { return r.syncs }

// Offset is the number of bytes read from the file so far.
func (r *Reader) Offset() int64 { return r.offset }

func (r *Reader) full(b []byte) error {
	n, err := io.ReadFull(r.r, b)
	r.offset += int64(n)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (r *Reader) readInt() (int32, error) {
	var b [4]byte
	if err := r.full(b[:]); err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(b[:])), nil
}

func (r *Reader) readByte() (byte, error) {
	b, err := r.r.ReadByte()
	if err == nil {
		r.offset++
	} else if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

// readVInt reads a Hadoop variable-length integer from the file.
func (r *Reader) readVInt() (int, error) {
	first, err := r.readByte()
	if err != nil {
		return 0, err
	}
	n := vintSize(first)
	b := make([]byte, n)
	b[0] = first
	if err := r.full(b[1:]); err != nil {
		return 0, err
	}
	v, _, err := VInt(b)
	return v, err
}

// readText reads a Text-serialized string (a VInt length and UTF-8 bytes)
// of at most max bytes.
func (r *Reader) readText(what string, max int) (string, error) {
	n, err := r.readVInt()
	if err != nil {
		return "", fmt.Errorf("seqreader: %s: %w", what, err)
	}
	if n < 0 || n > max {
		return "", corrupt("%s of %d bytes", what, n)
	}
	b := make([]byte, n)
	if err := r.full(b); err != nil {
		return "", fmt.Errorf("seqreader: %s: %w", what, err)
	}
	return string(b), nil
}

func (r *Reader) readBool(what string) (bool, error) {
	b, err := r.readByte()
	if err != nil {
		return false, fmt.Errorf("seqreader: %s: %w", what, err)
	}
	switch b {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, corrupt("%s is %d, not a boolean", what, b)
}

func (r *Reader) readHeader() error {
	var magic [4]byte
	if err := r.full(magic[:]); err != nil {
		return fmt.Errorf("seqreader: header: %w", err)
	}
	if string(magic[:3]) != "SEQ" {
		return corrupt("no SEQ magic (% x)", magic[:3])
	}
	h := &r.h
	h.Version = int(magic[3])
	if h.Version != Version {
		return fmt.Errorf("seqreader: SequenceFile version %d: only version %d is read", h.Version, Version)
	}
	var err error
	max := r.lim.MaxHeader
	if h.KeyClass, err = r.readText("key class name", max); err != nil {
		return err
	}
	if h.ValueClass, err = r.readText("value class name", max); err != nil {
		return err
	}
	compressed, err := r.readBool("compression flag")
	if err != nil {
		return err
	}
	block, err := r.readBool("block compression flag")
	if err != nil {
		return err
	}
	switch {
	case block && !compressed:
		return corrupt("block compression without compression")
	case block:
		h.Compression = CompressBlock
	case compressed:
		h.Compression = CompressRecord
	}
	if compressed {
		if h.Codec, err = r.readText("codec class name", max); err != nil {
			return err
		}
		if r.codec, err = codecFor(h.Codec); err != nil {
			return err
		}
	}
	count, err := r.readInt()
	if err != nil {
		return fmt.Errorf("seqreader: metadata: %w", err)
	}
	if count < 0 || int(count) > 64<<10 {
		return corrupt("%d metadata entries", count)
	}
	for i := 0; i < int(count); i++ {
		k, err := r.readText("metadata key", max)
		if err != nil {
			return err
		}
		v, err := r.readText("metadata value", max)
		if err != nil {
			return err
		}
		h.Metadata = append(h.Metadata, Meta{k, v})
	}
	if err := r.full(h.Sync[:]); err != nil {
		return fmt.Errorf("seqreader: sync marker: %w", err)
	}
	return nil
}

// readSync reads the 16 bytes after a sync escape and checks them.
func (r *Reader) readSync() error {
	var s [16]byte
	if err := r.full(s[:]); err != nil {
		return fmt.Errorf("seqreader: sync marker at %d: %w", r.offset, err)
	}
	if s != r.h.Sync {
		return corrupt("sync marker at %d differs from the header's", r.offset-16)
	}
	r.syncs++
	return nil
}

// atEOF reports whether the file ends here.
func (r *Reader) atEOF() bool {
	_, err := r.r.Peek(1)
	return errors.Is(err, io.EOF)
}

// Next returns the next record's key and value, serialized as their
// Writable classes serialize them (and decompressed); it returns io.EOF
// after the last record. The slices are valid until the next call.
func (r *Reader) Next() (key, value []byte, err error) {
	if r.h.Compression == CompressBlock {
		return r.nextInBlock()
	}
	var length int32
	for {
		if r.atEOF() {
			return nil, nil, io.EOF
		}
		if length, err = r.readInt(); err != nil {
			return nil, nil, fmt.Errorf("seqreader: record length at %d: %w", r.offset, err)
		}
		if length != syncEscape {
			break
		}
		if err := r.readSync(); err != nil {
			return nil, nil, err
		}
	}
	keyLen, err := r.readInt()
	if err != nil {
		return nil, nil, fmt.Errorf("seqreader: key length at %d: %w", r.offset, err)
	}
	if length < 0 || int(length) > r.lim.MaxRecord || keyLen < 0 || keyLen > length {
		return nil, nil, corrupt("record of %d bytes with a key of %d at %d", length, keyLen, r.offset-8)
	}
	rec := make([]byte, length)
	if err := r.full(rec); err != nil {
		return nil, nil, fmt.Errorf("seqreader: record at %d: %w", r.offset, err)
	}
	key, value = rec[:keyLen], rec[keyLen:]
	if r.h.Compression == CompressRecord {
		if value, err = r.codec.decompress(value, r.lim.MaxRecord); err != nil {
			return nil, nil, fmt.Errorf("seqreader: value of the record at %d: %w", r.offset-int64(length), err)
		}
	}
	return key, value, nil
}

func (r *Reader) nextInBlock() ([]byte, []byte, error) {
	for r.next == len(r.keyLens) {
		if r.atEOF() {
			return nil, nil, io.EOF
		}
		if err := r.readBlock(); err != nil {
			return nil, nil, err
		}
	}
	i := r.next
	r.next++
	k, v := r.keys[:r.keyLens[i]], r.values[:r.valueLens[i]]
	r.keys, r.values = r.keys[r.keyLens[i]:], r.values[r.valueLens[i]:]
	return k, v, nil
}

// readBlock reads a block: the sync escape and marker, the record count,
// then four buffers, each a VInt length and its compressed bytes: the key
// lengths (VInts), the keys, the value lengths (VInts) and the values.
func (r *Reader) readBlock() error {
	start := r.offset
	esc, err := r.readInt()
	if err != nil {
		return fmt.Errorf("seqreader: block at %d: %w", start, err)
	}
	if esc != syncEscape {
		return corrupt("block at %d starts with %d, not a sync escape", start, esc)
	}
	if err := r.readSync(); err != nil {
		return err
	}
	n, err := r.readVInt()
	if err != nil {
		return fmt.Errorf("seqreader: record count of the block at %d: %w", start, err)
	}
	if n <= 0 || n > r.lim.MaxBlockRecords {
		return corrupt("block at %d of %d records", start, n)
	}
	var bufs [4][]byte
	total := 0
	for i, what := range []string{"key lengths", "keys", "value lengths", "values"} {
		size, err := r.readVInt()
		if err != nil {
			return fmt.Errorf("seqreader: %s of the block at %d: %w", what, start, err)
		}
		if size < 0 || size > r.lim.MaxBlock-total {
			return corrupt("%s of the block at %d: %d compressed bytes", what, start, size)
		}
		raw := make([]byte, size)
		if err := r.full(raw); err != nil {
			return fmt.Errorf("seqreader: %s of the block at %d: %w", what, start, err)
		}
		if bufs[i], err = r.codec.decompress(raw, r.lim.MaxBlock-total); err != nil {
			return fmt.Errorf("seqreader: %s of the block at %d: %w", what, start, err)
		}
		total += size + len(bufs[i])
	}
	keyLens, err := lengths(bufs[0], n, len(bufs[1]))
	if err != nil {
		return corrupt("key lengths of the block at %d: %v", start, err)
	}
	valueLens, err := lengths(bufs[2], n, len(bufs[3]))
	if err != nil {
		return corrupt("value lengths of the block at %d: %v", start, err)
	}
	r.keyLens, r.valueLens, r.keys, r.values, r.next = keyLens, valueLens, bufs[1], bufs[3], 0
	return nil
}

// lengths decodes n VInt lengths that must add up to total and fill b.
func lengths(b []byte, n, total int) ([]int, error) {
	out := make([]int, 0, n)
	sum := 0
	for len(out) < n {
		v, k, err := VInt(b)
		if err != nil {
			return nil, err
		}
		if v < 0 || v > total-sum {
			return nil, fmt.Errorf("length %d with %d bytes left", v, total-sum)
		}
		out = append(out, v)
		sum += v
		b = b[k:]
	}
	if len(b) != 0 || sum != total {
		return nil, fmt.Errorf("%d lengths adding up to %d (of %d) with %d bytes left over", n, sum, total, len(b))
	}
	return out, nil
}

// Record is a key and a value, serialized.
type Record struct{ Key, Value []byte }

// ReadAll reads a whole SequenceFile.
func ReadAll(r io.Reader, lim Limits) (Header, []Record, error) {
	rd, err := NewReader(r, lim)
	if err != nil {
		return Header{}, nil, err
	}
	var out []Record
	for {
		k, v, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rd.Header(), out, nil
		}
		if err != nil {
			return rd.Header(), out, err
		}
		out = append(out, Record{bytes.Clone(k), bytes.Clone(v)})
	}
}
