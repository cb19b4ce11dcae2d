package avrorpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// ErrMalformed is wrapped by every decoding error caused by bad input.
var ErrMalformed = errors.New("malformed avro data")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// appendLong appends v as an Avro long (zig-zag varint).
func appendLong(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

// appendString appends an Avro string or bytes value.
func appendString(dst []byte, s string) []byte {
	dst = appendLong(dst, int64(len(s)))
	return append(dst, s...)
}

func appendBytes(dst, b []byte) []byte {
	dst = appendLong(dst, int64(len(b)))
	return append(dst, b...)
}

// readLong decodes an Avro long from b. One- and two-byte values (counts,
// lengths below 8 KiB) take an inlinable fast path.
func readLong(b []byte) (int64, []byte, error) {
	if len(b) > 0 && b[0] < 0x80 {
		u := uint64(b[0])
		return int64(u>>1) ^ -int64(u&1), b[1:], nil
	}
	if len(b) > 1 && b[1] < 0x80 {
		u := uint64(b[0]&0x7f) | uint64(b[1])<<7
		return int64(u>>1) ^ -int64(u&1), b[2:], nil
	}
	return readLongSlow(b)
}

func readLongSlow(b []byte) (int64, []byte, error) {
	var u uint64
	var shift uint
	for i, c := range b {
		if i == 10 {
			return 0, nil, malformed("varint longer than 10 bytes")
		}
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if i == 9 && c > 1 {
				return 0, nil, malformed("varint overflows 64 bits")
			}
			return int64(u>>1) ^ -int64(u&1), b[i+1:], nil
		}
		shift += 7
	}
	return 0, nil, malformed("truncated varint")
}

// readLen decodes a string or bytes length and checks it against the bytes
// left.
func readLen(b []byte, what string) (int, []byte, error) {
	n, rest, err := readLong(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%s length: %w", what, err)
	}
	if n < 0 || n > int64(len(rest)) {
		return 0, nil, malformed("%s length %d exceeds the %d bytes left", what, n, len(rest))
	}
	return int(n), rest, nil
}

// readBytes returns a sub-slice of b (no copy) holding a bytes value. Its
// capacity ends with it, so appending to it never overwrites what follows.
func readBytes(b []byte, what string) ([]byte, []byte, error) {
	n, rest, err := readLen(b, what)
	if err != nil {
		return nil, nil, err
	}
	return rest[:n:n], rest[n:], nil
}

// readStringNoCopy returns a string that shares b's memory. The caller
// guarantees b is never modified afterwards.
func readStringNoCopy(b []byte, what string) (string, []byte, error) {
	n, rest, err := readLen(b, what)
	if err != nil {
		return "", nil, err
	}
	if n == 0 {
		return "", rest, nil
	}
	return unsafe.String(&rest[0], n), rest[n:], nil
}

// readString returns a copied string.
func readString(b []byte, what string) (string, []byte, error) {
	n, rest, err := readLen(b, what)
	if err != nil {
		return "", nil, err
	}
	return string(rest[:n]), rest[n:], nil
}

// readBlockCount reads the item count of a map or array block; a negative
// count is followed by the block's byte size, which is skipped. The count is
// bounded by the bytes left divided by minItem, the smallest encoding of one
// item, so a hostile count cannot make the caller allocate.
func readBlockCount(b []byte, minItem int, what string) (int, []byte, error) {
	n, rest, err := readLong(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%s block count: %w", what, err)
	}
	if n < 0 {
		if n == -1<<63 {
			return 0, nil, malformed("%s block count out of range", what)
		}
		n = -n
		if _, rest, err = readLong(rest); err != nil {
			return 0, nil, fmt.Errorf("%s block size: %w", what, err)
		}
	}
	if n > int64(len(rest)/minItem) {
		return 0, nil, malformed("%s block of %d items cannot fit in the %d bytes left", what, n, len(rest))
	}
	return int(n), rest, nil
}

// skipBytesMap skips an Avro map<bytes>: call metadata, or with unique
// the handshake's meta, whose duplicate keys are refused (as goavro
// refuses them).
func skipBytesMap(b []byte, what string, unique bool) ([]byte, error) {
	var seen map[string]bool
	if unique {
		seen = map[string]bool{}
	}
	for {
		n, rest, err := readBlockCount(b, 2, what)
		if err != nil {
			return nil, err
		}
		b = rest
		if n == 0 {
			return b, nil
		}
		for range n {
			var k []byte
			if k, b, err = readBytes(b, what+" key"); err != nil {
				return nil, err
			}
			if unique {
				if seen[string(k)] {
					return nil, malformed("%s: duplicate key %q", what, k)
				}
				seen[string(k)] = true
			}
			if _, b, err = readBytes(b, what+" value"); err != nil {
				return nil, err
			}
		}
	}
}
