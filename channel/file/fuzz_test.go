package file

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// FuzzRecord feeds arbitrary bytes to the record and event decoders, which
// must reject or decode them without panicking; whatever decodes as an
// event must encode back to the same record.
func FuzzRecord(f *testing.F) {
	rec, _ := appendPut(nil, 7, flumetest.Event("body", "k", "v", "seq", "1"))
	f.Add(rec)
	f.Add(mustRecord(appendCommit(nil, 7, 3)))
	f.Add(mustRecord(appendTake(nil, 9, []ptr{{file: 1, off: 35}, {file: 2, off: 100}})))
	f.Add(mustRecord(appendHeader(nil, 3)))
	f.Add([]byte{0x7f, 0, 0, 0, 1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRecord(b)
		if err != nil {
			return
		}
		switch r.typ {
		case recPut:
			e, err := decodeEvent(r.body, new(flume.HeaderBuffer))
			if err != nil {
				return
			}
			if eventRecordSize(e) > int(r.size) {
				t.Fatalf("decoded event needs %d bytes, record has %d", eventRecordSize(e), r.size)
			}
			// Headers keep their order; only a record with a duplicate
			// name (which flumego never writes) decodes to fewer.
			if count, _ := binary.Uvarint(r.body); count == uint64(e.HeaderCount()) {
				again, n := appendPut(nil, r.txid, e)
				if int(n) == len(b[:r.size]) && !bytes.Equal(again, b[:r.size]) {
					t.Fatalf("event does not re-encode to its record")
				}
			}
		case recTake:
			_, _ = decodeTake(r.body, nil)
		case recHeader:
			_, _ = decodeHeader(r)
		}
	})
}

func mustRecord(b []byte, _ uint32) []byte { return b }

// FuzzScan writes arbitrary bytes after a valid header as a log file and
// scans it: the scan must stop at the first invalid record without
// panicking and report only records that lie within the file.
func FuzzScan(f *testing.F) {
	var seed []byte
	seed, _ = appendPut(seed, 1, flume.Event{Body: []byte("a")})
	seed, _ = appendCommit(seed, 1, 1)
	f.Add(seed)
	f.Add(append(bytes.Clone(seed), 1, 2, 3))
	f.Add(make([]byte, 40))
	f.Fuzz(func(t *testing.T, tail []byte) {
		path := filepath.Join(t.TempDir(), "log-1")
		hdr, _ := appendHeader(nil, 1)
		if err := os.WriteFile(path, append(hdr, tail...), 0o644); err != nil {
			t.Fatal(err)
		}
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		lf := &logFile{id: 1, path: path, f: fh}
		size := uint32(len(hdr) + len(tail))
		end, _, err := lf.scan(0, func(off uint32, r record) error {
			if off+r.size > size {
				t.Fatalf("record at %d of %d bytes passes the end of the file (%d)", off, r.size, size)
			}
			return nil
		})
		if err != nil || end > size || end < uint32(len(hdr)) {
			t.Fatalf("scan ended at %d of %d: %v", end, size, err)
		}
	})
}

// FuzzCheckpointChunk decodes arbitrary queue chunks; what decodes must
// encode back to the same pointers.
func FuzzCheckpointChunk(f *testing.F) {
	var e ptrEncoder
	for _, p := range []ptr{{1, 35, 40}, {1, 75, 41}, {3, 35, 1000}, {3, 1035, 20}} {
		e.add(p)
	}
	f.Add(e.finish()[0])
	f.Add([]byte{0x81, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := decodeChunk(nil, b, math.MaxUint64)
		if err != nil {
			return
		}
		var e ptrEncoder
		for _, p := range ps {
			e.add(p)
		}
		var again []ptr
		for _, ch := range e.finish() {
			if again, err = decodeChunk(again, ch, math.MaxUint64); err != nil {
				t.Fatal(err)
			}
		}
		if len(again) != len(ps) {
			t.Fatalf("re-encoded %d pointers as %d", len(ps), len(again))
		}
		for i := range ps {
			if again[i] != ps[i] {
				t.Fatalf("pointer %d: %v became %v", i, ps[i], again[i])
			}
		}
	})
}
