package hdfs

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/bucketpath"
	"github.com/flumego/flume/internal/dfs"
)

// bucket is a directory and file prefix events are written to (Flume's
// BucketWriter): it has one file open at a time, rolled by count, size
// and age; it goes away when its file is closed on time, when idle or to
// respect hdfs.maxOpenFiles.
type bucket struct {
	key       string
	dir, name string // the directory (absolute, clean) and the expanded prefix
	// counter numbers the bucket's files, from the time it was made (in
	// epoch milliseconds), as Flume does.
	counter int64
	f       *outFile
	elem    *list.Element
	batch   uint64 // the last batch that wrote to it
	// underReplicated counts consecutive rolls for under-replication.
	underReplicated int
}

// outFile is an open file of a bucket.
type outFile struct {
	uri, inUse, final string
	file              dfs.File
	fsys              dfs.FileSystem
	pending           bytes.Buffer // written since the last flush
	fmt               format
	events, bytes     int64     // for hdfs.rollCount and hdfs.rollSize
	rollAt, idleAt    time.Time // zero: never
	size              int64     // bytes the file system acknowledged
	written           bool      // a flush reached the file system
	broken            bool      // a call failed: its content past size is uncertain

	// op is held by the goroutine running a call on file, so that a call
	// that outlived its timeout is never joined by another.
	op sync.Mutex
}

// errBusy is the error of a call on a file another call, abandoned at its
// timeout, still holds.
var errBusy = errors.New("an earlier call on the file has not returned")

// do returns fn applied to the file, for call.
func (f *outFile) do(fn func(dfs.File) error) func() error {
	return func() error {
		if !f.op.TryLock() {
			return errBusy
		}
		defer f.op.Unlock()
		return fn(f.file)
	}
}

// bucketFor returns the bucket of an event, making it (and closing the
// least recently used one beyond hdfs.maxOpenFiles) if needed.
func (s *Sink) bucketFor(ctx context.Context, m *mounted, e *flume.Event, now time.Time) (*bucket, error) {
	if s.literal && s.last != nil {
		return s.last, nil
	}
	var t *bucketpath.Time
	if s.needsTime {
		at := s.timeOf(e, now)
		t = &at
	}
	s.dirBuf = bucketpath.Expand(s.dirBuf[:0], s.dirPat, *e, t)
	s.nameBuf = bucketpath.Expand(s.nameBuf[:0], s.prefixPat, *e, t)
	s.keyBuf = append(append(append(s.keyBuf[:0], s.dirBuf...), 0), s.nameBuf...)
	if b, ok := s.buckets[string(s.keyBuf)]; ok {
		s.lru.MoveToBack(b.elem)
		return b, nil
	}
	b := &bucket{
		key:     string(s.keyBuf),
		dir:     path.Clean(path.Join(m.base, string(s.dirBuf))),
		name:    string(s.nameBuf),
		counter: now.UnixMilli(),
	}
	b.elem = s.lru.PushBack(b)
	s.buckets[b.key] = b
	if s.literal {
		s.last = b
	}
	for len(s.buckets) > s.cfg.MaxOpenFiles {
		old := s.lru.Front().Value.(*bucket)
		s.removeBucket(old)
		if f := old.f; f != nil {
			old.f = nil
			s.log.Debug("closing the least recently used file (hdfs.maxOpenFiles)", "file", f.inUse)
			s.closeFile(ctx, f, false)
		}
	}
	return b, nil
}

// removeBucket forgets b; the next event of its path makes a new one.
func (s *Sink) removeBucket(b *bucket) {
	if s.buckets[b.key] == b {
		delete(s.buckets, b.key)
		s.lru.Remove(b.elem)
	}
	if s.last == b {
		s.last = nil
	}
}

// append writes an event to its bucket's file, opening one first, or
// rolling to the next when the current one is due, as Flume's
// BucketWriter.append does (so no empty file is ever rolled).
func (s *Sink) append(ctx context.Context, m *mounted, b *bucket, e *flume.Event, now time.Time) error {
	if b.f != nil && s.shouldRoll(b, now) {
		f := b.f
		b.f = nil
		s.closeFile(ctx, f, false)
	}
	if b.f == nil {
		if err := s.open(ctx, m, b, now); err != nil {
			return err
		}
	}
	f := b.f
	takePending(f)
	if err := f.fmt.write(e, now.UnixMilli()); err != nil {
		f.broken = true
		return fmt.Errorf("write to %s: %w", f.inUse, err)
	}
	f.events++
	f.bytes += int64(len(e.Body))
	return nil
}

