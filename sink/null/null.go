package null

import (
	"context"
	"log/slog"

	"github.com/flumego/flume"
	"github.com/flumego/flume/sink"
)

// Sink discards events.
type Sink struct {
	ch        flume.Channel
	log       *slog.Logger
	batchSize int
	logEvery  int64
	counter   flume.SinkCounter
	count     int64
}

var _ flume.Batcher = (*Sink)(nil)

// Config is the null sink's configuration.
type Config struct {
	BatchSize       int   // batchSize
	LogEveryNEvents int64 // logEveryNEvents: a progress line every N events
}

// ParseConfig reads the sink's properties with Flume's defaults. Problems
// are recorded in cfg.
func ParseConfig(cfg *flume.Context) Config {
	return Config{BatchSize: cfg.Positive("batchSize", 100), LogEveryNEvents: cfg.Int64AtLeast("logEveryNEvents", 10000, 1)}
}

// Factory builds a null sink.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, in), nil
}

// New returns a stopped null sink that takes from in.
func New(set flume.Settings, c Config, in flume.Channel) *Sink {
	return &Sink{ch: in, log: set.Log(), batchSize: c.BatchSize, logEvery: c.LogEveryNEvents}
}

// Register adds the null sink to r.
func Register(r *flume.Registry) error {
	return r.RegisterSink("null", Factory, "org.apache.flume.sink.NullSink")
}

// BatchSize returns the configured batchSize.
func (s *Sink) BatchSize() (int, string) { return s.batchSize, "batchSize" }

// Start resets the counters.
func (s *Sink) Start(context.Context) error { s.counter.Started(); return nil }

// Stop records the stop time.
func (s *Sink) Stop(context.Context) error { s.counter.Stopped(); return nil }

// Process takes up to batchSize events and discards them. As Flume's
// NullSink, it asks the runner to back off when the channel ran out before
// the batch was full.
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: s.batchSize, BackoffOnUnderflow: true}, &s.counter,
		func(context.Context, []flume.Event) error { return nil })
	if err != nil {
		return res.Status, err
	}
	if before := s.count; res.Committed && res.Taken > 0 {
		s.count += int64(res.Taken)
		if s.count/s.logEvery != before/s.logEvery {
			s.log.Info("null sink progress", "events", s.count)
		}
	}
	return res.Status, nil
}
