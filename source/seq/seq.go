package seq

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/background"
)

// Source generates sequence numbers.
type Source struct {
	name         string
	out          flume.ChannelProcessor
	batchSize    int
	total        int64
	backoffStep  time.Duration
	backoffLimit time.Duration
	counter      flume.SourceCounter

	task background.Task
	next int64 // only the task's goroutine touches it
}

var _ flume.Batcher = (*Source)(nil)

// Config is the seq source's configuration.
type Config struct {
	BatchSize   int   // batchSize
	TotalEvents int64 // totalEvents
	// BackoffSleepIncrement and MaxBackoffSleep pace the retries of a
	// batch the channels refused.
	BackoffSleepIncrement time.Duration
	MaxBackoffSleep       time.Duration
}

// ParseConfig reads the source's properties with Flume's defaults.
// Problems are recorded in cfg.
func ParseConfig(cfg *flume.Context) Config {
	return Config{
		BatchSize:             cfg.Positive("batchSize", 1),
		TotalEvents:           cfg.Int64AtLeast("totalEvents", math.MaxInt64, 0),
		BackoffSleepIncrement: cfg.Millis("backoffSleepIncrement", time.Second),
		MaxBackoffSleep:       cfg.Millis("maxBackoffSleep", 5*time.Second),
	}
}

// Factory builds a seq source.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, out), nil
}

// New returns a stopped seq source that hands its events to out, and
// publishes its counters.
func New(set flume.Settings, c Config, out flume.ChannelProcessor) *Source {
	s := &Source{
		name:         set.Name,
		out:          out,
		batchSize:    c.BatchSize,
		total:        c.TotalEvents,
		backoffStep:  c.BackoffSleepIncrement,
		backoffLimit: c.MaxBackoffSleep,
	}
	set.Publish(&s.counter)
	return s
}

// Register adds the seq source to r.
func Register(r *flume.Registry) error {
	return r.RegisterSource("seq", Factory, "org.apache.flume.source.SequenceGeneratorSource")
}

// BatchSize returns the configured batchSize.
func (s *Source) BatchSize() (int, string) { return s.batchSize, "batchSize" }

// Start begins generating on a goroutine the source owns.
func (s *Source) Start(context.Context) error {
	// The counters restart from 0 (as Flume's do at each start) on the
	// goroutine, before it counts anything: reset after Start returned,
	// they would lose what the goroutine counted in between.
	_, err := s.task.Start(func(ctx, _ context.Context) {
		s.counter.Started()
		s.run(ctx)
	})
	if err != nil {
		return fmt.Errorf("seq source %q: %w", s.name, err)
	}
	return nil
}

// Stop ends generation and waits for the goroutine, at most until ctx
// ends (a batch being committed is abandoned and rolled back).
func (s *Source) Stop(ctx context.Context) error {
	ended, err := s.task.Stop(ctx)
	if ended {
		s.counter.Stopped()
	}
	if err != nil {
		return fmt.Errorf("seq source %q: %w", s.name, err)
	}
	return nil
}

func (s *Source) run(ctx context.Context) {
	batch := make([]flume.Event, 0, s.batchSize)
	failures := 0
	for ctx.Err() == nil && s.next < s.total {
		batch = batch[:0]
		for i := int64(0); i < int64(s.batchSize) && s.next+i < s.total; i++ {
			batch = append(batch, flume.Event{Body: strconv.AppendInt(nil, s.next+i, 10)})
		}
		if err := s.out.Process(ctx, batch); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.counter.ChannelWriteFail.Add(1)
			failures++
			_ = background.Sleep(ctx, min(time.Duration(failures)*s.backoffStep, s.backoffLimit))
			continue
		}
		failures = 0
		s.next += int64(len(batch))
		s.counter.EventAcceptedCount.Add(int64(len(batch)))
		s.counter.AppendBatchAcceptedCount.Add(1)
	}
}
