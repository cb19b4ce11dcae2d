package client

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The protobuf messages (proto2, DataHub's datahub.proto):
//
//	message FieldData       { optional bytes value = 1; }
//	message RecordData      { repeated FieldData data = 1; }
//	message RecordEntry     { optional string shard_id = 1; ...; required RecordData data = 9; }
//	message PutRecordsRequest  { repeated RecordEntry records = 1; }
//	message FailedRecord    { required int32 index = 1; optional string error_code = 2; optional string error_message = 3; }
//	message PutRecordsResponse { optional int32 failed_count = 1; repeated FailedRecord failed_records = 2; }
//
// Bodies are framed: "DHUB", CRC-32C of the message, message length (both
// big-endian uint32), message.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const frameHeader = 12

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// lenField is the encoded size of a length-delimited field with a one-byte
// tag and n bytes of payload.
func lenField(n int) int { return 1 + varintLen(uint64(n)) + n }

func fieldDataSize(v Value) int {
	if v.Null {
		return 0
	}
	return lenField(len(v.S))
}

func recordDataSize(r *Record) int {
	if r.IsBlob {
		return lenField(lenField(len(r.Blob)))
	}
	n := 0
	for _, v := range r.Values {
		n += lenField(fieldDataSize(v))
	}
	return n
}

func entrySize(r *Record) (entry, data int) {
	data = recordDataSize(r)
	entry = lenField(data)
	if r.ShardID != "" {
		entry += lenField(len(r.ShardID))
	}
	return entry, data
}

func appendLenPrefix(b []byte, tag byte, n int) []byte {
	return appendVarint(append(b, tag), uint64(n))
}

// appendPutRequestPB appends the framed PutRecordsRequest. A record's
// shard_id is written when it has one.
func appendPutRequestPB(b []byte, records []Record) []byte {
	start := len(b)
	b = append(b, "DHUB\x00\x00\x00\x00\x00\x00\x00\x00"...)
	for i := range records {
		r := &records[i]
		entry, data := entrySize(r)
		b = appendLenPrefix(b, 1<<3|2, entry) // records
		if r.ShardID != "" {
			b = appendLenPrefix(b, 1<<3|2, len(r.ShardID)) // shard_id
			b = append(b, r.ShardID...)
		}
		b = appendLenPrefix(b, 9<<3|2, data) // data
		if r.IsBlob {
			b = appendLenPrefix(b, 1<<3|2, lenField(len(r.Blob)))
			b = appendLenPrefix(b, 1<<3|2, len(r.Blob))
			b = append(b, r.Blob...)
			continue
		}
		for _, v := range r.Values {
			b = appendLenPrefix(b, 1<<3|2, fieldDataSize(v)) // FieldData
			if !v.Null {
				b = appendLenPrefix(b, 1<<3|2, len(v.S)) // value
				b = append(b, v.S...)
			}
		}
	}
	sealFrame(b[start:])
	return b
}

// sealFrame fills in the CRC and length of a frame whose 12-byte header
// starts b.
func sealFrame(b []byte) {
	msg := b[frameHeader:]
	copy(b, "DHUB")
	binary.BigEndian.PutUint32(b[4:], crc32.Checksum(msg, castagnoli))
	binary.BigEndian.PutUint32(b[8:], uint32(len(msg)))
}

// Unframe checks a "DHUB" frame and returns the message inside.
func Unframe(b []byte) ([]byte, error) {
	if len(b) < frameHeader || string(b[:4]) != "DHUB" {
		return nil, errors.New("protobuf body without DHUB header")
	}
	n := binary.BigEndian.Uint32(b[8:12])
	msg := b[frameHeader:]
	if uint64(n) != uint64(len(msg)) {
		return nil, fmt.Errorf("protobuf frame announces %d bytes, carries %d", n, len(msg))
	}
	if crc := binary.BigEndian.Uint32(b[4:8]); crc != crc32.Checksum(msg, castagnoli) {
		return nil, errors.New("protobuf frame CRC mismatch")
	}
	return msg, nil
}

var errTruncated = errors.New("truncated protobuf message")

// pbReader reads protobuf fields from a message.
type pbReader struct{ b []byte }

func (r *pbReader) varint() (uint64, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if len(r.b) == 0 {
			return 0, errTruncated
		}
		c := r.b[0]
		r.b = r.b[1:]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("protobuf varint too long")
}

// next returns the next field's number and wire type, and for
// length-delimited fields its payload; varint fields return their value.
func (r *pbReader) next() (field int, wire int, val uint64, payload []byte, err error) {
	key, err := r.varint()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	field, wire = int(key>>3), int(key&7)
	if field <= 0 || field > 1<<29 {
		return 0, 0, 0, nil, fmt.Errorf("bad protobuf field number %d", field)
	}
	switch wire {
	case 0:
		val, err = r.varint()
	case 1:
		if len(r.b) < 8 {
			return 0, 0, 0, nil, errTruncated
		}
		val, r.b = binary.LittleEndian.Uint64(r.b), r.b[8:]
	case 5:
		if len(r.b) < 4 {
			return 0, 0, 0, nil, errTruncated
		}
		val, r.b = uint64(binary.LittleEndian.Uint32(r.b)), r.b[4:]
	case 2:
		var n uint64
		if n, err = r.varint(); err != nil {
			return 0, 0, 0, nil, err
		}
		if n > uint64(len(r.b)) {
			return 0, 0, 0, nil, errTruncated
		}
		payload, r.b = r.b[:n], r.b[n:]
	default:
		return 0, 0, 0, nil, fmt.Errorf("unsupported protobuf wire type %d", wire)
	}
	return field, wire, val, payload, err
}

// decodePutResponsePB decodes a framed PutRecordsResponse of a request that
// carried sent records.
func decodePutResponsePB(body []byte, sent int) ([]FailedRecord, error) {
	msg, err := Unframe(body)
	if err != nil {
		return nil, err
	}
	r := pbReader{msg}
	var failed []FailedRecord
	count := -1
	for len(r.b) > 0 {
		field, wire, val, payload, err := r.next()
		if err != nil {
			return nil, err
		}
		switch {
		case field == 1 && wire == 0:
			count = int(int32(val))
		case field == 2 && wire == 2:
			if len(failed) >= sent {
				return nil, fmt.Errorf("more failed records than the %d sent", sent)
			}
			f, err := decodeFailedRecord(payload)
			if err != nil {
				return nil, err
			}
			failed = append(failed, f)
		}
	}
	return checkFailed(failed, count, sent)
}

func decodeFailedRecord(b []byte) (FailedRecord, error) {
	r := pbReader{b}
	f := FailedRecord{Index: -1}
	for len(r.b) > 0 {
		field, wire, val, payload, err := r.next()
		if err != nil {
			return f, err
		}
		switch {
		case field == 1 && wire == 0:
			f.Index = int(int32(val))
		case field == 2 && wire == 2:
			f.Code = string(payload)
		case field == 3 && wire == 2:
			f.Message = string(payload)
		}
	}
	return f, nil
}

// checkFailed validates a failed-record list against what was sent: indexes
// in range and distinct, and the count (when given, -1 otherwise) matching.
func checkFailed(failed []FailedRecord, count, sent int) ([]FailedRecord, error) {
	if count >= 0 && count != len(failed) {
		return nil, fmt.Errorf("answer says %d records failed but lists %d", count, len(failed))
	}
	if len(failed) > sent {
		return nil, fmt.Errorf("more failed records (%d) than the %d sent", len(failed), sent)
	}
	seen := make(map[int]bool, len(failed))
	for _, f := range failed {
		if f.Index < 0 || f.Index >= sent || seen[f.Index] {
			return nil, fmt.Errorf("failed record index %d out of range or repeated (%d records sent)", f.Index, sent)
		}
		seen[f.Index] = true
	}
	return failed, nil
}
