package spooldir

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/background"
	"github.com/flumego/flume/internal/ratelog"
)

// Source is a spooling directory source.
type Source struct {
	name    string
	cfg     Config
	out     flume.ChannelProcessor
	log     *slog.Logger
	counter flume.SourceCounter

	trackerDir string
	task       background.Task

	// Only the task's goroutine touches what follows.
	tracker  *tracker
	resume   resumePoint         // the tracker file found at start
	held     map[string]held     // files left in place, by path
	fresh    map[string]sighting // files modified less than a pollDelay ago, by path
	queue    []candidate         // the last scan's files not yet tried
	scanned  time.Time
	prepared bool

	dirStreak     ratelog.Streak  // the spooling directory cannot be used
	channelStreak ratelog.Streak  // the channels refuse batches
	subdirWarn    ratelog.Limiter // a subdirectory cannot be listed
	patternWarn   ratelog.Limiter
	trackerWarn   ratelog.Limiter
	changeWarn    ratelog.Limiter // a file changed after it was picked up
	retireWarn    ratelog.Limiter // a held file still cannot be marked done
}

// resumePoint is where the tracker file says reading stopped.
type resumePoint struct {
	target string
	pos    int64
}

var (
	_ flume.Source  = (*Source)(nil)
	_ flume.Batcher = (*Source)(nil)
)

// New returns a spooling directory source handing its events to out.
func New(set flume.Settings, cfg Config, out flume.ChannelProcessor) *Source {
	s := &Source{name: set.Name, cfg: cfg, out: out, log: set.Log(), trackerDir: cfg.trackerPath()}
	set.Publish(&s.counter)
	return s
}

// Factory builds a spooling directory source from its properties.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c := ParseConfig(set, cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, out), nil
}

// Register adds the spooling directory source to r.
func Register(r *flume.Registry) error {
	return r.RegisterSource("spooldir", Factory, "org.apache.flume.source.SpoolDirectorySource")
}

// BatchSize returns the configured batchSize.
func (s *Source) BatchSize() (int, string) { return s.cfg.BatchSize, "batchSize" }

// Start begins watching the directory on a goroutine the source owns. A
// directory that is missing or unusable is reported and retried there,
// every pollDelay (at least every second), without failing Start.
func (s *Source) Start(context.Context) error {
	// The counters restart from 0 (as Flume's do at each start) on the
	// goroutine, before it counts anything: reset after Start returned,
	// they would lose what the goroutine counted in between.
	_, err := s.task.Start(func(ctx, _ context.Context) {
		s.counter.Started()
		s.run(ctx)
	})
	if err != nil {
		return fmt.Errorf("spooldir source %q: %w", s.name, err)
	}
	return nil
}

// Stop ends the source and waits for its goroutine, at most until ctx
// ends. A batch being committed is abandoned: its events are read again
// from the file when the source restarts.
func (s *Source) Stop(ctx context.Context) error {
	ended, err := s.task.Stop(ctx)
	if ended {
		s.counter.Stopped()
	}
	if err != nil {
		return fmt.Errorf("spooldir source %q: %w", s.name, err)
	}
	return nil
}

func (s *Source) run(ctx context.Context) {
	s.held, s.fresh, s.queue, s.prepared, s.tracker = map[string]held{}, map[string]sighting{}, nil, false, nil
	s.resume = resumePoint{}
	defer func() {
		if s.tracker != nil {
			s.tracker.close()
			s.tracker = nil
		}
	}()
	s.log.Info("spooling directory source started", "dir", s.cfg.SpoolDir, "deserializer", s.cfg.DeserializerType)
	for ctx.Err() == nil {
		if !s.prepared {
			if err := s.prepare(); err != nil {
				s.counter.GenericProcessingFail.Add(1)
				s.dirStreak.Fail(s.log, "spooling directory cannot be used; retrying", "dir", s.cfg.SpoolDir, "error", err)
				_ = background.Sleep(ctx, max(s.cfg.PollDelay, time.Second))
				continue
			}
			s.prepared = true
		}
		c, ok := s.next()
		if !ok {
			_ = background.Sleep(ctx, s.cfg.PollDelay)
			continue
		}
		s.process(ctx, c)
	}
}

