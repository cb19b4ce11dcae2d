package hdfs

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/bucketpath"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/sink"
)

// Register adds the HDFS sink to r.
func Register(r *flume.Registry) error {
	return r.RegisterSink("hdfs", Factory, ClassName)
}

// Factory builds an HDFS sink from its Flume properties. It validates
// only: the file system is opened, and the in-use record read, by Start.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c := ParseConfig(set, cfg)
	if err := cfg.Err(); err != nil {
		return nil, fmt.Errorf("hdfs sink %q: %w", set.Name, err)
	}
	s, err := New(set, c, in)
	if err != nil {
		return nil, err
	}
	set.Publish(&s.counter)
	return s, nil
}

// New returns a sink for a configuration built in code (ParseConfig's
// result, or a Config filled in with Flume's defaults).
func New(set flume.Settings, c Config, in flume.Channel) (*Sink, error) {
	t, err := parseTarget(c.Path)
	if err != nil {
		return nil, fmt.Errorf("hdfs sink %q: %s: %w", set.Name, keyPath, err)
	}
	dir, err := bucketpath.Parse(t.path)
	if err != nil {
		return nil, fmt.Errorf("hdfs sink %q: %s: %w", set.Name, keyPath, err)
	}
	prefix, err := bucketpath.Parse(c.FilePrefix)
	if err != nil {
		return nil, fmt.Errorf("hdfs sink %q: %s: %w", set.Name, keyFilePrefix, err)
	}
	switch {
	case c.BatchSize < 1, c.MaxOpenFiles < 1, c.ThreadsPoolSize < 1:
		return nil, fmt.Errorf("hdfs sink %q: batch size, open files and threads must be positive", set.Name)
	case c.FileType != SequenceFile && c.NewSerializer == nil:
		return nil, fmt.Errorf("hdfs sink %q: %s files need a serializer", set.Name, c.FileType)
	case c.FileType == CompressedStream && c.Codec == nil:
		return nil, fmt.Errorf("hdfs sink %q: CompressedStream files need a codec", set.Name)
	}
	s := &Sink{
		set: set, cfg: c, target: t, dirPat: dir, prefixPat: prefix, ch: in,
		log: set.Log(), clock: systemClock{}, mu: make(chan struct{}, 1),
		noFS: ratelog.Limiter{Interval: time.Minute},
	}
	_, litDir := dir.Literal()
	_, litPrefix := prefix.Literal()
	s.literal = litDir && litPrefix
	s.needsTime = dir.NeedsTime() || prefix.NeedsTime()
	s.openFS = func() (*mounted, error) { return s.target.open(c.fsOptions(s.log)) }
	return s, nil
}

// Sink is the HDFS sink. Process is called by one goroutine (the sink
// runner); Start and Stop may be called from another; a background
// goroutine closes files on time and retries failed closes.
type Sink struct {
	set       flume.Settings
	cfg       Config
	target    target
	dirPat    *bucketpath.Pattern
	prefixPat *bucketpath.Pattern
	literal   bool // neither the path nor the prefix has escapes
	needsTime bool
	ch        flume.Channel
	log       *slog.Logger
	counter   flume.SinkCounter
	clock     clock
	openFS    func() (*mounted, error) // tests substitute failing file systems

	lifeMu  sync.Mutex
	running bool
	closed  bool               // Stop closed the files
	started atomic.Bool        // Process may run
	stop    context.CancelFunc // ends the background goroutine
	bgDone  chan struct{}
	kick    chan struct{} // wakes the background goroutine

	mntMu sync.Mutex
	mnt   *mounted
	rec   *record

	// mu (see lock) guards the buckets and their open files. Process
	// holds it for a whole batch; the background goroutine takes it only to
	// detach the files it closes.
	mu      chan struct{}
	buckets map[string]*bucket
	lru     list.List // of *bucket, least recently used first
	last    *bucket   // the bucket of a sink without escapes
	batch   uint64
	wakeAt  time.Time // when the background goroutine wakes next; zero: not planned

	retryMu sync.Mutex
	retries []*retry // files whose close, recovery or rename is retried

	calls sync.WaitGroup // file-system calls in flight
	slots chan struct{}  // hdfs.threadsPoolSize

	// Process-only scratch.
	keyBuf, dirBuf, nameBuf []byte
	touched                 []*bucket
	timeCache               bucketpath.Cache
	noTime                  ratelog.Limiter
	noFS                    ratelog.Limiter // the background goroutine's
}

var (
	_ flume.Batcher   = (*Sink)(nil)
	_ flume.Lifecycle = (*Sink)(nil)
)

