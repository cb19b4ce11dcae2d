package file

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/durable"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/internal/waiter"
	bolt "go.etcd.io/bbolt"
)

// Test hooks: unexported, nil in production. The crash tests set them in a
// child process to SIGKILL it at exact points.
var (
	hookAfterAppend     func() // a commit group is written to the log, not yet fsynced
	hookCheckpointWrite func() // inside the checkpoint's bbolt transaction, before it commits
	hookBackupCopy      func() // part of the backup copy is written

	// The data log's write and fsync, replaced by tests to inject failures.
	writeLog = func(f *os.File, b []byte, off int64) (int, error) { return f.WriteAt(b, off) }
	syncLog  = durable.DataSync
)

// errMixed is returned when one transaction tries to both put and take.
var errMixed = flume.NewChannelError("a file channel transaction may put or take, not both (as in Flume); use separate transactions")

// Channel is a durable file channel. It is safe for concurrent use; each
// transaction belongs to one goroutine.
type Channel struct {
	name      string
	log       *slog.Logger
	cfg       Config
	counter   Counter
	space     diskSpace
	prealloc  atomic.Int64  // bytes the active log file has preallocated and not written
	kick      chan struct{} // a put was refused for space: free what can be freed
	rotateReq chan chan error
	ckWarn    ratelog.Limiter // checkpoints deferred for space
	life      sync.Mutex      // serialises Start and Stop
	ckMu      sync.Mutex      // serialises checkpoints
	nextTxID  atomic.Uint64
	writeLow  atomic.Uint32 // lowest log file the writer may be writing unapplied records to
	lastError atomic.Int64  // unix seconds of the last logged take error (rate limit)

	mu       sync.Mutex // guards the fields below
	running  bool
	gen      uint64 // incremented at every stop; stale transactions see ErrClosed
	startErr error
	q        ptrQueue
	inflight int                       // events held by open take transactions
	reserved int                       // events put by open transactions
	refs     map[uint32]int            // queued and in-flight events per log file
	takers   map[*transaction]struct{} // open transactions holding takes
	takeSeq  uint64
	applied  ptr         // log position after the last applied commit group (size unused)
	cond     waiter.Cond // signalled when events or room appear

	// storage, set up by Start and released by Stop
	logs    *logSet
	db      *bolt.DB
	locks   []*dirLock
	reqs    chan *transaction
	quit    chan struct{}
	wg      sync.WaitGroup // writer and checkpointer goroutines
	pend    sync.WaitGroup // commits handed to the writer
	reading sync.WaitGroup // takes reading events from the log files
	lastCk  ptr            // applied position of the last checkpoint
	// lowest log file id the primary and backup checkpoints need (guarded by ckMu)
	primaryMinLive, backupMinLive uint32
	// backupStale is set when the backup checkpoint could not be refreshed
	// for lack of space: it no longer keeps old log files (guarded by ckMu).
	backupStale bool

	// owned by the writer goroutine
	active     *logFile
	activeSize uint32
	allocated  int64 // bytes of the active file preallocated
	nextFileID uint32
	broken     bool   // the active file had a write error; rotate before writing
	activePuts bool   // the active file holds put records
	room       uint64 // free space of this commit group that preallocation may use
	grown      uint64 // disk space the log files grew by during this commit group
}

var _ flume.Channel = (*Channel)(nil)

// New returns a stopped file channel. Directories are created and files
// opened by Start.
func New(set flume.Settings, cfg Config) (*Channel, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("file channel %q: %w", set.Name, err)
	}
	c := &Channel{name: set.Name, log: set.Log(), cfg: cfg, kick: make(chan struct{}, 1), rotateReq: make(chan chan error),
		ckWarn: ratelog.Limiter{Interval: time.Minute}}
	spaceDirs := append([]string{cfg.CheckpointDir}, cfg.DataDirs...)
	if cfg.UseDualCheckpoints {
		spaceDirs = append(spaceDirs, cfg.BackupCheckpointDir)
	}
	c.space = diskSpace{dirs: spaceDirs, probe: freeSpace}
	c.counter.ChannelCapacity.Store(int64(cfg.Capacity))
	c.counter.Closed.Store(1)
	set.Publish(&c.counter)
	return c, nil
}

// Counters returns the channel's counter group.
func (c *Channel) Counters() *Counter { return &c.counter }

// Len returns the number of committed events waiting to be taken.
func (c *Channel) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.q.Len()
}

// Held returns, read together, the number of committed events waiting to
// be taken (Len) and the number open take transactions hold: a sink
// delivering those commits them, or rolls them back into the queue.
func (c *Channel) Held() (queued, inFlight int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.q.Len(), c.inflight
}

