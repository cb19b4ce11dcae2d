package file

import (
	"fmt"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/durable"
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
		case reply := <-c.rotateReq:
			reply <- c.rotateForSpace()
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
	// Space: puts must leave putLimit free; take records may use that
	// reserve (they are what lets the channel drain).
	total := uint64(0)
	for _, tx := range batch {
		total += uint64(len(tx.buf))
	}
	avail, dir, spaceErr := c.space.avail(total)
	avail += c.spare()
	held := c.held()
	limit := c.putLimit(held)
	refused := false
	for _, tx := range batch {
		need := uint64(len(tx.buf))
		switch {
		case spaceErr != nil:
			tx.err = spaceErr
		case tx.nPuts > 0 && (avail < need || avail-need < limit):
			refused = true
			tx.err = flume.NewChannelError(fmt.Sprintf("usable space in %s is %d bytes and this commit needs %d: puts must leave %d bytes free (minimumRequiredSpace %d, or what draining the %d events held writes, if more); puts are refused until the sinks drain the channel or disk space is freed",
				dir, avail, need, limit, c.cfg.MinimumRequiredSpace, held))
		case tx.nPuts == 0 && avail < need+blockSlack:
			tx.err = flume.NewChannelError(fmt.Sprintf("usable space in %s is %d bytes, too little for this take's %d-byte record; the events stay in the channel until disk space is freed",
				dir, avail, need))
		default:
			avail -= need
		}
	}
	if refused {
		c.lowOnSpace()
	}
	c.room = avail - min(avail, limit) // what preallocation may use
	c.writeLow.Store(c.active.id)
	var failed error
	wrote := false
	var end ptr
	for _, tx := range batch {
		switch {
		case tx.err != nil:
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
				c.activePuts = c.activePuts || tx.nPuts > 0
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
	c.space.use(c.grown)
	c.grown = 0
	c.updateSpare()
	for _, tx := range batch {
		tx.reply <- struct{}{}
	}
}

// spare returns what the active log file has preallocated and not written:
// space the channel's next records use without taking any from the disk.
func (c *Channel) spare() uint64 { return uint64(c.prealloc.Load()) }

// updateSpare publishes spare. Called by the writer.
func (c *Channel) updateSpare() {
	if c.active == nil || c.broken {
		c.prealloc.Store(0)
		return
	}
	c.prealloc.Store(max(0, c.allocated-int64(c.activeSize)))
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

// ensureAllocated makes the active file ready for writes up to end: it
// preallocates ahead in preallocStep steps, out of at most half of c.room
// (what puts need not leave free), and counts the disk space the file
// grows by in c.grown.
func (c *Channel) ensureAllocated(end int64) {
	if end <= c.allocated {
		return
	}
	n := min(max(end, c.allocated+preallocStep), max(end, c.cfg.MaxFileSize)) - c.allocated
	ahead := n - (end - c.allocated)
	if ahead > int64(c.room/2) { // leave the rest of a small disk to others
		ahead = int64(c.room/2) &^ (blockSlack - 1)
	}
	n = end - c.allocated + ahead
	if ahead > 0 && durable.Preallocate(c.active.f, c.allocated, n) == nil {
		c.room -= uint64(ahead)
	} else {
		n = end - c.allocated // the writes extend the file
	}
	c.grown += uint64(n)
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
	c.active, c.activeSize, c.allocated, c.broken, c.activePuts = lf, headerRecordSize, int64(headerRecordSize), false, false
	c.grown += blockSlack
	c.space.expire() // the old file's preallocated tail went back to the disk
	c.counter.LogFileCount.Store(int64(c.logs.count()))
	c.updateSpare()
	return nil
}

// rotateForSpace starts a new log file when the active one holds put
// records, so that once those events are taken the file can be deleted
// (the active file never is). Called by the writer between commit groups,
// on behalf of freeSpace; the records of the old file are all applied, so
// the queue's log position moves to the new file.
func (c *Channel) rotateForSpace() error {
	if !c.activePuts || c.broken {
		return nil
	}
	avail, dir, err := c.space.avail(blockSlack)
	if err != nil {
		return err
	}
	if avail < 2*blockSlack {
		return &errNoRoom{what: "a new log file", dir: dir}
	}
	if err := c.rotate(); err != nil {
		c.broken = true // the next group tries again
		return err
	}
	c.writeLow.Store(c.active.id)
	c.mu.Lock()
	c.applied = ptr{file: c.active.id, off: c.activeSize}
	c.mu.Unlock()
	c.log.Info("file channel: started a new data log file so that drained ones can be deleted", "file", c.active.path)
	return nil
}