// shouldRoll tells whether b's file is due to be closed before the next
// event: hdfs.rollCount, hdfs.rollSize, hdfs.rollInterval (normally
// closed by the background goroutine already), or a block with fewer
// replicas than hdfs.minBlockReplicas (for at most 30 rolls in a row, as
// Flume).
func (s *Sink) shouldRoll(b *bucket, now time.Time) bool {
	f := b.f
	roll := (s.cfg.RollCount > 0 && f.events >= s.cfg.RollCount) ||
		(s.cfg.RollSize > 0 && f.bytes >= s.cfg.RollSize) ||
		(!f.rollAt.IsZero() && !now.Before(f.rollAt))
	if rc, ok := f.file.(dfs.ReplicaCounter); ok && s.cfg.MinBlockReplicas > 0 && f.written {
		if rc.CurrentReplicas() < s.cfg.MinBlockReplicas {
			if b.underReplicated < maxUnderReplicatedRolls {
				b.underReplicated++
				s.log.Warn("the file's block is under-replicated: rolling", "file", f.inUse, "min", s.cfg.MinBlockReplicas)
				return true
			}
		} else {
			b.underReplicated = 0
		}
	}
	return roll
}

// maxUnderReplicatedRolls is Flume's maxConsecUnderReplRotations.
const maxUnderReplicatedRolls = 30

// extension is what follows the counter in file names: hdfs.fileSuffix,
// else the codec's extension.
func (s *Sink) extension() string {
	if s.cfg.FileSuffix != "" {
		return s.cfg.FileSuffix
	}
	if s.cfg.Codec != nil {
		return s.cfg.Codec.Extension
	}
	return ""
}

// open creates b's next file: <dir>/<inUsePrefix><prefix>.<counter><ext><inUseSuffix>,
// skipping counters whose in-use or final name is taken.
func (s *Sink) open(ctx context.Context, m *mounted, b *bucket, now time.Time) error {
	ext := s.extension()
	for tries := 0; ; tries++ {
		if tries == 100 {
			s.counter.ConnectionFailedCount.Add(1)
			return fmt.Errorf("no free file name in %s after %d tries", b.dir, tries)
		}
		b.counter++
		full := b.name + "." + strconv.FormatInt(b.counter, 10) + ext
		final := path.Join(b.dir, full)
		inUse := path.Join(b.dir, s.cfg.InUsePrefix+full+s.cfg.InUseSuffix)
		if inUse != final {
			err := s.call(ctx, "stat "+final, func() error { _, err := m.fs.Stat(final); return err })
			if err == nil {
				continue // a file of an earlier run has the name
			}
			if !errors.Is(err, fs.ErrNotExist) {
				s.counter.ConnectionFailedCount.Add(1)
				return fmt.Errorf("stat %s: %w", final, err)
			}
		}
		if err := s.rec.add(entry{m.uri, inUse, final}); err != nil {
			return err
		}
		var file dfs.File
		err := s.call(ctx, "create "+inUse, func() (err error) { file, err = m.fs.Create(inUse); return err })
		if errors.Is(err, fs.ErrExist) {
			_ = s.rec.remove(m.uri, inUse)
			continue
		}
		if err != nil {
			var timeout *callTimeoutError
			if !errors.As(err, &timeout) { // a timed-out create may yet make the file: the record keeps it
				_ = s.rec.remove(m.uri, inUse)
			}
			s.counter.ConnectionFailedCount.Add(1)
			return fmt.Errorf("create %s: %w", inUse, err)
		}
		f := &outFile{uri: m.uri, inUse: inUse, final: final, file: file, fsys: m.fs}
		if f.fmt, err = s.cfg.newFormat(&f.pending); err != nil {
			s.closeFile(ctx, f, true)
			return fmt.Errorf("%s: %w", inUse, err)
		}
		if s.cfg.RollInterval > 0 {
			f.rollAt = now.Add(s.cfg.RollInterval)
			s.deadlineSet(f.rollAt)
		}
		b.f = f
		s.counter.ConnectionCreatedCount.Add(1)
		s.log.Info("creating", "file", inUse)
		return nil
	}
}

