package avrofile

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/flumego/flume/internal/avrobin"
	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
)

// Codec names a reader knows besides the writer's.
const (
	CodecBzip2     = "bzip2"
	CodecZstandard = "zstandard"
	CodecXZ        = "xz"
)

// DefaultMaxBlock bounds the decompressed size of one block a Reader
// accepts (Reader.MaxBlock).
const DefaultMaxBlock = 256 << 20

// maxHeader bounds the metadata of a header.
const maxHeader = 16 << 20

// Header is the start of an object container file.
type Header struct {
	// Meta is the file metadata, avro.schema and avro.codec included.
	Meta map[string][]byte
	// Schema is avro.schema.
	Schema string
	// Codec is avro.codec, CodecNull when absent.
	Codec string
	// Sync is the file's sync marker.
	Sync [16]byte
	// Len is the header's length: the first block starts there.
	Len int64
}

// Block is one data block of a container file.
type Block struct {
	// Offset is where the block starts (its datum count) and End where
	// the next one does (after its sync marker).
	Offset, End int64
	// Count is the number of datums.
	Count int64
	// Data holds the datums, decompressed. Each block has its own slice:
	// the datums may be kept.
	Data []byte
}

// Reader reads an object container file block by block, knowing where
// each block starts, so that reading can resume at a block. It is not safe
// for concurrent use.
type Reader struct {
	// MaxBlock bounds the decompressed size of a block (DefaultMaxBlock
	// when zero); a larger one is an error, as is one whose compressed size
	// runs past the end of the file.
	MaxBlock int

	rs   io.ReadSeeker
	br   *bufio.Reader
	size int64 // the file's length
	pos  int64 // the offset br reads next
	h    Header
	zstd *zstd.Decoder
}

// NewReader reads the header of the container file in rs, which is size
// bytes long, and positions the reader at the first block.
func NewReader(rs io.ReadSeeker, size int64) (*Reader, error) {
	r := &Reader{rs: rs, size: size}
	if err := r.seek(0); err != nil {
		return nil, err
	}
	h, err := readHeader(r.br, size)
	if err != nil {
		return nil, err
	}
	switch h.Codec {
	case CodecNull, CodecDeflate, CodecSnappy, CodecBzip2, CodecZstandard:
	default:
		return nil, fmt.Errorf("avro container: codec %q is not supported", h.Codec)
	}
	r.h, r.pos = h, h.Len
	return r, nil
}

// Header returns the file's header.
func (r *Reader) Header() Header { return r.h }

// Offset returns where the next block starts (or the position at which
// reading goes on after a Sync).
func (r *Reader) Offset() int64 { return r.pos }

// SeekBlock positions the reader at off, which must be a block's Offset
// (or the header's Len).
func (r *Reader) SeekBlock(off int64) error { return r.seek(off) }

// Sync positions the reader at the first block that starts after a sync
// marker found at or after pos, as Java's DataFileReader.sync does: pos may
// be any position, such as the one Flume's AvroEventDeserializer
// persisted (a block's Offset minus the 16 bytes of the sync marker before
// it). With no marker after pos, the reader is at the end.
func (r *Reader) Sync(pos int64) error {
	if pos < r.h.Len-int64(len(r.h.Sync)) {
		pos = r.h.Len - int64(len(r.h.Sync)) // the header's own marker
	}
	if err := r.seek(pos); err != nil {
		return err
	}
	window := make([]byte, 0, 2*len(r.h.Sync))
	for {
		c, err := r.br.ReadByte()
		if err == io.EOF {
			r.pos = r.size
			return nil
		}
		if err != nil {
			return err
		}
		r.pos++
		window = append(window, c)
		if len(window) > len(r.h.Sync) {
			window = window[1:]
		}
		if len(window) == len(r.h.Sync) && bytes.Equal(window, r.h.Sync[:]) {
			return nil
		}
	}
}

