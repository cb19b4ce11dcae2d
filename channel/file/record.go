package file

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"unsafe"

	"github.com/flumego/flume"
)

// A log file is a sequence of records:
//
//	offset  size  field
//	0       4     payload length n (little endian), 9 <= n <= maxPayload
//	4       4     CRC-32C (Castagnoli) of the payload
//	8       1     record type
//	9       8     transaction id (little endian)
//	17      n-9   body
//
// Record types and bodies:
//
//	recHeader  first record of every file: magic "flumegolog", format version (u32), file id (u32)
//	recPut     one event: uvarint header count, then per header uvarint key length, key,
//	           uvarint value length, value; the rest is the event body
//	recCommit  closes the recPut records of its transaction just before it: put count (u32)
//	recTake    a committed take: per taken event the file id (u32) and offset (u32) of its recPut
//
// A file ends at its first record that is short, has an impossible length
// or a wrong CRC (a torn write at a crash leaves exactly that); the channel
// never appends after such a tail because every start opens a new file.
const (
	recHeader byte = 1
	recPut    byte = 2
	recCommit byte = 3
	recTake   byte = 4

	recordHeaderSize = 8
	payloadFixed     = 9 // type + transaction id
	// maxPayload bounds one record (one event): 1 GiB.
	maxPayload = 1 << 30

	logMagic      = "flumegolog"
	formatVersion = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errBadRecord reports a record that is truncated, oversized or fails its CRC.
var errBadRecord = errors.New("invalid record")

// ptr locates a recPut record: its file, its offset in the file and its
// total size (header included). The queue is a list of ptrs; events stay on
// disk until taken.
type ptr struct {
	file, off, size uint32
}

// key identifies the record the pointer designates.
func (p ptr) key() uint64 { return uint64(p.file)<<32 | uint64(p.off) }

// appendRecordStart reserves a record header and writes type and txid; the
// caller appends the body and calls finishRecord with the start offset.
func appendRecordStart(buf []byte, typ byte, txid uint64) []byte {
	buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0, typ)
	return binary.LittleEndian.AppendUint64(buf, txid)
}

// finishRecord fills in the length and CRC of the record starting at start
// and returns its total size.
func finishRecord(buf []byte, start int) uint32 {
	payload := buf[start+recordHeaderSize:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, castagnoli))
	return uint32(len(buf) - start)
}

// eventRecordSize returns the encoded size of e's recPut record.
func eventRecordSize(e flume.Event) int {
	n := recordHeaderSize + payloadFixed + uvarintLen(uint64(e.HeaderCount())) + len(e.Body)
	for k, v := range e.AllHeaders() {
		n += uvarintLen(uint64(len(k))) + len(k) + uvarintLen(uint64(len(v))) + len(v)
	}
	return n
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendPut appends e as a recPut record and returns the buffer and the
// record's size.
func appendPut(buf []byte, txid uint64, e flume.Event) ([]byte, uint32) {
	start := len(buf)
	buf = appendRecordStart(buf, recPut, txid)
	buf = binary.AppendUvarint(buf, uint64(e.HeaderCount()))
	for k, v := range e.AllHeaders() {
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
	}
	buf = append(buf, e.Body...)
	return buf, finishRecord(buf, start)
}

// appendCommit appends the recCommit record closing n puts of txid.
func appendCommit(buf []byte, txid uint64, n int) ([]byte, uint32) {
	start := len(buf)
	buf = appendRecordStart(buf, recCommit, txid)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(n))
	return buf, finishRecord(buf, start)
}

// appendTake appends the recTake record of a committed take of ptrs.
func appendTake(buf []byte, txid uint64, ptrs []ptr) ([]byte, uint32) {
	start := len(buf)
	buf = appendRecordStart(buf, recTake, txid)
	for _, p := range ptrs {
		buf = binary.LittleEndian.AppendUint32(buf, p.file)
		buf = binary.LittleEndian.AppendUint32(buf, p.off)
	}
	return buf, finishRecord(buf, start)
}