// BatchSize returns hdfs.batchSize.
func (s *Sink) BatchSize() (int, string) { return s.cfg.BatchSize, keyBatchSize }

// Counters returns the sink's counters.
func (s *Sink) Counters() *flume.SinkCounter { return &s.counter }

// Start opens the in-use record and starts the background goroutine,
// which opens the file system and closes and renames the files a previous
// run left in use. It returns promptly; an unreachable file system makes
// Process fail until it answers.
func (s *Sink) Start(context.Context) error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.running {
		return nil
	}
	if s.bgDone != nil {
		return fmt.Errorf("hdfs sink %q: a previous Stop has not finished", s.set.Name)
	}
	rec, err := openRecord(s.cfg.RecoveryDir, s.set.Name)
	if err != nil {
		return fmt.Errorf("hdfs sink %q: %w", s.set.Name, err)
	}
	s.counter.Started()
	s.rec = rec
	s.buckets = map[string]*bucket{}
	s.lru.Init()
	s.last = nil
	s.slots = make(chan struct{}, s.cfg.ThreadsPoolSize)
	s.kick = make(chan struct{}, 1)
	s.retryMu.Lock()
	s.retries = nil
	s.retryMu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	s.stop, s.bgDone, s.running, s.closed = cancel, make(chan struct{}), true, false
	s.started.Store(true)
	go s.background(ctx, s.bgDone, rec.entries()) // what a previous run left, before this one adds to it
	return nil
}

// Stop closes and renames every open file (one attempt each, as Flume's
// stop; a file that fails stays in the record for the next start), stops
// the background goroutine and closes the file system. It returns once no
// file-system call of the sink runs, or with an error when ctx ends first.
func (s *Sink) Stop(ctx context.Context) error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.bgDone == nil {
		return nil
	}
	if s.running {
		s.running = false
		s.started.Store(false)
		s.stop()
	}
	select {
	case <-s.bgDone:
	case <-ctx.Done():
		return fmt.Errorf("hdfs sink %q: stop: %w", s.set.Name, ctx.Err())
	}
	if !s.closed {
		if ctx.Err() != nil { // a later Stop closes the files
			return fmt.Errorf("hdfs sink %q: stop: %w", s.set.Name, ctx.Err())
		}
		if !s.closeAll(ctx) {
			return fmt.Errorf("hdfs sink %q: stop: a batch is still being written: %w", s.set.Name, ctx.Err())
		}
		s.releaseRetries(ctx)
		s.closed = true
	}
	done := make(chan struct{})
	go func() { s.calls.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("hdfs sink %q: stop: file-system calls still running: %w", s.set.Name, ctx.Err())
	}
	var err error
	if s.rec != nil {
		err = s.rec.close()
		s.rec = nil
	}
	s.mntMu.Lock()
	if s.mnt != nil {
		if cerr := s.mnt.fs.Close(); err == nil {
			err = cerr
		}
		s.mnt = nil
	}
	s.mntMu.Unlock()
	s.bgDone = nil
	s.counter.Stopped()
	if err != nil {
		return fmt.Errorf("hdfs sink %q: stop: %w", s.set.Name, err)
	}
	return nil
}

// lock and unlock guard the buckets (s.mu); lockCtx gives up when ctx
// ends first (Stop waiting for a batch stuck in a file-system call).
func (s *Sink) lock()   { s.mu <- struct{}{} }
func (s *Sink) unlock() { <-s.mu }

