package file

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/flumego/flume/internal/durable"
)

// The checkpoint is a bbolt database, checkpoint.db, in checkpointDir:
//
//	bucket "meta"   key "state"  checkpointState (fixed layout, own CRC-32C)
//	bucket "queue"  key u32 BE i  chunk i of the queue's pointers, delta encoded:
//	                             uvarint(size<<1) when the record directly follows the
//	                             previous one in the same file, else
//	                             uvarint(size<<1|1) uvarint(file) uvarint(offset)
//
// (about 2 bytes per queued event). The queue is stored in queue order with
// the events held by open take transactions first, so that after a crash
// they are redelivered first. The state names the log position the
// snapshot reflects; recovery replays the records after it. With
// useDualCheckpoints the database is copied (bbolt's consistent hot copy) to
// backupCheckpointDir/checkpoint.db through a temporary file and a rename
// after every checkpoint.
const (
	checkpointName = "checkpoint.db"
	chunkBytes     = 64 << 10
	stateMagic     = "flumegockpt"
	stateSize      = len(stateMagic) + 4 + 4 + 4 + 8 + 8 + 4 + 4 + 8 + 8 + 4
)

var (
	bucketMeta  = []byte("meta")
	bucketQueue = []byte("queue")
	keyState    = []byte("state")
)

// checkpointState is the fixed part of a checkpoint.
type checkpointState struct {
	replayFile, replayOff uint32 // log position the snapshot reflects
	nextTxID              uint64 // transaction ids at or above are unused
	queueLen              uint64
	queueCRC              uint32 // CRC-32C of the queue chunks, in order
	minLive               uint32 // lowest log file id this checkpoint needs
	inflight              uint64 // leading pointers that were open takes
	written               int64  // unix nanoseconds
}

// snapshot is a checkpoint in memory: written from its encoded chunks,
// read into ptrs.
type snapshot struct {
	state  checkpointState
	chunks [][]byte
	ptrs   []ptr
}

// ptrEncoder builds the delta-encoded queue chunks of a snapshot.
type ptrEncoder struct {
	chunks [][]byte
	cur    []byte
	prev   ptr
	n      uint64
}

func (e *ptrEncoder) add(p ptr) {
	if len(e.cur)+maxPtrSize > chunkBytes || e.cur == nil {
		if e.cur != nil {
			e.chunks = append(e.chunks, e.cur)
		}
		e.cur = make([]byte, 0, chunkBytes)
		e.prev = ptr{} // every chunk starts with a full pointer
	}
	e.cur = appendPtr(e.cur, e.prev, p)
	e.prev = p
	e.n++
}

func (e *ptrEncoder) finish() [][]byte {
	if len(e.cur) > 0 {
		e.chunks = append(e.chunks, e.cur)
	}
	return e.chunks
}

// decodeChunk appends the pointers of one queue chunk to dst.
func decodeChunk(dst []ptr, b []byte, limit uint64) ([]ptr, error) {
	var prev ptr
	for len(b) > 0 {
		if uint64(len(dst)) >= limit {
			return dst, errors.New("more pointers than the state records")
		}
		p, k, err := readPtr(b, prev)
		if err != nil {
			return dst, err
		}
		if p.size == 0 {
			return dst, errors.New("pointer of size 0")
		}
		b = b[k:]
		dst = append(dst, p)
		prev = p
	}
	return dst, nil
}

