package taildir

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"

	"github.com/flumego/flume/internal/durable"
)

// The state file (<positionFile>.flumego) holds what Flume's position file
// cannot: each file's device, fingerprint and file group, and a journal of
// the positions committed since the position file was last written. Flume's
// reader stops at keys it does not know, so none of this can go into the
// position file itself.
//
// It is a sequence of records, each a little-endian uint32 payload length, a
// CRC-32C of the payload and the payload, whose first byte is its kind:
//
//	'H' header: format version (1), SHA-256 of the position file written
//	    with this snapshot
//	'E' entry: one tracked file, complete (snapshot, new file, new path)
//	'P' position: a file's committed position and fingerprint
//	'D' drop: a file no longer tracked
//
// A compaction writes the position file and a new state file (header and
// one entry per file) atomically; commits then append 'P' records without
// fsync, so a killed process loses none of them, while a power failure
// loses at most what followed the last compaction. Reading stops at the
// first damaged record (a torn tail).
const (
	stateSuffix  = ".flumego"
	lockSuffix   = ".lock" // held by the running source
	stateVersion = 1

	recHeader   = 'H'
	recEntry    = 'E'
	recPosition = 'P'
	recDrop     = 'D'
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileID identifies a file: device and inode numbers.
type fileID struct{ dev, ino uint64 }

// stateEntry is what the state file knows of one file.
type stateEntry struct {
	id    fileID
	pos   int64
	fp    fingerprint
	group string
	path  string
}

// savedState is the content of a state file.
type savedState struct {
	posFileHash [sha256.Size]byte
	entries     map[fileID]*stateEntry
	order       []fileID // first appearance, for a stable position file
}

// readState reads a state file. A missing file is an empty state; a file
// that does not start with a valid header is an error; records after the
// first damaged one are ignored.
func readState(path string) (*savedState, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeState(data)
}

func decodeState(data []byte) (*savedState, error) {
	st := &savedState{entries: map[fileID]*stateEntry{}}
	first := true
records:
	for len(data) > 0 {
		payload, rest, ok := nextRecord(data)
		if !ok {
			break // a torn or damaged tail
		}
		data = rest
		d := decoder{b: payload[1:]}
		switch kind := payload[0]; {
		case first && kind != recHeader:
			return nil, fmt.Errorf("state file does not start with a header")
		case kind == recHeader:
			if !first {
				return nil, fmt.Errorf("state file has a second header")
			}
			if v := d.u8(); v != stateVersion {
				return nil, fmt.Errorf("state file version %d (this flumego reads version %d)", v, stateVersion)
			}
			copy(st.posFileHash[:], d.bytes(sha256.Size))
			if d.bad {
				return nil, fmt.Errorf("state file header is damaged")
			}
		case kind == recEntry:
			e := &stateEntry{id: d.id(), pos: d.i64(), fp: d.fp()}
			e.group = string(d.bytes(int(d.u16())))
			e.path = string(d.b)
			if d.bad {
				break records
			}
			if _, ok := st.entries[e.id]; !ok {
				st.order = append(st.order, e.id)
			}
			st.entries[e.id] = e
		case kind == recPosition:
			id, pos, fp := d.id(), d.i64(), d.fp()
			if d.bad {
				break records
			}
			if e := st.entries[id]; e != nil {
				e.pos, e.fp = pos, fp
			}
		case kind == recDrop:
			id := d.id()
			if d.bad {
				break records
			}
			delete(st.entries, id)
		default:
			break records // unknown kind: stop as at a damaged record
		}
		first = false
	}
	if first {
		return nil, fmt.Errorf("state file is empty or damaged")
	}
	live := st.order[:0]
	for _, id := range st.order {
		if st.entries[id] != nil {
			live = append(live, id)
		}
	}
	st.order = live
	return st, nil
}

// nextRecord splits the first record off data.
func nextRecord(data []byte) (payload, rest []byte, ok bool) {
	if len(data) < 8 {
		return nil, nil, false
	}
	n := binary.LittleEndian.Uint32(data)
	sum := binary.LittleEndian.Uint32(data[4:])
	if n == 0 || uint64(n) > uint64(len(data)-8) {
		return nil, nil, false
	}
	payload = data[8 : 8+n]
	if crc32.Checksum(payload, castagnoli) != sum {
		return nil, nil, false
	}
	return payload, data[8+n:], true
}

// decoder reads fixed-size fields; reading past the end sets bad.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) bytes(n int) []byte {
	if n > len(d.b) {
		d.bad = true
		d.b = nil
		return make([]byte, n)
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8   { return d.bytes(1)[0] }
func (d *decoder) u16() uint16 { return binary.LittleEndian.Uint16(d.bytes(2)) }
func (d *decoder) u64() uint64 { return binary.LittleEndian.Uint64(d.bytes(8)) }
func (d *decoder) i64() int64  { return int64(d.u64()) }
func (d *decoder) id() fileID  { return fileID{dev: d.u64(), ino: d.u64()} }

func (d *decoder) fp() fingerprint {
	fp := fingerprint{headLen: int(d.u16()), head: d.u64(), markEnd: d.i64(), markLen: int(d.u16()), mark: d.u64()}
	if fp.headLen > headMax || fp.markLen > markMax || fp.markEnd < int64(fp.markLen) {
		d.bad = true
	}
	return fp
}

// Record encoders append one framed record to b.

func appendRecord(b []byte, payload func([]byte) []byte) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = payload(b)
	p := b[start+8:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(p)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(p, castagnoli))
	return b
}

func appendID(b []byte, id fileID) []byte {
	b = binary.LittleEndian.AppendUint64(b, id.dev)
	return binary.LittleEndian.AppendUint64(b, id.ino)
}

func appendFP(b []byte, fp fingerprint) []byte {
	b = binary.LittleEndian.AppendUint16(b, uint16(fp.headLen))
	b = binary.LittleEndian.AppendUint64(b, fp.head)
	b = binary.LittleEndian.AppendUint64(b, uint64(fp.markEnd))
	b = binary.LittleEndian.AppendUint16(b, uint16(fp.markLen))
	return binary.LittleEndian.AppendUint64(b, fp.mark)
}

func appendHeader(b []byte, posFileHash [sha256.Size]byte) []byte {
	return appendRecord(b, func(b []byte) []byte {
		b = append(b, recHeader, stateVersion)
		return append(b, posFileHash[:]...)
	})
}

func appendEntry(b []byte, e *stateEntry) []byte {
	return appendRecord(b, func(b []byte) []byte {
		b = append(b, recEntry)
		b = appendID(b, e.id)
		b = binary.LittleEndian.AppendUint64(b, uint64(e.pos))
		b = appendFP(b, e.fp)
		g := e.group[:min(len(e.group), 0xffff)]
		b = binary.LittleEndian.AppendUint16(b, uint16(len(g)))
		b = append(b, g...)
		return append(b, e.path...)
	})
}

func appendPosition(b []byte, id fileID, pos int64, fp fingerprint) []byte {
	return appendRecord(b, func(b []byte) []byte {
		b = append(b, recPosition)
		b = appendID(b, id)
		b = binary.LittleEndian.AppendUint64(b, uint64(pos))
		return appendFP(b, fp)
	})
}

func appendDrop(b []byte, id fileID) []byte {
	return appendRecord(b, func(b []byte) []byte {
		return appendID(append(b, recDrop), id)
	})
}

// journal appends records to the state file and compacts it together with
// Flume's position file. It is used from one goroutine.
type journal struct {
	posPath   string
	statePath string
	f         *os.File // the state file, open for appending; nil before the first compaction
	buf       []byte
	size      int64 // bytes appended since the last compaction
}

func newJournal(posPath string) *journal {
	return &journal{posPath: posPath, statePath: posPath + stateSuffix}
}

// append writes records (no fsync: the page cache survives a killed
// process). A failed write is returned; the caller compacts to recover.
func (j *journal) append(rec []byte) error {
	if j.f == nil {
		return errors.New("the state file is not open")
	}
	n, err := j.f.Write(rec)
	j.size += int64(n)
	if err != nil {
		// A partial record is a damaged tail; nothing after it would be
		// read, so stop appending until the next compaction.
		_ = j.f.Close()
		j.f = nil
		return fmt.Errorf("append to %s: %w", j.statePath, err)
	}
	return nil
}

// compact writes posFile (Flume's JSON) and a new state file holding
// entries, each first to a temporary file that is synced, then renamed
// into place, then the directory is synced. The new state file stays open
// for appending.
func (j *journal) compact(posFile []byte, entries []*stateEntry) error {
	state := appendHeader(j.buf[:0], sha256.Sum256(posFile))
	for _, e := range entries {
		state = appendEntry(state, e)
	}
	j.buf = state[:0]
	posTmp, err := writeSynced(j.posPath+".tmp", posFile)
	if err != nil {
		return err
	}
	posTmp.Close()
	stateTmp, err := writeSynced(j.statePath+".tmp", state)
	if err != nil {
		os.Remove(j.posPath + ".tmp")
		return err
	}
	if err := os.Rename(j.posPath+".tmp", j.posPath); err != nil {
		stateTmp.Close()
		os.Remove(j.statePath + ".tmp")
		return fmt.Errorf("rename position file: %w", err)
	}
	if err := os.Rename(j.statePath+".tmp", j.statePath); err != nil {
		stateTmp.Close()
		return fmt.Errorf("rename state file: %w", err)
	}
	if err := durable.SyncDir(filepath.Dir(j.posPath)); err != nil {
		stateTmp.Close()
		return err
	}
	if j.f != nil {
		j.f.Close()
	}
	j.f, j.size = stateTmp, 0
	return nil
}

// close closes the state file.
func (j *journal) close() {
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
}

// writeSynced creates path with data and fsyncs it; the file stays open
// (write-only, positioned at its end).
func writeSynced(path string, data []byte) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return f, nil
}
