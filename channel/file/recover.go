package file

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// recovered is the queue rebuilt at start.
type recovered struct {
	source   string // checkpoint, backup, logs or empty
	ptrs     []ptr
	nextTxID uint64
	replayed int // log records applied after the checkpoint
	// tailFile is the last log file replayed and tailEnd the offset after
	// its last valid record.
	tailFile, tailEnd uint32
	// lowest log file the primary and backup checkpoints on disk need
	primaryMinLive, backupMinLive uint32
}

// recover rebuilds the queue: from the primary checkpoint if it is present
// and verifies, else from the backup checkpoint, else from the data logs
// alone; then it replays the log records written after the checkpoint. The
// primary checkpoint database stays open in c.db when it was usable.
func (c *Channel) recover(ctx context.Context) (*recovered, error) {
	sizes := make(map[uint32]int64)
	for _, id := range c.logs.ids() {
		st, err := c.logs.get(id).f.Stat()
		if err != nil {
			return nil, err
		}
		sizes[id] = st.Size()
	}
	rec := &recovered{primaryMinLive: math.MaxUint32, backupMinLive: math.MaxUint32}
	var snap *snapshot
	primary := c.primaryPath()
	_, statErr := os.Stat(primary)
	switch {
	case errors.Is(statErr, os.ErrNotExist):
		if len(sizes) > 0 {
			c.log.Warn("file channel: the checkpoint is missing", "path", primary)
		}
	case statErr != nil:
		return nil, statErr
	default:
		s, err := c.openPrimary(primary, sizes)
		if err != nil {
			bad := primary + ".corrupt"
			c.log.Warn("file channel: the checkpoint is unusable; set aside", "path", primary, "moved_to", bad, "error", err)
			if err := os.Rename(primary, bad); err != nil {
				return nil, fmt.Errorf("set aside the unusable checkpoint: %w", err)
			}
		} else {
			snap, rec.source = s, "checkpoint"
			rec.primaryMinLive = s.state.minLive
		}
	}
	if c.cfg.UseDualCheckpoints {
		backup := filepath.Join(c.cfg.BackupCheckpointDir, checkpointName)
		b, err := loadCheckpointFile(backup)
		if err == nil {
			err = verifySnapshot(b, c.logs, sizes)
		}
		switch {
		case err == nil:
			rec.backupMinLive = b.state.minLive
			if snap == nil {
				snap, rec.source = b, "backup"
				c.log.Warn("file channel: recovering from the backup checkpoint", "path", backup)
			}
		case snap == nil && !errors.Is(err, os.ErrNotExist):
			c.log.Warn("file channel: the backup checkpoint is unusable", "path", backup, "error", err)
		}
	}
	from := ptr{}
	if snap != nil {
		rec.ptrs = snap.ptrs
		rec.nextTxID = snap.state.nextTxID
		from = ptr{file: snap.state.replayFile, off: snap.state.replayOff}
	} else if len(sizes) > 0 {
		rec.source = "logs"
		c.log.Warn("file channel: no usable checkpoint; rebuilding the queue from the data logs")
	} else {
		rec.source = "empty"
	}
	if err := c.replay(ctx, rec, from); err != nil {
		return nil, err
	}
	return rec, nil
}

// openPrimary opens the primary checkpoint database, loads and verifies it.
func (c *Channel) openPrimary(path string, sizes map[uint32]int64) (snap *snapshot, err error) {
	defer func() {
		if r := recover(); r != nil {
			snap, err = nil, fmt.Errorf("checkpoint database is corrupt: %v", r)
		}
		if err != nil && c.db != nil {
			c.db.Close()
			c.db = nil
		}
	}()
	db, err := openBolt(path, false)
	if err != nil {
		return nil, err
	}
	c.db = db
	if snap, err = readCheckpoint(db); err != nil {
		return nil, err
	}
	return snap, verifySnapshot(snap, c.logs, sizes)
}