// Capacity returns the configured capacity.
func (c *Channel) Capacity() int { return c.cfg.Capacity }

// TransactionCapacity returns the configured transactionCapacity.
func (c *Channel) TransactionCapacity() int { return c.cfg.TransactionCapacity }

// Begin opens a transaction. It returns an error matching flume.ErrClosed
// when the channel is stopped or failed to start (with the reason).
func (c *Channel) Begin() (flume.Transaction, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		if c.startErr != nil {
			return nil, fmt.Errorf("file channel %q: %w: it failed to start: %v", c.name, flume.ErrClosed, c.startErr)
		}
		return nil, fmt.Errorf("file channel %q: %w", c.name, flume.ErrClosed)
	}
	return &transaction{c: c, gen: c.gen, txid: c.nextTxID.Add(1)}, nil
}

// used returns the events counted against capacity. Called with mu held.
func (c *Channel) used() int { return c.q.Len() + c.inflight + c.reserved }

// addRefs counts ps against their log files. Called with mu held.
func (c *Channel) addRefs(ps []ptr, delta int) {
	for _, p := range ps {
		if n := c.refs[p.file] + delta; n == 0 {
			delete(c.refs, p.file)
		} else {
			c.refs[p.file] = n
		}
	}
}

// Start locks the directories, recovers the queue (from the checkpoint,
// else the backup checkpoint, else the data logs, then the log records
// after it) and starts the group commit writer and the checkpointer. A
// failed start leaves the channel closed and Unhealthy.
func (c *Channel) Start(ctx context.Context) error {
	c.life.Lock()
	defer c.life.Unlock()
	c.mu.Lock()
	running := c.running
	c.mu.Unlock()
	if running {
		return nil
	}
	c.counter.started()
	if err := c.open(ctx); err != nil {
		c.closeStorage()
		c.counter.Unhealthy.Store(1)
		c.mu.Lock()
		c.startErr = err
		c.mu.Unlock()
		c.log.Error("file channel failed to start", "error", err)
		return fmt.Errorf("file channel %q: %w", c.name, err)
	}
	c.counter.Unhealthy.Store(0)
	c.counter.Closed.Store(0)
	c.counter.open.Store(true)
	return nil
}

func (c *Channel) open(ctx context.Context) error {
	dirs := append([]string{c.cfg.CheckpointDir}, c.cfg.DataDirs...)
	if c.cfg.UseDualCheckpoints {
		dirs = append(dirs, c.cfg.BackupCheckpointDir)
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		l, err := lockDir(d)
		if err != nil {
			return err
		}
		c.locks = append(c.locks, l)
	}
	if c.cfg.UseDualCheckpoints {
		removeTemps(c.cfg.BackupCheckpointDir)
	}
	logs, err := openLogSet(c.cfg.DataDirs)
	if err != nil {
		return err
	}
	c.logs = logs
	start := time.Now()
	rec, err := c.recover(ctx)
	if err != nil {
		return err
	}
	ids := c.logs.ids()
	c.nextFileID = 1
	if len(ids) > 0 {
		c.nextFileID = ids[len(ids)-1] + 1
	}
	c.active, c.broken = nil, false
	if err := c.continueLog(rec); err != nil {
		return err
	}
	c.grown = 0
	c.space.expire()
	c.updateSpare()
	c.writeLow.Store(c.active.id)
	c.nextTxID.Store(rec.nextTxID)

	c.mu.Lock()
	c.q = ptrQueue{}
	c.q.PushBack(rec.ptrs)
	c.refs = make(map[uint32]int)
	c.addRefs(rec.ptrs, 1)
	c.takers = make(map[*transaction]struct{})
	c.inflight, c.reserved, c.takeSeq = 0, 0, 0
	c.applied = ptr{file: c.active.id, off: c.activeSize}
	c.startErr = nil
	c.running = true
	c.counter.ChannelSize.Store(int64(c.q.Len()))
	c.mu.Unlock()
	c.lastCk = ptr{}
	c.primaryMinLive, c.backupMinLive = rec.primaryMinLive, rec.backupMinLive
	c.backupStale = false // backupMinLive is what the backup on disk needs

	dur := time.Since(start)
	c.counter.RecoveryDurationMs.Store(dur.Milliseconds())
	c.counter.RecoveryEventCount.Store(int64(len(rec.ptrs)))
	c.counter.RecoveryReplayedRecords.Store(int64(rec.replayed))
	c.counter.recoverySource.Store(rec.source)
	c.log.Info("file channel recovered", "source", rec.source, "events", len(rec.ptrs),
		"replayed_records", rec.replayed, "log_files", len(ids), "duration", dur)
	if len(rec.ptrs) > c.cfg.Capacity {
		c.log.Warn("file channel holds more events than its capacity; puts wait until sinks drain it",
			"events", len(rec.ptrs), "capacity", c.cfg.Capacity)
	}

	c.reqs = make(chan *transaction, 1024)
	c.quit = make(chan struct{})
	if rec.source != "checkpoint" || rec.replayed > 0 {
		// Make the recovered state the primary checkpoint before taking
		// traffic: the primary may be missing or corrupt. On a disk too
		// full for it the channel starts anyway, so that it can drain: the
		// checkpoint on disk (or the logs) still recovers the same queue,
		// and no log file is deleted before a checkpoint succeeds.
		if err := c.checkpoint(); err != nil && !lackOfSpace(err) {
			c.mu.Lock()
			c.running = false
			c.mu.Unlock()
			return fmt.Errorf("write the checkpoint after recovery: %w", err)
		}
	}
	c.wg.Add(2)
	go c.writer()
	go c.checkpointer()
	return nil
}