func (r *Reader) seek(off int64) error {
	if _, err := r.rs.Seek(off, io.SeekStart); err != nil {
		return err
	}
	if r.br == nil {
		r.br = bufio.NewReaderSize(r.rs, 64<<10)
	} else {
		r.br.Reset(r.rs)
	}
	r.pos = off
	return nil
}

// Next returns the next block. It returns io.EOF at the end of the file
// (no byte left), and an error wrapping avrobin.ErrMalformed (or
// io.ErrUnexpectedEOF) for a block that is corrupt or cut short.
func (r *Reader) Next() (Block, error) {
	start := r.pos
	if start >= r.size {
		return Block{}, io.EOF
	}
	count, err := r.readLong("block count")
	if err != nil {
		return Block{}, err
	}
	n, err := r.readLong("block size")
	if err != nil {
		return Block{}, err
	}
	left := r.size - r.pos - int64(len(r.h.Sync))
	if count < 0 || n < 0 || n > left {
		return Block{}, avrobin.Malformed("block at %d: %d datums in %d bytes, with %d bytes left in the file", start, count, n, max(left, 0))
	}
	maxBlock := r.MaxBlock
	if maxBlock <= 0 {
		maxBlock = DefaultMaxBlock
	}
	if n > int64(maxBlock) {
		return Block{}, avrobin.Malformed("block at %d: %d bytes, more than the limit of %d", start, n, maxBlock)
	}
	raw := make([]byte, n)
	if _, err := io.ReadFull(r.br, raw); err != nil {
		return Block{}, fmt.Errorf("block at %d: %w", start, unexpected(err))
	}
	var sync [16]byte
	if _, err := io.ReadFull(r.br, sync[:]); err != nil {
		return Block{}, fmt.Errorf("block at %d: %w", start, unexpected(err))
	}
	r.pos += n + int64(len(sync))
	if sync != r.h.Sync {
		return Block{}, avrobin.Malformed("block at %d: sync marker does not match the header's", start)
	}
	data, err := r.decompress(raw, maxBlock)
	if err != nil {
		return Block{}, fmt.Errorf("block at %d: %w", start, err)
	}
	if count > int64(len(data))+1<<16 {
		return Block{}, avrobin.Malformed("block at %d: %d datums in %d bytes", start, count, len(data))
	}
	return Block{Offset: start, End: r.pos, Count: count, Data: data}, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (r *Reader) readLong(what string) (int64, error) {
	var b [10]byte
	for i := range b {
		c, err := r.br.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("%s at %d: %w", what, r.pos, unexpected(err))
		}
		b[i] = c
		if c < 0x80 {
			v, _, err := avrobin.ReadLong(b[:i+1])
			if err != nil {
				return 0, fmt.Errorf("%s at %d: %w", what, r.pos, err)
			}
			r.pos += int64(i + 1)
			return v, nil
		}
	}
	return 0, avrobin.Malformed("%s at %d: varint longer than 10 bytes", what, r.pos)
}

func (r *Reader) decompress(raw []byte, maxBlock int) ([]byte, error) {
	switch r.h.Codec {
	case CodecDeflate:
		return readAllLimit(flate.NewReader(bytes.NewReader(raw)), maxBlock)
	case CodecBzip2:
		return readAllLimit(bzip2.NewReader(bytes.NewReader(raw)), maxBlock)
	case CodecSnappy:
		if len(raw) < 4 {
			return nil, avrobin.Malformed("snappy block without its checksum")
		}
		n, err := snappy.DecodedLen(raw[:len(raw)-4])
		if err != nil {
			return nil, avrobin.Malformed("snappy: %v", err)
		}
		if n > maxBlock {
			return nil, avrobin.Malformed("snappy block decompresses to %d bytes, more than the limit of %d", n, maxBlock)
		}
		data, err := snappy.Decode(nil, raw[:len(raw)-4])
		if err != nil {
			return nil, avrobin.Malformed("snappy: %v", err)
		}
		if crc32.ChecksumIEEE(data) != binary.BigEndian.Uint32(raw[len(raw)-4:]) {
			return nil, avrobin.Malformed("snappy block checksum does not match")
		}
		return data, nil
	case CodecZstandard:
		if r.zstd == nil {
			d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(maxBlock)))
			if err != nil {
				return nil, err
			}
			r.zstd = d
		}
		if err := r.zstd.Reset(bytes.NewReader(raw)); err != nil {
			return nil, avrobin.Malformed("zstandard: %v", err)
		}
		return readAllLimit(r.zstd, maxBlock)
	}
	return raw, nil
}