func (s *Sink) lockCtx(ctx context.Context) bool {
	select {
	case s.mu <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// closeAll closes every open file, once, within ctx; false when ctx ended
// before the current batch did.
func (s *Sink) closeAll(ctx context.Context) bool {
	if !s.lockCtx(ctx) {
		return false
	}
	var files []*outFile
	for e := s.lru.Front(); e != nil; e = e.Next() {
		b := e.Value.(*bucket)
		if b.f != nil {
			files = append(files, b.f)
			b.f = nil
		}
	}
	s.buckets, s.last = nil, nil
	s.lru.Init()
	s.unlock()
	// Closed hdfs.threadsPoolSize at a time: thousands of open files on
	// HDFS take a round trip or two each.
	work := make(chan *outFile)
	var wg sync.WaitGroup
	for range min(s.cfg.ThreadsPoolSize, len(files)) {
		wg.Go(func() {
			for f := range work {
				if ctx.Err() != nil {
					s.log.Warn("not closed before the stop deadline: it is closed and renamed at the next start", "file", f.inUse)
					continue
				}
				s.closeFile(ctx, f, false)
			}
		})
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	return true
}

// releaseRetries tries once more to close and rename the files whose
// retries are queued; those that still fail stay in the record for the
// next start.
func (s *Sink) releaseRetries(ctx context.Context) {
	s.retryMu.Lock()
	rs := s.retries
	s.retries = nil
	s.retryMu.Unlock()
	for _, r := range rs {
		if ctx.Err() != nil || !s.attempt(ctx, r) {
			s.releaseFile(ctx, r)
		}
	}
}

// mount returns the file system, opening it on first use.
func (s *Sink) mount() (*mounted, error) {
	s.mntMu.Lock()
	defer s.mntMu.Unlock()
	if s.mnt != nil {
		return s.mnt, nil
	}
	if !s.started.Load() { // stopped meanwhile: open nothing Stop would not close
		return nil, errors.New("not started")
	}
	m, err := s.openFS()
	if err != nil {
		return nil, err
	}
	if m.local && (s.cfg.KerberosPrincipal != "" || s.cfg.ProxyUser != "") {
		s.log.Warn("hdfs.kerberosPrincipal and hdfs.proxyUser do not apply to the local file system: ignored")
	}
	s.log.Info("writing", "path", s.cfg.Path, "to", m.describe)
	s.mnt = m
	return m, nil
}

// Process takes up to hdfs.batchSize events, writes each to the file of
// its bucket, flushes (hflush, fsync) every file it wrote to and records
// the new files durably, and only then commits. A failure rolls the
// transaction back and closes the files the batch wrote to, without the
// batch's data where it was not flushed yet; the events are written again
// to new files.
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	if !s.started.Load() {
		return flume.Backoff, fmt.Errorf("hdfs sink %q: not started", s.set.Name)
	}
	m, err := s.mount()
	if err != nil {
		s.counter.ConnectionFailedCount.Add(1)
		return flume.Backoff, fmt.Errorf("hdfs sink %q: %w", s.set.Name, err)
	}
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: s.cfg.BatchSize}, &s.counter, func(ctx context.Context, events []flume.Event) error {
		return s.deliver(ctx, m, events)
	})
	if err != nil {
		err = fmt.Errorf("hdfs sink %q: %w", s.set.Name, err)
	}
	return res.Status, err
}

// deliver writes a batch and makes it durable. Its file-system calls are
// bounded by hdfs.callTimeout, not by ctx: a runner that stops lets the
// batch finish rather than abandon its files half-written.
func (s *Sink) deliver(ctx context.Context, m *mounted, events []flume.Event) error {
	ctx = context.WithoutCancel(ctx)
	s.lock()
	defer s.unlock()
	if s.buckets == nil {
		return errors.New("not started")
	}
	s.batch++
	touched := s.touched[:0]
	defer func() { clear(touched); s.touched = touched[:0] }()
	now := s.clock.Now()
	for i := range events {
		e := &events[i]
		b, err := s.bucketFor(ctx, m, e, now)
		if err != nil {
			return s.failBatch(ctx, touched, err)
		}
		if b.batch != s.batch {
			b.batch = s.batch
			touched = append(touched, b)
		}
		if err := s.append(ctx, m, b, e, now); err != nil {
			return s.failBatch(ctx, touched, err)
		}
	}
	if err := s.flushAll(ctx, touched); err != nil {
		return s.failBatch(ctx, touched, err)
	}
	if s.cfg.IdleTimeout > 0 {
		s.deadlineSet(s.clock.Now().Add(s.cfg.IdleTimeout))
	}
	if err := s.rec.sync(); err != nil {
		return s.failBatch(ctx, touched, err)
	}
	return nil
}

// wake tells the background goroutine that deadlines changed.
func (s *Sink) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// failBatch closes the files the failed batch wrote to, dropping what was
// not flushed yet, so that each ends with its last committed batch, and
// returns err.
func (s *Sink) failBatch(ctx context.Context, touched []*bucket, err error) error {
	for _, b := range touched {
		if f := b.f; f != nil {
			b.f = nil
			s.removeBucket(b)
			s.closeFile(ctx, f, true)
		}
	}
	return err
}

// timeOf returns the time an event's escapes format: its timestamp
// header, or (hdfs.useLocalTimeStamp, or an event without a usable
// header) now.
func (s *Sink) timeOf(e *flume.Event, now time.Time) bucketpath.Time {
	v, ok := e.Header("timestamp")
	t, err := s.cfg.Time.AtCached(&s.timeCache, v, ok, now.UnixMilli())
	if err != nil {
		s.noTime.Warn(s.log, "the path has time escapes but the event's timestamp header is missing or not epoch milliseconds: the event goes to the bucket of the agent's clock (Flume would fail the batch over and over)", "error", err)
		t = s.cfg.Time.AtMillis(now.UnixMilli())
	}
	return t
}