// Stop refuses new transactions, lets commits in progress finish, writes
// a final checkpoint (checkpointOnClose) and closes the files. Events taken
// by transactions still open are returned to the head of the queue in the
// checkpoint. When ctx has ended by then, the final checkpoint is skipped
// (the next Start replays the data logs written since the last one, as
// after a crash) and an error wrapping ctx.Err() is returned; the channel
// is closed all the same. Stop is idempotent and safe without Start.
func (c *Channel) Stop(ctx context.Context) error { return c.stop(ctx, c.cfg.CheckpointOnClose) }

func (c *Channel) stop(ctx context.Context, finalCheckpoint bool) error {
	c.life.Lock()
	defer c.life.Unlock()
	c.mu.Lock()
	if !c.running {
		c.mu.Unlock()
		return nil
	}
	c.running = false
	c.cond.Broadcast()
	c.mu.Unlock()
	c.pend.Wait() // the writer answers every commit already handed to it
	close(c.quit)
	c.wg.Wait()
	var err error
	if finalCheckpoint && ctx.Err() != nil {
		err = fmt.Errorf("file channel %q: final checkpoint skipped: %w", c.name, ctx.Err())
	} else if finalCheckpoint {
		switch err = c.checkpoint(); {
		case lackOfSpace(err):
			// Harmless: the next start replays the log from the previous
			// checkpoint (logged by checkpoint).
			err = nil
		case err != nil:
			err = fmt.Errorf("file channel %q: final checkpoint: %w", c.name, err)
		}
	}
	c.mu.Lock()
	c.gen++
	c.q = ptrQueue{}
	c.takers, c.refs = nil, nil
	c.inflight, c.reserved = 0, 0
	c.cond.Broadcast()
	c.mu.Unlock()
	c.reading.Wait()
	c.closeStorage()
	c.counter.open.Store(false)
	c.counter.Closed.Store(1)
	c.counter.Stopped()
	c.log.Info("file channel stopped")
	return err
}

// crash stops the channel as a SIGKILL would leave its files: no final
// checkpoint, no final sync (written data stays in the page cache, as it
// does for a killed process). For tests.
func (c *Channel) crash() { _ = c.stop(context.Background(), false) }

func (c *Channel) closeStorage() {
	if c.db != nil {
		c.db.Close()
		c.db = nil
	}
	if c.logs != nil {
		c.logs.close()
		c.logs = nil
	}
	for _, l := range c.locks {
		l.release()
	}
	c.locks = nil
	c.active = nil
}

// checkpointer writes a checkpoint every checkpointInterval when anything
// was committed since the last one, and frees space when a put was refused
// for lack of it (at most every freeInterval).
func (c *Channel) checkpointer() {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.CheckpointInterval)
	defer t.Stop()
	var lastFree time.Time
	for {
		select {
		case <-c.quit:
			return
		case <-c.kick:
			if time.Since(lastFree) >= freeInterval {
				lastFree = time.Now()
				c.freeSpace()
			}
			continue
		case <-t.C:
		}
		c.mu.Lock()
		changed := c.applied != c.lastCk
		c.mu.Unlock()
		if changed {
			_ = c.checkpoint() // logged and counted
		}
	}
}

