package client

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"

	"github.com/pierrec/lz4/v4"
)

// compress returns data compressed with method ("deflate" is zlib, "lz4" a
// raw LZ4 block, as the SDKs send them) and whether compressing paid off;
// an incompressible body is sent as it is.
func compress(method string, data []byte) ([]byte, bool) {
	var out []byte
	switch method {
	case "deflate":
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		if _, err := w.Write(data); err != nil {
			return nil, false
		}
		if err := w.Close(); err != nil {
			return nil, false
		}
		out = buf.Bytes()
	case "lz4":
		out = make([]byte, lz4.CompressBlockBound(len(data)))
		n, err := lz4.CompressBlock(data, out, nil)
		if err != nil || n == 0 {
			return nil, false
		}
		out = out[:n]
	default:
		return nil, false
	}
	if len(out) >= len(data) {
		return nil, false
	}
	return out, true
}

// decompress undoes compress; rawSize is the announced size of the result,
// which must match exactly.
func decompress(method string, data []byte, rawSize int) ([]byte, error) {
	switch method {
	case "deflate", "zlib":
		r, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		out, err := io.ReadAll(io.LimitReader(r, int64(rawSize)+1))
		if err != nil {
			return nil, err
		}
		if len(out) != rawSize {
			return nil, fmt.Errorf("deflate body is %d bytes, %d announced", len(out), rawSize)
		}
		return out, nil
	case "lz4":
		out := make([]byte, rawSize)
		n, err := lz4.UncompressBlock(data, out)
		if err != nil {
			return nil, err
		}
		if n != rawSize {
			return nil, fmt.Errorf("lz4 body is %d bytes, %d announced", n, rawSize)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported Content-Encoding %q", method)
}
