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

// Factory builds a null sink.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	s := &Sink{ch: in, log: set.Log(), batchSize: cfg.Positive("batchSize", 100), logEvery: cfg.Int64AtLeast("logEveryNEvents", 10000, 1)}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Register adds the null sink to r.
func Register(r *flume.Registry) error {
	return r.RegisterSink("null", Factory, "org.apache.flume.sink.NullSink")
}

// BatchSize returns the configured batchSize.
func (s *Sink) BatchSize() (int, string) { return s.batchSize, "batchSize" }

// Counters returns the sink's counters (Flume publishes none for this sink).
func (s *Sink) Counters() *flume.SinkCounter { return &s.counter }

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