// prepare checks the spooling directory as Flume does when it starts,
// creates the tracker directory and reads its tracker file.
func (s *Source) prepare() error {
	fi, err := os.Stat(s.cfg.SpoolDir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", s.cfg.SpoolDir)
	}
	if err := os.MkdirAll(s.trackerDir, 0o755); err != nil {
		return fmt.Errorf("tracker directory: %w", err)
	}
	if s.cfg.DeletePolicy == DeleteImmediate || s.cfg.TrackingPolicy == TrackRename {
		// Flume's canary: files in the directory must be writable and
		// removable, or every file would be read again after a restart.
		f, err := os.CreateTemp(s.cfg.SpoolDir, ".flume-spooldir-perm-check-*.canary")
		if err != nil {
			return fmt.Errorf("cannot create files in the spooling directory: %w", err)
		}
		_, werr := f.WriteString("testing flume file permissions\n")
		cerr := f.Close()
		rerr := os.Remove(f.Name())
		if err := errors.Join(werr, cerr, rerr); err != nil {
			return fmt.Errorf("cannot write and remove files in the spooling directory: %w", err)
		}
	}
	target, pos, ok, err := readTracker(metaPath(s.trackerDir))
	s.resume = resumePoint{}
	switch {
	case err != nil:
		s.log.Warn("tracker file unreadable; the file it tracked is read from its start", "error", err)
	case ok:
		s.resume = resumePoint{target: target, pos: pos}
	}
	return nil
}

// next returns the next file to read: the one the tracker file names
// first, if it is there, then the files of the last scan in order. The
// directory is scanned again when the last scan is used up or older than
// pollDelay (oldest, youngest), or used up (random, as Flume).
func (s *Source) next() (candidate, bool) {
	if len(s.queue) == 0 || s.cfg.ConsumeOrder != OrderRandom && time.Since(s.scanned) >= s.cfg.PollDelay {
		res, err := s.scan()
		if err != nil {
			s.counter.GenericProcessingFail.Add(1)
			s.dirStreak.Fail(s.log, "cannot list the spooling directory; retrying", "dir", s.cfg.SpoolDir, "error", err)
			s.queue = nil
			s.prepared = false
			return candidate{}, false
		}
		s.dirStreak.OK(s.log, "spooling directory usable again", "dir", s.cfg.SpoolDir)
		for dir, err := range res.skipped {
			s.counter.GenericProcessingFail.Add(1)
			s.subdirWarn.Warn(s.log, "cannot list a subdirectory; its files are not read until it can be", "dir", dir, "error", err)
		}
		s.queue, s.scanned = res.files, time.Now()
		s.forgetGone(res.files)
		if s.resume.target != "" {
			s.queue = s.resumeFirst(s.queue)
		}
	}
	for len(s.queue) > 0 {
		c := s.queue[0]
		s.queue = s.queue[1:]
		if s.ready(c) {
			return c, true
		}
	}
	return candidate{}, false
}

// resumeFirst moves the file the tracker file names to the front, so that
// a file half read when the agent stopped is finished first (Flume resumes
// it only if it happens to be the next one chosen, and reads it again from
// the start otherwise).
func (s *Source) resumeFirst(files []candidate) []candidate {
	for i, c := range files {
		if samePath(c.path, s.resume.target) {
			return append([]candidate{c}, append(files[:i:i], files[i+1:]...)...)
		}
	}
	s.resume = resumePoint{} // done or gone: a new file of that name starts at 0
	return files
}