// freeSpace frees the disk space the channel can give back: the writer
// moves to a new log file when the active one holds put records, and a
// checkpoint deletes the log files no longer needed. Called by the
// checkpointer when a put was refused for space.
func (c *Channel) freeSpace() {
	reply := make(chan error, 1)
	select {
	case c.rotateReq <- reply:
	case <-c.quit:
		return
	}
	if err := <-reply; err != nil {
		c.ckWarn.Warn(c.log, "file channel: cannot start a new data log file to free space", "error", err)
	}
	c.mu.Lock()
	changed := c.applied != c.lastCk
	c.mu.Unlock()
	if changed {
		_ = c.checkpointFor(true) // logged and counted
	}
	c.space.expire()
}

// lackOfSpace reports whether err is a write the channel did not make, or
// that failed, for lack of disk space.
func lackOfSpace(err error) bool {
	var nr *errNoRoom
	return errors.As(err, &nr) || isNoSpace(err)
}

// snapshot captures the queue for a checkpoint, encoded. Called with mu
// held.
func (c *Channel) snapshot() *snapshot {
	open := make([]*transaction, 0, len(c.takers))
	for t := range c.takers {
		open = append(open, t)
	}
	slices.SortFunc(open, func(a, b *transaction) int { return cmp.Compare(a.takeSeq, b.takeSeq) })
	s := &snapshot{}
	s.state.minLive = c.applied.file
	var enc ptrEncoder
	add := func(p ptr) {
		enc.add(p)
		s.state.minLive = min(s.state.minLive, p.file)
	}
	for _, t := range open {
		for _, p := range t.takes {
			add(p)
		}
	}
	s.state.inflight = enc.n
	c.q.Each(add)
	s.chunks = enc.finish()
	s.state.queueLen = enc.n
	s.state.replayFile, s.state.replayOff = c.applied.file, c.applied.off
	s.state.nextTxID = c.nextTxID.Load() + 1
	s.state.written = time.Now().UnixNano()
	return s
}

// checkpoint writes the primary checkpoint, copies it to the backup
// directory (useDualCheckpoints) and deletes the log files no checkpoint
// and no queued event needs any more.
func (c *Channel) checkpoint() error { return c.checkpointFor(false) }

// checkpointFor writes a checkpoint; freeing is set when it is written to
// delete drained log files (see roomFor).
func (c *Channel) checkpointFor(freeing bool) error {
	c.ckMu.Lock()
	defer c.ckMu.Unlock()
	start := time.Now()
	c.mu.Lock()
	snap := c.snapshot()
	held := c.used()
	c.mu.Unlock()
	size := uint64(0)
	for _, ch := range snap.chunks {
		size += uint64(len(ch))
	}
	// bbolt writes the new queue before it frees the old one.
	if err := c.roomFor("a checkpoint", 2*size+checkpointSlack, held, freeing && c.deletable(snap.state.minLive)); err != nil {
		c.ckWarn.Warn(c.log, "file channel: checkpoint deferred; the previous checkpoint stays in use", "error", err)
		return err
	}
	if !c.cfg.FsyncPerTransaction {
		// The snapshot may name records not yet synced; sync them first.
		if lf := c.logs.get(snap.state.replayFile); lf != nil {
			if err := syncLog(lf.f); err != nil {
				c.counter.CheckpointWriteErrorCount.Add(1)
				c.log.Error("file channel: checkpoint failed: fsync of the data log", "error", err)
				return err
			}
		}
	}
	if c.db == nil {
		db, err := openBolt(c.primaryPath(), false)
		if err != nil {
			c.counter.CheckpointWriteErrorCount.Add(1)
			c.log.Error("file channel: checkpoint failed", "error", err)
			return err
		}
		c.db = db
	}
	err := writeCheckpoint(c.db, snap)
	c.space.expire()
	if err != nil {
		c.counter.CheckpointWriteErrorCount.Add(1)
		c.log.Error("file channel: checkpoint failed; the previous checkpoint stays in use", "error", err)
		return err
	}
	c.primaryMinLive = snap.state.minLive
	c.counter.CheckpointCount.Add(1)
	c.counter.CheckpointQueueSize.Store(int64(snap.state.queueLen))
	c.lastCkSet(ptr{file: snap.state.replayFile, off: snap.state.replayOff})
	if c.cfg.UseDualCheckpoints {
		c.backup(snap.state.minLive, held)
	}
	c.counter.CheckpointDurationMs.Store(time.Since(start).Milliseconds())
	c.log.Debug("file channel checkpoint written", "events", snap.state.queueLen, "duration", time.Since(start))
	c.deleteOldLogs()
	return nil
}