// flushAll flushes the files a batch wrote to, in parallel (at most
// hdfs.threadsPoolSize calls at a time).
func (s *Sink) flushAll(ctx context.Context, touched []*bucket) error {
	var files []*outFile
	for _, b := range touched {
		if b.f != nil { // a roll may have closed it, flushing it then
			files = append(files, b.f)
		}
	}
	if len(files) == 1 {
		return s.flushFile(ctx, files[0])
	}
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() { errs[i] = s.flushFile(ctx, f) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// flushFile completes what the format buffered and hands the file's
// pending bytes to the file system in one write, then flushes it (hflush,
// fsync).
func (s *Sink) flushFile(ctx context.Context, f *outFile) error {
	if err := f.fmt.flush(); err != nil {
		f.broken = true
		return fmt.Errorf("%s: %w", f.inUse, err)
	}
	if err := s.writePending(ctx, f, true); err != nil {
		return err
	}
	if s.cfg.IdleTimeout > 0 {
		f.idleAt = s.clock.Now().Add(s.cfg.IdleTimeout)
	}
	return nil
}

// writePending writes f's pending bytes (and flushes the file).
func (s *Sink) writePending(ctx context.Context, f *outFile, flush bool) error {
	if f.pending.Len() == 0 && !flush {
		return nil
	}
	data := f.pending.Bytes()
	err := s.call(ctx, "write "+f.inUse, f.do(func(file dfs.File) error {
		if len(data) > 0 {
			if _, err := file.Write(data); err != nil {
				return err
			}
		}
		if flush {
			return file.Flush()
		}
		return nil
	}))
	if err != nil {
		f.broken = true
		s.counter.ConnectionFailedCount.Add(1)
		return fmt.Errorf("write %s: %w", f.inUse, err)
	}
	f.written = f.written || len(data) > 0
	f.size += int64(len(data))
	releasePending(f)
	return nil
}

// Between batches a file keeps at most smallPending bytes of buffer: the
// larger buffers of busy files go to a pool, from which the files of the
// next batch take them, so that thousands of open files do not each hold
// their largest batch.
const smallPending = 32 << 10

var pendingPool sync.Pool // of *[]byte

// releasePending empties f's buffer after a write, pooling a large one.
func releasePending(f *outFile) {
	if f.pending.Cap() <= smallPending {
		f.pending.Reset()
		return
	}
	b := f.pending.Bytes()[:0]
	f.pending = bytes.Buffer{} // the formats write through &f.pending: same address, new contents
	pendingPool.Put(&b)
}

// takePending gives an emptied file a pooled buffer before a batch writes
// to it.
func takePending(f *outFile) {
	if f.pending.Cap() != 0 {
		return
	}
	if b, ok := pendingPool.Get().(*[]byte); ok {
		f.pending = *bytes.NewBuffer((*b)[:0])
	}
}

// callTimeoutError is call's error when hdfs.callTimeout passes.
type callTimeoutError struct {
	what    string
	timeout time.Duration
}

func (e *callTimeoutError) Error() string {
	return fmt.Sprintf("%s: no answer within hdfs.callTimeout (%v)", e.what, e.timeout)
}

// call runs fn, a file-system call, on a goroutine of its own, at most
// hdfs.threadsPoolSize at a time, and waits for it for up to
// hdfs.callTimeout (or until ctx ends): then it returns an error and
// leaves fn to finish unobserved, as Flume's call-timeout pool does.
func (s *Sink) call(ctx context.Context, what string, fn func() error) error {
	var expired <-chan time.Time
	if s.cfg.CallTimeout > 0 {
		t := time.NewTimer(s.cfg.CallTimeout)
		defer t.Stop()
		expired = t.C
	}
	timedOut := func() error {
		s.counter.ConnectionFailedCount.Add(1)
		return &callTimeoutError{what, s.cfg.CallTimeout}
	}
	select {
	case s.slots <- struct{}{}:
	case <-expired:
		return timedOut()
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	done := make(chan error, 1)
	s.calls.Add(1)
	go func() {
		defer s.calls.Done()
		err := fn()
		<-s.slots
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-expired:
		return timedOut()
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
}