// verifySnapshot checks a checkpoint against the log files on disk: the
// file it replays from and every file its events point into must exist and
// hold the records, and the first and last queued events must read back.
func verifySnapshot(s *snapshot, logs *logSet, sizes map[uint32]int64) error {
	st := s.state
	size, ok := sizes[st.replayFile]
	if !ok {
		return fmt.Errorf("log file %d, which the checkpoint replays from, is missing", st.replayFile)
	}
	if int64(st.replayOff) > size {
		return fmt.Errorf("checkpoint replays log file %d from offset %d, past its end (%d)", st.replayFile, st.replayOff, size)
	}
	for _, p := range s.ptrs {
		size, ok := sizes[p.file]
		if !ok {
			return fmt.Errorf("log file %d, which holds queued events, is missing", p.file)
		}
		if int64(p.off)+int64(p.size) > size || p.size < recordHeaderSize+payloadFixed {
			return fmt.Errorf("queued event at log file %d offset %d lies past the end of the file", p.file, p.off)
		}
	}
	if n := len(s.ptrs); n > 0 {
		probe := []ptr{s.ptrs[0], s.ptrs[n-1]}
		if _, bad, errs := logs.readEvents(probe, nil); len(bad) > 0 {
			return fmt.Errorf("queued event does not read back: %w", errs[0])
		}
	}
	return nil
}

// replay applies the log records after position from (or, when from is the
// zero position, every record of every file) to rec: committed puts are
// appended to the queue, committed takes removed from it. Puts without
// their commit record are discarded: their transaction did not commit.
func (c *Channel) replay(ctx context.Context, rec *recovered, from ptr) error {
	var (
		taken     []uint64
		pending   []ptr
		pendingTx uint64
		maxTx     = rec.nextTxID
		replayed  int
		start     = time.Now()
		lastID    uint32
		// A full replay, or one going on after missing files, may begin
		// in the middle of a transaction whose first put records lay in a
		// deleted file. A file is deleted only when no queued event points
		// into it, so those events were all taken: the commit accepts the
		// records found. headless is set while no record of the window
		// has been read; headlessTx is the transaction it began with.
		headless   = from == ptr{}
		headlessTx uint64
	)
	for _, id := range c.logs.ids() {
		if id < from.file {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if lastID != 0 && id != lastID+1 {
			c.log.Warn("file channel: data log files are missing between two replayed files", "after", lastID, "next", id)
			pending, pendingTx = pending[:0], 0
			headless = true
		}
		lastID = id
		lf := c.logs.get(id)
		off := uint32(0)
		if id == from.file {
			off = from.off
		}
		end, torn, err := lf.scan(off, func(at uint32, r record) error {
			maxTx = max(maxTx, r.txid)
			switch r.typ {
			case recHeader:
				return nil
			case recPut:
				if r.txid != pendingTx {
					pending, pendingTx = pending[:0], r.txid
					if headless {
						headlessTx = r.txid
					}
				}
				pending = append(pending, ptr{file: id, off: at, size: r.size})
			case recCommit:
				if r.txid == pendingTx && len(r.body) == 4 && int(uint32(len(pending))) == len(pending) {
					n := leUint32(r.body)
					if n == uint32(len(pending)) || r.txid == headlessTx && n > uint32(len(pending)) {
						rec.ptrs = append(rec.ptrs, pending...)
						replayed += len(pending) + 1
					}
				}
				pending, pendingTx = pending[:0], 0
			case recTake:
				var err error
				if taken, err = decodeTake(r.body, taken); err != nil {
					return nil // cannot happen with a valid CRC; ignore the record
				}
				replayed++
			}
			headless = false
			return nil
		})
		if err != nil {
			return fmt.Errorf("replay %s: %w", lf.path, err)
		}
		rec.tailFile, rec.tailEnd = id, end
		if torn {
			st, _ := lf.f.Stat()
			var size int64
			if st != nil {
				size = st.Size()
			}
			c.log.Warn("file channel: data log ends with an incomplete record (a write cut short by a crash); the rest of the file is ignored",
				"file", lf.path, "valid_bytes", end, "ignored_bytes", size-int64(end))
			pending, pendingTx = pending[:0], 0
		}
	}
	if len(taken) > 0 {
		slices.Sort(taken)
		kept := rec.ptrs[:0]
		for _, p := range rec.ptrs {
			if _, found := slices.BinarySearch(taken, p.key()); !found {
				kept = append(kept, p)
			}
		}
		rec.ptrs = kept
	}
	rec.nextTxID = maxTx + 1
	rec.replayed = replayed
	if replayed > 0 {
		c.log.Info("file channel: replayed the data logs", "records", replayed, "duration", time.Since(start))
	}
	return nil
}

func leUint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
