package avrobin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// ErrMalformed is wrapped by every decoding error caused by bad input.
var ErrMalformed = errors.New("malformed avro data")

// Malformed returns an error wrapping ErrMalformed.
func Malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// AppendLong appends v as an Avro long (zig-zag varint).
func AppendLong(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

// AppendString appends an Avro string or bytes value.
func AppendString(dst []byte, s string) []byte {
	dst = AppendLong(dst, int64(len(s)))
	return append(dst, s...)
}

// AppendBytes appends an Avro bytes value.
func AppendBytes(dst, b []byte) []byte {
	dst = AppendLong(dst, int64(len(b)))
	return append(dst, b...)
}

// ReadLong decodes an Avro long from b. One- and two-byte values (counts,
// lengths below 8 KiB) take an inlinable fast path.
func ReadLong(b []byte) (int64, []byte, error) {
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
			return 0, nil, Malformed("varint longer than 10 bytes")
		}
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if i == 9 && c > 1 {
				return 0, nil, Malformed("varint overflows 64 bits")
			}
			return int64(u>>1) ^ -int64(u&1), b[i+1:], nil
		}
		shift += 7
	}
	return 0, nil, Malformed("truncated varint")
}

// ReadLen decodes a string or bytes length and checks it against the bytes
// left.
func ReadLen(b []byte, what string) (int, []byte, error) {
	n, rest, err := ReadLong(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%s length: %w", what, err)
	}
	if n < 0 || n > int64(len(rest)) {
		return 0, nil, Malformed("%s length %d exceeds the %d bytes left", what, n, len(rest))
	}
	return int(n), rest, nil
}

// ReadBytes returns a sub-slice of b (no copy) holding a bytes value. Its
// capacity ends with it, so appending to it never overwrites what follows.
func ReadBytes(b []byte, what string) ([]byte, []byte, error) {
	n, rest, err := ReadLen(b, what)
	if err != nil {
		return nil, nil, err
	}
	return rest[:n:n], rest[n:], nil
}

// ReadStringNoCopy returns a string that shares b's memory. The caller
// guarantees b is never modified afterwards.
func ReadStringNoCopy(b []byte, what string) (string, []byte, error) {
	n, rest, err := ReadLen(b, what)
	if err != nil {
		return "", nil, err
	}
	if n == 0 {
		return "", rest, nil
	}
	return unsafe.String(&rest[0], n), rest[n:], nil
}

// ReadString returns a copied string.
func ReadString(b []byte, what string) (string, []byte, error) {
	n, rest, err := ReadLen(b, what)
	if err != nil {
		return "", nil, err
	}
	return string(rest[:n]), rest[n:], nil
}

// ReadBlockCount reads the item count of a map or array block; a negative
// count is followed by the block's byte size, which is skipped. The count is
// bounded by the bytes left divided by minItem, the smallest encoding of one
// item, so a hostile count cannot make the caller allocate.
func ReadBlockCount(b []byte, minItem int, what string) (int, []byte, error) {
	n, rest, err := ReadLong(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%s block count: %w", what, err)
	}
	if n < 0 {
		if n == -1<<63 {
			return 0, nil, Malformed("%s block count out of range", what)
		}
		n = -n
		if _, rest, err = ReadLong(rest); err != nil {
			return 0, nil, fmt.Errorf("%s block size: %w", what, err)
		}
	}
	if n > int64(len(rest)/minItem) {
		return 0, nil, Malformed("%s block of %d items cannot fit in the %d bytes left", what, n, len(rest))
	}
	return int(n), rest, nil
}

// VarintSize returns the length of AppendLong's encoding of a length n ≥ 0.
func VarintSize(n int) int {
	u := uint64(n) << 1
	s := 1
	for u >= 0x80 {
		u >>= 7
		s++
	}
	return s
}
