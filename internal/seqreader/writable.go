package seqreader

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Class names of the Writables Flume's HDFS sink writes.
const (
	LongWritableClass  = "org.apache.hadoop.io.LongWritable"
	BytesWritableClass = "org.apache.hadoop.io.BytesWritable"
	TextClass          = "org.apache.hadoop.io.Text"
)

var errVInt = errors.New("truncated or overlong VInt")

// vintSize is the number of bytes of the VInt whose first byte is b
// (WritableUtils.decodeVIntSize).
func vintSize(b byte) int {
	v := int8(b)
	switch {
	case v >= -112:
		return 1
	case v < -120:
		return int(-119 - int(v))
	default:
		return int(-111 - int(v))
	}
}

// VLong decodes a Hadoop variable-length long (WritableUtils.writeVLong)
// from the start of b, returning it and its length: one byte for -112 to
// 127, else a byte giving sign and length (-113 to -120: positive, 1 to 8
// bytes; -121 to -128: negative, the ones' complement) and the value's
// big-endian bytes.
func VLong(b []byte) (int64, int, error) {
	if len(b) == 0 {
		return 0, 0, errVInt
	}
	first := int8(b[0])
	n := vintSize(b[0])
	if n == 1 {
		return int64(first), 1, nil
	}
	if len(b) < n {
		return 0, 0, errVInt
	}
	var v uint64
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	if first < -120 {
		return int64(^v), n, nil
	}
	return int64(v), n, nil
}

// VInt is VLong for values that fit an int32, as WritableUtils.readVInt
// requires.
func VInt(b []byte) (int, int, error) {
	v, n, err := VLong(b)
	if err != nil {
		return 0, 0, err
	}
	if v < -1<<31 || v > 1<<31-1 {
		return 0, 0, fmt.Errorf("VInt %d does not fit in 32 bits", v)
	}
	return int(v), n, nil
}

// LongWritable decodes a serialized LongWritable: 8 bytes, big-endian.
func LongWritable(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("seqreader: a LongWritable of %d bytes, not 8", len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// BytesWritable decodes a serialized BytesWritable: a big-endian 32-bit
// length and the bytes.
func BytesWritable(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("seqreader: a BytesWritable of %d bytes", len(b))
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) != uint64(len(b)-4) {
		return nil, fmt.Errorf("seqreader: a BytesWritable of %d bytes holding %d", n, len(b)-4)
	}
	return b[4:], nil
}

// Text decodes a serialized Text: a VInt length and UTF-8 bytes.
func Text(b []byte) (string, error) {
	n, k, err := VInt(b)
	if err != nil {
		return "", fmt.Errorf("seqreader: Text length: %w", err)
	}
	if n < 0 || n != len(b)-k {
		return "", fmt.Errorf("seqreader: a Text of %d bytes holding %d", n, len(b)-k)
	}
	s := b[k:]
	if !utf8.Valid(s) {
		return "", errors.New("seqreader: a Text that is not UTF-8")
	}
	return string(s), nil
}