// appendHeader appends the header record of log file id.
func appendHeader(buf []byte, id uint32) ([]byte, uint32) {
	start := len(buf)
	buf = appendRecordStart(buf, recHeader, 0)
	buf = append(buf, logMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, formatVersion)
	buf = binary.LittleEndian.AppendUint32(buf, id)
	return buf, finishRecord(buf, start)
}

// record is one decoded record; body aliases the input.
type record struct {
	typ  byte
	txid uint64
	body []byte
	size uint32 // total size, header included
}

// recordLen validates a record header and returns the record's total size.
func recordLen(hdr []byte) (uint32, error) {
	if len(hdr) < recordHeaderSize {
		return 0, errBadRecord
	}
	n := binary.LittleEndian.Uint32(hdr)
	if n < payloadFixed || n > maxPayload {
		return 0, errBadRecord
	}
	return n + recordHeaderSize, nil
}

// parseRecord decodes the record at the start of b (which must hold the
// whole record) and checks its CRC.
func parseRecord(b []byte) (record, error) {
	size, err := recordLen(b)
	if err != nil {
		return record{}, err
	}
	if uint64(len(b)) < uint64(size) {
		return record{}, errBadRecord
	}
	payload := b[recordHeaderSize:size]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return record{}, errBadRecord
	}
	r := record{typ: payload[0], txid: binary.LittleEndian.Uint64(payload[1:]), body: payload[payloadFixed:], size: size}
	switch r.typ {
	case recHeader, recPut, recCommit, recTake:
	default:
		return record{}, fmt.Errorf("%w: unknown type %d", errBadRecord, r.typ)
	}
	return r, nil
}

// decodeEvent decodes a recPut body, its headers into hb (see
// flume.HeaderBuffer). The event's body aliases b, which must not be
// modified afterwards. A header name written twice (only a hand-made
// record can) gets its last value.
func decodeEvent(b []byte, hb *flume.HeaderBuffer) (flume.Event, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) { // every header takes at least 2 bytes
		return flume.Event{}, fmt.Errorf("%w: bad header count", errBadRecord)
	}
	b = b[k:]
	for i := uint64(0); i < n; i++ {
		var key, val string
		var err error
		if key, b, err = readString(b); err == nil {
			val, b, err = readString(b)
		}
		if err != nil {
			hb.Discard()
			return flume.Event{}, err
		}
		hb.Add(key, val)
	}
	var e flume.Event
	hb.Attach(&e)
	e.Body = b[:len(b):len(b)]
	return e, nil
}

// readString reads a uvarint-prefixed string that aliases b (for
// HeaderBuffer.Add, which copies it).
func readString(b []byte) (string, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, fmt.Errorf("%w: bad header length", errBadRecord)
	}
	if n == 0 {
		return "", b[k:], nil
	}
	return unsafe.String(&b[k], int(n)), b[k+int(n):], nil
}

// decodeTake decodes a recTake body into the keys of the taken records.
func decodeTake(b []byte, dst []uint64) ([]uint64, error) {
	if len(b)%8 != 0 {
		return dst, fmt.Errorf("%w: take record of %d bytes", errBadRecord, len(b))
	}
	for ; len(b) > 0; b = b[8:] {
		dst = append(dst, uint64(binary.LittleEndian.Uint32(b))<<32|uint64(binary.LittleEndian.Uint32(b[4:])))
	}
	return dst, nil
}

// decodeHeader checks a recHeader body and returns the file id it names.
func decodeHeader(r record) (uint32, error) {
	if r.typ != recHeader || len(r.body) != len(logMagic)+8 || string(r.body[:len(logMagic)]) != logMagic {
		return 0, errors.New("not a flumego log file (no header record)")
	}
	if v := binary.LittleEndian.Uint32(r.body[len(logMagic):]); v != formatVersion {
		return 0, fmt.Errorf("log format version %d, this build reads %d", v, formatVersion)
	}
	return binary.LittleEndian.Uint32(r.body[len(logMagic)+4:]), nil
}
