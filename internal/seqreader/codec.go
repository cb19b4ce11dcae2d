package seqreader

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/golang/snappy"
)

// codec decompresses one compressed value or block buffer: a whole stream
// of the codec, which must use all of b and give at most max bytes.
type codec interface {
	decompress(b []byte, max int) ([]byte, error)
}

// codecFor is the decompressor of a Hadoop codec class.
func codecFor(class string) (codec, error) {
	switch class {
	case "org.apache.hadoop.io.compress.DefaultCodec", "org.apache.hadoop.io.compress.DeflateCodec":
		return streamCodec{"zlib", func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }}, nil
	case "org.apache.hadoop.io.compress.GzipCodec":
		return streamCodec{"gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }}, nil
	case "org.apache.hadoop.io.compress.BZip2Codec":
		return streamCodec{"bzip2", func(r io.Reader) (io.Reader, error) { return bzip2.NewReader(r), nil }}, nil
	case "org.apache.hadoop.io.compress.SnappyCodec":
		return snappyBlocks{}, nil
	}
	return nil, fmt.Errorf("seqreader: codec %s: only DefaultCodec, DeflateCodec, GzipCodec, BZip2Codec and SnappyCodec are read", class)
}

// streamCodec is a codec whose output is one stream of a standard format:
// zlib (RFC 1950) for DefaultCodec, gzip members for GzipCodec, bzip2
// streams for BZip2Codec.
type streamCodec struct {
	name string
	open func(io.Reader) (io.Reader, error)
}

func (c streamCodec) decompress(b []byte, max int) ([]byte, error) {
	in := bytes.NewReader(b)
	r, err := c.open(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if len(out) > max {
		return nil, corrupt("%s stream of more than %d bytes", c.name, max)
	}
	if in.Len() != 0 {
		return nil, corrupt("%d bytes after the %s stream", in.Len(), c.name)
	}
	return out, nil
}

// snappyBlocks is Hadoop's SnappyCodec: BlockCompressorStream framing,
// blocks of a big-endian 32-bit uncompressed length followed by chunks of
// a big-endian 32-bit compressed length and a raw Snappy block, until the
// block's length is reached.
type snappyBlocks struct{}

func (snappyBlocks) decompress(b []byte, max int) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, corrupt("snappy: truncated block length")
		}
		want := int(binary.BigEndian.Uint32(b))
		b = b[4:]
		if want < 0 || want > max-len(out) {
			return nil, corrupt("snappy: a block of %d bytes, more than the %d allowed", want, max-len(out))
		}
		got := 0
		for got < want {
			if len(b) < 4 {
				return nil, corrupt("snappy: truncated chunk length")
			}
			n := int(binary.BigEndian.Uint32(b))
			b = b[4:]
			if n < 0 || n > len(b) {
				return nil, corrupt("snappy: a chunk of %d bytes with %d left", n, len(b))
			}
			dlen, err := snappy.DecodedLen(b[:n])
			if err != nil {
				return nil, corrupt("snappy: %v", err)
			}
			if dlen > want-got {
				return nil, corrupt("snappy: a chunk of %d bytes overruns its block (%d left)", dlen, want-got)
			}
			d, err := snappy.Decode(nil, b[:n])
			if err != nil {
				return nil, corrupt("snappy: %v", err)
			}
			out = append(out, d...)
			got += len(d)
			b = b[n:]
			if n == 0 && len(d) == 0 {
				return nil, corrupt("snappy: an empty chunk in a block of %d bytes", want)
			}
		}
	}
	return out, nil
}