func samePath(a, b string) bool {
	if a == b {
		return true
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}

// process reads one file to its end, a batch at a time, committing each
// batch to the channels before persisting the position after it, and then
// marks it done. A file that changes, fails or cannot be marked done is
// left in place and held (see held).
func (s *Source) process(ctx context.Context, c candidate) {
	f, err := os.Open(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.log.Debug("file gone before it was read", "file", c.path)
		return
	}
	if err != nil {
		s.counter.GenericProcessingFail.Add(1)
		s.fail(c, c.sig, 0, "cannot open the file", err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.counter.GenericProcessingFail.Add(1)
		s.fail(c, c.sig, 0, "cannot stat the file", err)
		return
	}
	at := sigOf(fi)
	start := s.startPosition(c, at)
	if err := s.track(c.path, start); err != nil {
		s.counter.GenericProcessingFail.Add(1)
		s.trackerWarn.Warn(s.log, "cannot write the tracker file; a restart reads this file again from its start", "file", c.path, "error", err)
	}
	snap := &snapshot{SectionReader: io.NewSectionReader(f, 0, at.size)}
	if _, err := snap.Seek(start, io.SeekStart); err != nil {
		s.counter.GenericProcessingFail.Add(1)
		s.fail(c, at, start, "cannot seek in the file", err)
		return
	}
	d, err := s.cfg.Deserializer(flume.DeserializerInput{File: snap, Start: start, Size: at.size, Name: c.path,
		Charset: s.cfg.InputCharset, DecodeErrorPolicy: s.cfg.DecodeErrorPolicy})
	if err != nil {
		s.counter.EventReadFail.Add(1)
		s.fail(c, at, start, "cannot read the file as "+s.cfg.DeserializerType, err)
		return
	}
	defer d.Close()
	h := s.headers(c)
	pos, first := start, start == 0
	for ctx.Err() == nil {
		events, rerr := d.ReadEvents(s.cfg.BatchSize)
		synthetic := first && rerr == io.EOF
		if synthetic {
			// Flume sends one empty event for an empty file (FLUME-2318),
			// so that it is seen downstream.
			events, rerr = []flume.Event{{}}, nil
		}
		first = false
		if rerr == io.EOF {
			s.retire(c, at, pos)
			return
		}
		if snap.hitEnd && s.changed(c, at, pos) {
			return // read later from pos, once it stops changing
		}
		if len(events) > 0 {
			h.apply(events)
			s.counter.EventReceivedCount.Add(int64(len(events)))
			s.counter.AppendBatchReceivedCount.Add(1)
			reread := func() []flume.Event { return s.reread(d, h) }
			if synthetic {
				reread = func() []flume.Event { e := []flume.Event{{}}; h.apply(e); return e }
			}
			if !s.deliver(ctx, events, reread) {
				return // stopping: the batch is read again after a restart
			}
			if p, err := d.Mark(); err == nil {
				pos = p
			}
			if err := s.tracker.store(pos); err != nil {
				s.counter.GenericProcessingFail.Add(1)
				s.trackerWarn.Warn(s.log, "cannot write the tracker file; a restart may read committed events again",
					"file", c.path, "error", err)
			}
		}
		if rerr != nil {
			s.counter.EventReadFail.Add(1)
			s.fail(c, at, pos, "cannot read the file to its end", rerr)
			return
		}
	}
}

// startPosition returns where to start reading c: where this run left it
// (a file held since), where the tracker file says, or 0.
func (s *Source) startPosition(c candidate, at sig) int64 {
	if h, ok := s.held[c.path]; ok {
		delete(s.held, c.path)
		if h.sig.dev == at.dev && h.sig.ino == at.ino && h.pos <= at.size {
			return h.pos
		}
		return 0
	}
	if s.resume.target == "" || !samePath(s.resume.target, c.path) {
		return 0
	}
	pos := s.resume.pos
	s.resume = resumePoint{}
	if pos > at.size {
		s.log.Warn("the tracker file's position is past the end of the file, which was replaced; reading it from its start",
			"file", c.path, "position", pos, "size", at.size)
		return 0
	}
	if pos > 0 {
		s.log.Info("resuming a file where the last run stopped", "file", c.path, "position", pos)
	}
	return pos
}

// track makes the tracker file follow path from pos.
func (s *Source) track(path string, pos int64) error {
	if s.tracker == nil {
		s.tracker = newTracker(metaPath(s.trackerDir))
	}
	return s.tracker.start(path, pos)
}

// deliver hands a batch to the channels. While they refuse it, it waits
// (250 ms, doubling up to maxBackoff, as Flume) and offers the batch again
// as reread returns it: read again from the deserializer's mark, since
// interceptors may have changed the refused events in place. It returns
// false when ctx ends first.
func (s *Source) deliver(ctx context.Context, events []flume.Event, reread func() []flume.Event) bool {
	backoff := 250 * time.Millisecond
	for {
		err := s.out.Process(ctx, events)
		if err == nil {
			s.counter.EventAcceptedCount.Add(int64(len(events)))
			s.counter.AppendBatchAcceptedCount.Add(1)
			s.channelStreak.OK(s.log, "channels accept batches again")
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		s.counter.ChannelWriteFail.Add(1)
		s.channelStreak.Fail(s.log, "channels refused a batch; offering it again after a pause", "events", len(events),
			"retry", backoff, "error", err)
		if background.Sleep(ctx, backoff) != nil {
			return false
		}
		backoff = min(2*backoff, max(s.cfg.MaxBackoff, time.Millisecond))
		if again := reread(); len(again) > 0 {
			events = again
		}
	}
}

// reread returns the batch after the deserializer's mark again, with the
// file's headers.
func (s *Source) reread(d flume.EventDeserializer, h headers) []flume.Event {
	if err := d.Reset(); err != nil {
		s.log.Warn("cannot return to the last committed event; offering the batch as it is", "error", err)
		return nil
	}
	events, err := d.ReadEvents(s.cfg.BatchSize)
	if len(events) == 0 {
		s.log.Warn("cannot read the batch again; offering it as it is", "error", err)
		return nil
	}
	h.apply(events)
	return events
}

// headers are the file headers of the events of one file.
type headers struct {
	fileKey, file         string
	basenameKey, basename string
}

func (s *Source) headers(c candidate) headers {
	var h headers
	if s.cfg.FileHeader {
		abs, err := filepath.Abs(c.path)
		if err != nil {
			abs = c.path
		}
		h.fileKey, h.file = s.cfg.FileHeaderKey, abs
	}
	if s.cfg.BasenameHeader {
		h.basenameKey, h.basename = s.cfg.BasenameHeaderKey, c.name
	}
	return h
}

func (h headers) apply(events []flume.Event) {
	if h.fileKey == "" && h.basenameKey == "" {
		return
	}
	// One allocation for the batch's headers, not one per event: each
	// header takes its name, its value and two length prefixes.
	need := 0
	if h.fileKey != "" {
		need += len(h.fileKey) + len(h.file) + 2*binary.MaxVarintLen32
	}
	if h.basenameKey != "" {
		need += len(h.basenameKey) + len(h.basename) + 2*binary.MaxVarintLen32
	}
	flume.ReserveHeaders(events, need)
	for i := range events {
		if h.fileKey != "" {
			events[i].SetHeader(h.fileKey, h.file)
		}
		if h.basenameKey != "" {
			events[i].SetHeader(h.basenameKey, h.basename)
		}
	}
}

// snapshot reads a file up to its size when it was picked up, and notes
// when a read reached that end: then the source checks whether the file
// changed before it delivers what it read last.
type snapshot struct {
	*io.SectionReader
	hitEnd bool
}

func (r *snapshot) Read(p []byte) (int, error) {
	n, err := r.SectionReader.Read(p)
	if err != nil {
		r.hitEnd = true
	} else if off, _ := r.Seek(0, io.SeekCurrent); off >= r.Size() {
		r.hitEnd = true
	}
	return n, err
}