// backup copies the primary checkpoint to the backup directory. When there
// is no room for the copy, the old backup stays but no longer keeps the log
// files it needs from being deleted: a channel short of space must be able
// to give back drained files, and if the primary checkpoint is lost later
// the logs alone still recover the queue exactly. Called with ckMu held.
func (c *Channel) backup(minLive uint32, held int) {
	var err error
	if st, serr := os.Stat(c.primaryPath()); serr == nil {
		err = c.roomFor("the backup checkpoint", uint64(st.Size()), held, false)
	}
	if err == nil {
		err = copyBackup(c.db, c.cfg.BackupCheckpointDir)
		c.space.expire()
	}
	switch {
	case err == nil:
		c.backupMinLive, c.backupStale = minLive, false
		c.counter.CheckpointBackupCount.Add(1)
	case lackOfSpace(err):
		c.counter.CheckpointBackupWriteErrorCount.Add(1)
		if !c.backupStale {
			c.log.Warn("file channel: no room to refresh the backup checkpoint; until it is refreshed it does not keep old data log files, which may be deleted (recovery would then use the logs)", "error", err)
		}
		c.backupStale = true
	default:
		c.counter.CheckpointBackupWriteErrorCount.Add(1)
		c.log.Error("file channel: backup checkpoint failed; the previous backup stays in use", "error", err)
	}
}

func (c *Channel) lastCkSet(p ptr) {
	c.mu.Lock()
	c.lastCk = p
	c.mu.Unlock()
}

func (c *Channel) primaryPath() string {
	return c.cfg.CheckpointDir + string(os.PathSeparator) + checkpointName
}

// deleteOldLogs deletes the log files below the lowest one still needed:
// by a queued or in-flight event, by the writer, by the primary checkpoint
// and by the backup checkpoint (whose replay may need the take records of
// files newer than its events). Files are deleted oldest first, so the
// files left are always a suffix of the log and a full replay stays exact.
// Called with ckMu held.
func (c *Channel) deleteOldLogs() {
	low := min(c.writeLow.Load(), c.primaryMinLive)
	if c.cfg.UseDualCheckpoints && !c.backupStale {
		low = min(low, c.backupMinLive)
	}
	c.mu.Lock()
	for f := range c.refs {
		low = min(low, f)
	}
	c.mu.Unlock()
	for _, id := range c.logs.ids() {
		if id >= low {
			break
		}
		if err := c.logs.remove(id); err != nil && !errors.Is(err, os.ErrNotExist) {
			c.log.Warn("file channel: cannot delete an old data log file", "id", id, "error", err)
			break
		}
		c.counter.LogFilesDeletedCount.Add(1)
		c.space.expire()
	}
	c.counter.LogFileCount.Store(int64(c.logs.count()))
}

// deletable reports whether a checkpoint whose queue needs log files from
// minLive on would let a log file be deleted (a backup checkpoint that
// cannot be refreshed does not keep files; see backup). Called with ckMu
// held.
func (c *Channel) deletable(minLive uint32) bool {
	low := min(c.writeLow.Load(), minLive)
	c.mu.Lock()
	for f := range c.refs {
		low = min(low, f)
	}
	c.mu.Unlock()
	ids := c.logs.ids()
	return len(ids) > 0 && ids[0] < low
}

// continueLog makes the last data log file the active one when it ended
// cleanly, so that a start needs no new disk space; a start on a full disk
// can then drain the channel. Bytes after the last valid record (a torn
// write, or preallocated zeros) are cut off first: they were never
// acknowledged, and nothing is ever written after a torn record. Otherwise
// (no file yet, or one without a header) a new file is started. Called by
// Start before the writer runs.
func (c *Channel) continueLog(rec *recovered) error {
	if lf := c.logs.get(rec.tailFile); lf != nil && rec.tailFile == c.nextFileID-1 && rec.tailEnd >= headerRecordSize {
		st, err := lf.f.Stat()
		if err != nil {
			return err
		}
		if st.Size() > int64(rec.tailEnd) {
			if err := lf.f.Truncate(int64(rec.tailEnd)); err != nil {
				return fmt.Errorf("cut the unwritten tail of %s: %w", lf.path, err)
			}
			if err := lf.f.Sync(); err != nil {
				return fmt.Errorf("cut the unwritten tail of %s: %w", lf.path, err)
			}
		}
		c.active, c.activeSize, c.allocated, c.activePuts = lf, rec.tailEnd, int64(rec.tailEnd), true
		return nil
	}
	if err := c.rotate(); err != nil {
		return fmt.Errorf("create data log file: %w", err)
	}
	return nil
}