// Close releases the decompressor a zstandard file uses. It does not close
// the underlying file.
func (r *Reader) Close() {
	if r.zstd != nil {
		r.zstd.Close()
		r.zstd = nil
	}
}

// readAllLimit reads rd to its end, refusing more than limit bytes (a
// decompression bomb).
func readAllLimit(rd io.Reader, limit int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(rd, int64(limit)+1))
	if err != nil {
		return nil, avrobin.Malformed("decompress: %v", err)
	}
	if len(data) > limit {
		return nil, avrobin.Malformed("block decompresses to more than the limit of %d bytes", limit)
	}
	return data, nil
}

// readHeader reads the magic, the metadata map and the sync marker.
func readHeader(br *bufio.Reader, size int64) (Header, error) {
	h := Header{Meta: map[string][]byte{}}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return h, fmt.Errorf("avro container header: %w", unexpected(err))
	}
	if !bytes.Equal(magic[:], Magic) {
		return h, avrobin.Malformed("not an avro container file (magic % X)", magic)
	}
	pos := int64(len(magic))
	var total int64
	readLong := func(what string) (int64, error) {
		var b [10]byte
		for i := range b {
			c, err := br.ReadByte()
			if err != nil {
				return 0, fmt.Errorf("avro container header %s: %w", what, unexpected(err))
			}
			b[i] = c
			if c < 0x80 {
				v, _, err := avrobin.ReadLong(b[:i+1])
				pos += int64(i + 1)
				return v, err
			}
		}
		return 0, avrobin.Malformed("header %s: varint longer than 10 bytes", what)
	}
	readBytes := func(what string) ([]byte, error) {
		n, err := readLong(what)
		if err != nil {
			return nil, err
		}
		total += n
		if n < 0 || total > maxHeader || pos+n > size {
			return nil, avrobin.Malformed("header %s of %d bytes", what, n)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, fmt.Errorf("avro container header %s: %w", what, unexpected(err))
		}
		pos += n
		return b, nil
	}
	for {
		n, err := readLong("metadata count")
		if err != nil {
			return h, err
		}
		if n == 0 {
			break
		}
		if n < 0 {
			if n == -1<<63 {
				return h, avrobin.Malformed("header metadata count out of range")
			}
			n = -n
			if _, err := readLong("metadata block size"); err != nil {
				return h, err
			}
		}
		if n > size-pos {
			return h, avrobin.Malformed("header of %d metadata entries", n)
		}
		for range n {
			k, err := readBytes("metadata key")
			if err != nil {
				return h, err
			}
			v, err := readBytes("metadata value")
			if err != nil {
				return h, err
			}
			h.Meta[string(k)] = v
		}
	}
	if _, err := io.ReadFull(br, h.Sync[:]); err != nil {
		return h, fmt.Errorf("avro container header sync marker: %w", unexpected(err))
	}
	h.Len = pos + int64(len(h.Sync))
	h.Schema = string(h.Meta["avro.schema"])
	h.Codec = CodecNull
	if c, ok := h.Meta["avro.codec"]; ok && len(c) > 0 {
		h.Codec = string(c)
	}
	if h.Schema == "" {
		return h, errors.New("avro container header: no avro.schema")
	}
	return h, nil
}
