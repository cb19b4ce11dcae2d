package file

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// writer is the group commit loop: it takes every commit waiting, writes
// their records to the active log file, fsyncs once, applies them to the
// queue in log order and answers them.
func (c *Channel) writer() {
	defer c.wg.Done()
	var tick <-chan time.Time
	if !c.cfg.FsyncPerTransaction {
		t := time.NewTicker(c.cfg.FsyncInterval)
		defer t.Stop()
		tick = t.C
	}
	batch := make([]*transaction, 0, 64)
	for {
		select {
		case tx := <-c.reqs:
			batch = append(batch[:0], tx)
		case <-tick:
			c.syncActive()
			continue
		case <-c.quit:
			if err := c.closeActive(); err != nil {
				c.log.Error("file channel: closing the data log failed", "file", c.active.path, "error", err)
			}
			return
		}
	drain:
		for len(batch) < 4096 {
			select {
			case tx := <-c.reqs:
				batch = append(batch, tx)
			default:
				break drain
			}
		}
		c.commitGroup(batch)
		clear(batch)
	}
}

func (c *Channel) syncActive() {
	if c.active != nil && !c.broken {
		if err := syncLog(c.active.f); err != nil {
			c.log.Error("file channel: fsync of the data log failed", "file", c.active.path, "error", err)
			c.broken = true
		} else {
			c.counter.FsyncCount.Add(1)
		}
	}
}

// commitGroup writes, syncs and applies one group of commits.
func (c *Channel) commitGroup(batch []*transaction) {
	putBytes := 0
	for _, tx := range batch {
		if tx.nPuts > 0 {
			putBytes += len(tx.buf)
		}
	}
	var spaceErr error
	if putBytes > 0 {
		spaceErr = c.space.check(uint64(putBytes))
	}
	c.writeLow.Store(c.active.id)
	var failed error
	wrote := false
	var end ptr
	for _, tx := range batch {
		switch {
		case tx.nPuts > 0 && spaceErr != nil:
			tx.err = spaceErr
		case failed != nil:
			tx.err = failed
		default:
			if err := c.writeTx(tx); err != nil {
				failed = fmt.Errorf("write to the data log: %w", err)
				tx.err = failed
				c.broken = true
			} else {
				wrote = true
				end = ptr{file: c.active.id, off: c.activeSize}
			}
		}
	}
	if wrote {
		if hookAfterAppend != nil {
			hookAfterAppend()
		}
		if c.cfg.FsyncPerTransaction {
			if err := syncLog(c.active.f); err != nil {
				err = fmt.Errorf("fsync of the data log %s: %w", c.active.path, err)
				c.log.Error("file channel: commit failed", "error", err)
				c.broken = true
				wrote = false
				for _, tx := range batch {
					if tx.err == nil {
						tx.err = err
					}
				}
			} else {
				c.counter.FsyncCount.Add(1)
			}
		}
		c.counter.CommitGroupCount.Add(1)
	}
	c.mu.Lock()
	for _, tx := range batch {
		if tx.err != nil {
			continue
		}
		if tx.nPuts > 0 {
			c.reserved -= tx.nPuts
			c.q.PushBack(tx.ptrs)
			c.addRefs(tx.ptrs, 1)
		} else {
			c.inflight -= len(tx.takes)
			c.addRefs(tx.takes, -1)
			delete(c.takers, tx)
		}
		if !c.cfg.FsyncPerTransaction {
			c.counter.UnsyncedCommitCount.Add(1)
		}
	}
	if wrote {
		c.applied = end
	}
	c.counter.ChannelSize.Store(int64(c.q.Len()))
	c.cond.Broadcast()
	c.mu.Unlock()
	c.writeLow.Store(c.active.id)
	for _, tx := range batch {
		tx.reply <- struct{}{}
	}
}

