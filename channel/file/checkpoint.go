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
)

// The checkpoint is a bbolt database, checkpoint.db, in checkpointDir:
//
//	bucket "meta"   key "state"  checkpointState (fixed layout, own CRC-32C)
//	bucket "queue"  key u32 BE i  pointers i*chunkPtrs .. (i+1)*chunkPtrs-1 of the queue,
//	                             12 bytes each: file id, offset, record size (u32 LE)
//
// The queue is stored in queue order with the events held by open take
// transactions first, so that after a crash they are redelivered first. The
// state names the log position the snapshot reflects; recovery replays the
// records after it. With useDualCheckpoints the database is copied (bbolt's
// consistent hot copy) to backupCheckpointDir/checkpoint.db through a
// temporary file and a rename after every checkpoint.
const (
	checkpointName = "checkpoint.db"
	chunkPtrs      = 4096
	ptrSize        = 12
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

// snapshot is a checkpoint in memory.
type snapshot struct {
	state checkpointState
	ptrs  []ptr
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

func encodeChunk(dst []byte, ps []ptr) []byte {
	for _, p := range ps {
		dst = binary.LittleEndian.AppendUint32(dst, p.file)
		dst = binary.LittleEndian.AppendUint32(dst, p.off)
		dst = binary.LittleEndian.AppendUint32(dst, p.size)
	}
	return dst
}

func openBolt(path string, readOnly bool) (*bolt.DB, error) {
	return bolt.Open(path, 0o644, &bolt.Options{Timeout: time.Second, ReadOnly: readOnly, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
}

// writeCheckpoint stores snap in db in one bbolt transaction (atomic: a
// crash leaves the previous checkpoint).
func writeCheckpoint(db *bolt.DB, snap *snapshot) error {
	return db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketQueue); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		q, err := tx.CreateBucket(bucketQueue)
		if err != nil {
			return err
		}
		q.FillPercent = 1 // keys are appended in order
		crc := uint32(0)
		buf := make([]byte, 0, chunkPtrs*ptrSize)
		var key [4]byte
		for i := 0; i*chunkPtrs < len(snap.ptrs); i++ {
			chunk := snap.ptrs[i*chunkPtrs : min(len(snap.ptrs), (i+1)*chunkPtrs)]
			buf = encodeChunk(buf[:0], chunk)
			crc = crc32.Update(crc, castagnoli, buf)
			binary.BigEndian.PutUint32(key[:], uint32(i))
			if err := q.Put(key[:], buf); err != nil { // bbolt copies the value
				return err
			}
			if i == 0 && hookCheckpointWrite != nil {
				hookCheckpointWrite()
			}
		}
		if len(snap.ptrs) == 0 && hookCheckpointWrite != nil {
			hookCheckpointWrite()
		}
		snap.state.queueLen = uint64(len(snap.ptrs))
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
			if len(k) != 4 || binary.BigEndian.Uint32(k) != i || len(v)%ptrSize != 0 || uint64(len(snap.ptrs)+len(v)/ptrSize) > st.queueLen {
				return fmt.Errorf("checkpoint queue chunk %d is malformed", i)
			}
			crc = crc32.Update(crc, castagnoli, v)
			for ; len(v) > 0; v = v[ptrSize:] {
				snap.ptrs = append(snap.ptrs, ptr{
					file: binary.LittleEndian.Uint32(v),
					off:  binary.LittleEndian.Uint32(v[4:]),
					size: binary.LittleEndian.Uint32(v[8:]),
				})
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
	return syncDir(dir)
}

// removeTemps deletes temporary backup files a crash left behind.
func removeTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, checkpointName+".tmp-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}
