package taildir

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/background"
	"github.com/flumego/flume/internal/durable"
	"github.com/flumego/flume/internal/ratelog"
)

// Source is a TAILDIR source.
type Source struct {
	name    string
	cfg     Config
	out     flume.ChannelProcessor
	log     *slog.Logger
	counter flume.SourceCounter

	task background.Task

	lockMu sync.Mutex
	lock   *os.File // <positionFile>.lock, held while the source runs

	// Rate-limited warnings, one per kind of trouble.
	writeWarn, readWarn, posWarn, dirWarn ratelog.Limiter

	mu    sync.Mutex
	stats Stats // published by the running tailer
}

// Stats describes what the running source tracks, for tests and operators.
type Stats struct {
	Tracked int    // files tracked (matched, rotated and being drained, parked copies)
	Open    int    // of which open (active within idleTimeout, or being drained)
	Rotated int    // of which rotated away from their group's pattern, being drained
	Notify  bool   // whether file-system notifications (inotify) drive the source
	Rounds  uint64 // rounds of work done since the start (scans, reads)
	Loaded  bool   // the positions are loaded and the directories scanned
}

var (
	_ flume.Source  = (*Source)(nil)
	_ flume.Batcher = (*Source)(nil)
)

// New returns a TAILDIR source that hands the lines of its files to out.
func New(set flume.Settings, cfg Config, out flume.ChannelProcessor) *Source {
	s := &Source{name: set.Name, cfg: cfg, out: out, log: set.Log()}
	set.Publish(&s.counter)
	return s
}

// Factory builds a TAILDIR source from its properties.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, out), nil
}

// Register adds the TAILDIR source to r.
func Register(r *flume.Registry) error {
	return r.RegisterSource("TAILDIR", Factory, "org.apache.flume.source.taildir.TaildirSource")
}

// BatchSize returns the configured batchSize.
func (s *Source) BatchSize() (int, string) { return s.cfg.BatchSize, "batchSize" }

// Stats returns what the source tracks now (zero when it is not running).
func (s *Source) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func (s *Source) setStats(st Stats) {
	s.mu.Lock()
	s.stats = st
	s.mu.Unlock()
}

// Start creates the position file's directory, as Flume does, and starts
// tailing on a goroutine the source owns: positions are loaded and the
// directories scanned there, so Start returns at once.
func (s *Source) Start(context.Context) error {
	if err := os.MkdirAll(filepath.Dir(s.cfg.PositionFile), 0o755); err != nil {
		return fmt.Errorf("TAILDIR source %q: position file directory: %w", s.name, err)
	}
	// One source per position file: two sources (or agents) sharing one
	// would overwrite each other's positions. The lock is held from Start
	// until a Stop sees the run end (or the process ends).
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if s.lock == nil {
		lock, err := durable.LockFile(s.cfg.PositionFile + lockSuffix)
		if errors.Is(err, durable.ErrLocked) {
			return fmt.Errorf("TAILDIR source %q: position file %s is in use by another TAILDIR source or agent; give each source its own positionFile", s.name, s.cfg.PositionFile)
		}
		if err != nil {
			return fmt.Errorf("TAILDIR source %q: lock the position file: %w", s.name, err)
		}
		s.lock = lock
	}
	// The counters restart from 0 (as Flume's do at each start) on the
	// goroutine, before it counts anything: reset after Start returned,
	// they would lose what the goroutine counted in between.
	_, err := s.task.Start(func(ctx, abort context.Context) {
		s.counter.Started()
		s.run(ctx, abort)
	})
	if err != nil {
		return fmt.Errorf("TAILDIR source %q: %w", s.name, err)
	}
	return nil
}

// Stop stops reading, lets a batch being committed finish (at most until
// ctx ends), writes the position file and closes every file. Lines read
// but not committed are read again at the next start: nothing is lost.
func (s *Source) Stop(ctx context.Context) error {
	ended, err := s.task.Stop(ctx)
	if ended {
		s.counter.Stopped()
		s.lockMu.Lock()
		if s.lock != nil {
			s.lock.Close()
			s.lock = nil
		}
		s.lockMu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("TAILDIR source %q: %w", s.name, err)
	}
	return nil
}

// run tails until ctx ends. abort ends when a Stop gives up waiting; it
// bounds the commit of the batch in flight.
func (s *Source) run(ctx, abort context.Context) {
	t := newTailer(s)
	defer func() {
		t.close()
		s.setStats(Stats{})
	}()
	t.load()
	st := t.stats()
	st.Loaded = true
	s.setStats(st)
	idle := 0
	for rounds := uint64(1); ctx.Err() == nil; rounds++ {
		worked := t.step(ctx, abort)
		st := t.stats()
		st.Rounds, st.Loaded = rounds, true
		s.setStats(st)
		if ctx.Err() != nil {
			break
		}
		if worked {
			idle = 0
			continue
		}
		idle++
		t.wait(ctx, idle)
	}
}