// writeTx appends tx's records to the log, starting a new file whenever
// the next record would take the active file past maxFileSize, and records
// where its events landed.
func (c *Channel) writeTx(tx *transaction) error {
	if c.broken {
		if err := c.rotate(); err != nil {
			return err
		}
	}
	tx.ptrs = tx.ptrs[:0]
	c.ensureAllocated(int64(c.activeSize) + int64(len(tx.buf)))
	segStart, segOff := 0, c.activeSize // pending bytes of buf and where they go
	pos := 0
	for i, sz := range tx.sizes {
		if int64(c.activeSize)+int64(sz) > c.cfg.MaxFileSize && c.activeSize > headerRecordSize {
			if _, err := writeLog(c.active.f, tx.buf[segStart:pos], int64(segOff)); err != nil {
				return err
			}
			if err := c.rotate(); err != nil {
				return err
			}
			c.ensureAllocated(int64(c.activeSize) + int64(len(tx.buf)-pos))
			segStart, segOff = pos, c.activeSize
		}
		if i < tx.nPuts {
			tx.ptrs = append(tx.ptrs, ptr{file: c.active.id, off: c.activeSize, size: sz})
		}
		c.activeSize += sz
		pos += int(sz)
	}
	_, err := writeLog(c.active.f, tx.buf[segStart:pos], int64(segOff))
	return err
}

// preallocStep is how far ahead of the writes log files are preallocated.
const preallocStep = 16 << 20

// ensureAllocated preallocates the active file up to at least end.
func (c *Channel) ensureAllocated(end int64) {
	if end <= c.allocated {
		return
	}
	n := min(max(end, c.allocated+preallocStep), max(end, c.cfg.MaxFileSize)) - c.allocated
	preallocate(c.active.f, c.allocated, n)
	c.allocated += n
}

// closeActive trims the preallocated tail of the active file and syncs it.
func (c *Channel) closeActive() error {
	if c.active == nil || c.broken {
		return nil
	}
	if c.allocated > int64(c.activeSize) {
		if err := c.active.f.Truncate(int64(c.activeSize)); err != nil {
			return err
		}
		c.allocated = int64(c.activeSize)
	}
	return syncLog(c.active.f)
}

// rotate closes the active log file for writing (after an fsync) and
// starts the next one.
func (c *Channel) rotate() error {
	if err := c.closeActive(); err != nil {
		return err
	}
	lf, err := c.logs.create(c.nextFileID)
	if err != nil {
		return err
	}
	c.nextFileID++
	c.active, c.activeSize, c.allocated, c.broken = lf, headerRecordSize, int64(headerRecordSize), false
	c.counter.LogFileCount.Store(int64(c.logs.count()))
	return nil
}

// spaceChecker enforces minimumRequiredSpace on the disks of the data and
// checkpoint directories (the lowest free space counts). The probe (statfs)
// runs at most every 100 ms; in between, bytes written are subtracted from
// the last figure.
type spaceChecker struct {
	dirs  []string
	min   uint64
	probe func(dir string) (uint64, error)

	mu      sync.Mutex
	at      time.Time
	free    uint64
	freeDir string
	since   uint64
}

func (s *spaceChecker) check(need uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.at) > 100*time.Millisecond || s.since+need > s.free/4 {
		free, dir := uint64(math.MaxUint64), ""
		for _, d := range s.dirs {
			f, err := s.probe(d)
			if err != nil {
				return flume.NewChannelError(fmt.Sprintf("cannot determine the free space in %s: %v", d, err))
			}
			if f < free {
				free, dir = f, d
			}
		}
		s.at, s.free, s.freeDir, s.since = time.Now(), free, dir, 0
	}
	avail := uint64(0)
	if s.free > s.since {
		avail = s.free - s.since
	}
	if avail < need || avail-need < s.min {
		return flume.NewChannelError(fmt.Sprintf("usable space in %s is %d bytes, below minimumRequiredSpace (%d bytes) for this write of %d bytes; free disk space or lower minimumRequiredSpace",
			s.freeDir, avail, s.min, need))
	}
	s.since += need
	return nil
}