func (s checkpointState) encode() []byte {
	b := make([]byte, 0, stateSize)
	b = append(b, stateMagic...)
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	b = binary.LittleEndian.AppendUint32(b, s.replayFile)
	b = binary.LittleEndian.AppendUint32(b, s.replayOff)
	b = binary.LittleEndian.AppendUint64(b, s.nextTxID)
	b = binary.LittleEndian.AppendUint64(b, s.queueLen)
	b = binary.LittleEndian.AppendUint32(b, s.queueCRC)
	b = binary.LittleEndian.AppendUint32(b, s.minLive)
	b = binary.LittleEndian.AppendUint64(b, s.inflight)
	b = binary.LittleEndian.AppendUint64(b, uint64(s.written))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func decodeState(b []byte) (checkpointState, error) {
	var s checkpointState
	if len(b) != stateSize || string(b[:len(stateMagic)]) != stateMagic {
		return s, errors.New("checkpoint state record is malformed")
	}
	if crc32.Checksum(b[:len(b)-4], castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return s, errors.New("checkpoint state fails its checksum")
	}
	b = b[len(stateMagic):]
	if v := binary.LittleEndian.Uint32(b); v != formatVersion {
		return s, fmt.Errorf("checkpoint format version %d, this build reads %d", v, formatVersion)
	}
	s.replayFile = binary.LittleEndian.Uint32(b[4:])
	s.replayOff = binary.LittleEndian.Uint32(b[8:])
	s.nextTxID = binary.LittleEndian.Uint64(b[12:])
	s.queueLen = binary.LittleEndian.Uint64(b[20:])
	s.queueCRC = binary.LittleEndian.Uint32(b[28:])
	s.minLive = binary.LittleEndian.Uint32(b[32:])
	s.inflight = binary.LittleEndian.Uint64(b[36:])
	s.written = int64(binary.LittleEndian.Uint64(b[44:]))
	return s, nil
}

func openBolt(path string, readOnly bool) (*bolt.DB, error) {
	return bolt.Open(path, 0o644, &bolt.Options{Timeout: time.Second, ReadOnly: readOnly, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
}

// writeCheckpoint stores snap in db in one bbolt transaction (atomic: a
// crash leaves the previous checkpoint).
func writeCheckpoint(db *bolt.DB, snap *snapshot) error {
	return db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketQueue); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return err
		}
		q, err := tx.CreateBucket(bucketQueue)
		if err != nil {
			return err
		}
		q.FillPercent = 1 // keys are appended in order
		crc := uint32(0)
		var key [4]byte
		for i, chunk := range snap.chunks {
			crc = crc32.Update(crc, castagnoli, chunk)
			binary.BigEndian.PutUint32(key[:], uint32(i))
			if err := q.Put(key[:], chunk); err != nil {
				return err
			}
		}
		if hookCheckpointWrite != nil {
			hookCheckpointWrite()
		}
		snap.state.queueCRC = crc
		m, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return m.Put(keyState, snap.state.encode())
	})
}

// readCheckpoint loads and checks the checkpoint in db. Corruption that
// makes bbolt panic is reported as an error.
func readCheckpoint(db *bolt.DB) (snap *snapshot, err error) {
	defer func() {
		if r := recover(); r != nil {
			snap, err = nil, fmt.Errorf("checkpoint database is corrupt: %v", r)
		}
	}()
	snap = &snapshot{}
	err = db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil {
			return errors.New("checkpoint holds no state")
		}
		st, err := decodeState(m.Get(keyState))
		if err != nil {
			return err
		}
		snap.state = st
		if st.queueLen > 1<<32 {
			return fmt.Errorf("checkpoint claims %d queued events", st.queueLen)
		}
		q := tx.Bucket(bucketQueue)
		if q == nil {
			return errors.New("checkpoint holds no queue")
		}
		snap.ptrs = make([]ptr, 0, st.queueLen)
		crc := uint32(0)
		i := uint32(0)
		c := q.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 4 || binary.BigEndian.Uint32(k) != i {
				return fmt.Errorf("checkpoint queue chunk %d is missing", i)
			}
			crc = crc32.Update(crc, castagnoli, v)
			var err error
			if snap.ptrs, err = decodeChunk(snap.ptrs, v, st.queueLen); err != nil {
				return fmt.Errorf("checkpoint queue chunk %d: %w", i, err)
			}
			i++
		}
		if uint64(len(snap.ptrs)) != st.queueLen || crc != st.queueCRC {
			return fmt.Errorf("checkpoint queue fails its checksum (%d of %d pointers)", len(snap.ptrs), st.queueLen)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// loadCheckpointFile opens the checkpoint at path read-only and loads it.
func loadCheckpointFile(path string) (snap *snapshot, err error) {
	defer func() {
		if r := recover(); r != nil {
			snap, err = nil, fmt.Errorf("checkpoint database is corrupt: %v", r)
		}
	}()
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path, true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return readCheckpoint(db)
}

// hookWriter calls hookBackupCopy once after the first write.
type hookWriter struct {
	w      io.Writer
	called bool
}

func (h *hookWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	if !h.called && hookBackupCopy != nil {
		h.called = true
		hookBackupCopy()
	}
	return n, err
}

// copyBackup writes a consistent copy of db to dir/checkpoint.db: a
// temporary file, fsync, rename, fsync of the directory. A crash at any
// point leaves the previous backup in place.
func copyBackup(db *bolt.DB, dir string) error {
	tmp, err := os.CreateTemp(dir, checkpointName+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	err = db.View(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(&hookWriter{w: tmp})
		return err
	})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, checkpointName)); err != nil {
		return err
	}
	return durable.SyncDir(dir)
}

// removeTemps deletes temporary backup files a crash left behind.
func removeTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, checkpointName+".tmp-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}
