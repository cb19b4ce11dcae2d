package sinkgroup_test

import (
	"context"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/sink"
	"github.com/flumego/flume/sinkgroup"
)

const benchBatch = 100

// benchEvents returns a fresh batch, as a source would build it.
func benchEvents(body []byte) []flume.Event {
	evs := make([]flume.Event, benchBatch)
	for i := range evs {
		evs[i] = flumetest.EventWithHeaders(body, map[string]string{"seq": "1"})
	}
	return evs
}

type drainSink struct {
	ch      flume.Channel
	counter flume.SinkCounter
}

func (s *drainSink) Start(context.Context) error { return nil }
func (s *drainSink) Stop(context.Context) error  { return nil }
func (s *drainSink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: benchBatch}, &s.counter, func(context.Context, []flume.Event) error { return nil })
	return res.Status, err
}

func benchChannel(b *testing.B) *memory.Channel {
	ch, err := memory.New(flume.Settings{Name: "c1"}, memory.Config{Capacity: 10 * benchBatch, TransactionCapacity: benchBatch})
	if err != nil {
		b.Fatal(err)
	}
	if err := ch.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ch.Stop(context.Background()) })
	return ch
}

// runBench puts a batch on ch and has s drain it, b.N times, and reports
// the cost per event.
func runBench(b *testing.B, ch flume.Channel, s flume.Sink) {
	ctx := context.Background()
	body := make([]byte, 100)
	b.ReportAllocs()
	for b.Loop() {
		evs := benchEvents(body)
		if err := flume.Do(ctx, ch, func(tx flume.Transaction) error { return tx.Put(ctx, evs...) }); err != nil {
			b.Fatal(err)
		}
		if st, err := s.Process(ctx); err != nil || st != flume.Ready {
			b.Fatalf("Process = %v, %v", st, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/event")
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkSinkPath compares the plain path (memory channel → sink.Step
// with a no-op delivery) with the same sink inside a failover group of two.
func BenchmarkSinkPath(b *testing.B) {
	b.Run("plain", func(b *testing.B) {
		ch := benchChannel(b)
		runBench(b, ch, &drainSink{ch: ch})
	})
	b.Run("failover", func(b *testing.B) {
		ch := benchChannel(b)
		g, err := sinkgroup.New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{
			"sinks": "k1 k2", "processor.type": "failover",
			"processor.priority.k1": "10", "processor.priority.k2": "5",
		}), []flume.NamedSink{{Name: "k1", Sink: &drainSink{ch: ch}}, {Name: "k2", Sink: &drainSink{ch: ch}}}, benchRegistry(b))
		if err != nil {
			b.Fatal(err)
		}
		runBench(b, ch, g)
	})
	b.Run("load_balance", func(b *testing.B) {
		ch := benchChannel(b)
		g, err := sinkgroup.New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{
			"sinks": "k1 k2", "processor.type": "load_balance", "processor.backoff": "true",
		}), []flume.NamedSink{{Name: "k1", Sink: &drainSink{ch: ch}}, {Name: "k2", Sink: &drainSink{ch: ch}}}, benchRegistry(b))
		if err != nil {
			b.Fatal(err)
		}
		runBench(b, ch, g)
	})
}

func benchRegistry(b *testing.B) *flume.Registry {
	reg := flume.NewRegistry()
	if err := sinkgroup.Register(reg); err != nil {
		b.Fatal(err)
	}
	return reg
}

type readySink struct{}

func (readySink) Start(context.Context) error                   { return nil }
func (readySink) Stop(context.Context) error                    { return nil }
func (readySink) Process(context.Context) (flume.Status, error) { return flume.Ready, nil }

// BenchmarkProcessorOverhead isolates what a group adds to one Process call
// (one batch): the member sink does nothing.
func BenchmarkProcessorOverhead(b *testing.B) {
	members := []flume.NamedSink{{Name: "k1", Sink: readySink{}}, {Name: "k2", Sink: readySink{}}}
	for _, tc := range []struct{ name, typ string }{{"sink", ""}, {"failover", "failover"}, {"load_balance", "load_balance"}} {
		b.Run(tc.name, func(b *testing.B) {
			var s flume.Sink = readySink{}
			if tc.typ != "" {
				var err error
				s, err = sinkgroup.New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{
					"processor.type": tc.typ, "processor.backoff": "true",
				}), members, benchRegistry(b))
				if err != nil {
					b.Fatal(err)
				}
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Process(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
