package interceptor_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/sink"
	"github.com/flumego/flume/source"
	"github.com/flumego/flume/source/interceptor"
)

const benchBatch = 100

// BenchmarkInterceptorChain compares the plain path (put on a memory
// channel, sink.Step with a no-op delivery) with the same through a
// source's channel processor, without and with the chain timestamp + host +
// static + regex_filter. Each iteration builds a fresh batch of 100 events
// (100-byte body, one header), as a source would.
func BenchmarkInterceptorChain(b *testing.B) {
	reg := flume.NewRegistry()
	if err := errors.Join(interceptor.Register(reg), source.Register(reg)); err != nil {
		b.Fatal(err)
	}
	chain := map[string]string{
		"interceptors":                      "ts host dc filter",
		"interceptors.ts.type":              "timestamp",
		"interceptors.host.type":            "host",
		"interceptors.dc.type":              "static",
		"interceptors.dc.key":               "datacenter",
		"interceptors.dc.value":             "NYC_01",
		"interceptors.filter.type":          "regex_filter",
		"interceptors.filter.regex":         "^DEBUG",
		"interceptors.filter.excludeEvents": "true",
	}
	for _, tc := range []struct {
		name  string
		props map[string]string // nil: put directly on the channel
	}{
		{"plain", nil},
		{"processor", map[string]string{}},
		{"chain", chain},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ch, err := memory.New(flume.Settings{Name: "c1"}, memory.Config{Capacity: 10 * benchBatch, TransactionCapacity: benchBatch})
			if err != nil {
				b.Fatal(err)
			}
			if err := ch.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			defer ch.Stop(context.Background())
			ctx := context.Background()
			put := func(evs []flume.Event) error {
				return flume.Do(ctx, ch, func(tx flume.Transaction) error { return tx.Put(ctx, evs...) })
			}
			if tc.props != nil {
				p, err := source.NewProcessorFromConfig(flume.Settings{Name: "r1"}, flume.ContextFromMap(tc.props),
					[]flume.NamedChannel{{Name: "c1", Channel: ch}}, reg)
				if err != nil {
					b.Fatal(err)
				}
				put = func(evs []flume.Event) error { return p.Process(ctx, evs) }
			}
			body := []byte("INFO 2024-05-01 12:00:00 GET /index.html 200 ")
			body = append(body, bytes.Repeat([]byte("x"), 100-len(body))...)
			var counter flume.SinkCounter
			b.ReportAllocs()
			for b.Loop() {
				evs := make([]flume.Event, benchBatch)
				for i := range evs {
					evs[i] = flume.NewEvent(body)
					evs[i].SetHeader("seq", "1")
				}
				if err := put(evs); err != nil {
					b.Fatal(err)
				}
				if res, err := sink.Step(ctx, ch, sink.Options{BatchSize: benchBatch}, &counter, func(context.Context, []flume.Event) error { return nil }); err != nil || res.Status != flume.Ready {
					b.Fatalf("Step = %+v, %v", res, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/event")
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkChainOnly isolates the interceptors: a fresh batch of 100
// events through timestamp + host + static + regex_filter, against
// building the batch alone.
func BenchmarkChainOnly(b *testing.B) {
	reg := flume.NewRegistry()
	if err := interceptor.Register(reg); err != nil {
		b.Fatal(err)
	}
	var chain []flume.Interceptor
	for _, c := range []map[string]string{
		{"type": "timestamp"},
		{"type": "host"},
		{"type": "static", "key": "datacenter", "value": "NYC_01"},
		{"type": "regex_filter", "regex": "^DEBUG", "excludeEvents": "true"},
	} {
		f, _, err := reg.Interceptor(c["type"])
		if err != nil {
			b.Fatal(err)
		}
		in, err := f(flume.Settings{}, flume.ContextFromMap(c))
		if err != nil {
			b.Fatal(err)
		}
		chain = append(chain, in)
	}
	body := bytes.Repeat([]byte("x"), 100)
	for _, tc := range []struct {
		name  string
		chain []flume.Interceptor
	}{{"none", nil}, {"chain", chain}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				evs := make([]flume.Event, benchBatch)
				for i := range evs {
					evs[i] = flume.NewEvent(body)
					evs[i].SetHeader("seq", "1")
				}
				for _, in := range tc.chain {
					var err error
					if evs, err = in.Intercept(evs); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/event")
		})
	}
}
