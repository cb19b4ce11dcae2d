package agent

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/sink"
)

// paritySelector is a custom channel selector: events whose body is an even
// number go to the channel named by selector.even, the others to the rest.
type paritySelector struct {
	even, odd []flume.NamedChannel
}

func (p *paritySelector) Select(e flume.Event) (required, optional []flume.NamedChannel) {
	if n, _ := strconv.Atoi(string(e.Body)); n%2 == 0 {
		return p.even, nil
	}
	return p.odd, nil
}

// lastFirst is a custom sink processor: it tries its members from the last
// to the first and returns the first status that is not an error.
type lastFirst struct {
	sinks []flume.NamedSink
	calls int
}

func (l *lastFirst) Start(ctx context.Context) error {
	for _, s := range l.sinks {
		if err := s.Start(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (l *lastFirst) Stop(ctx context.Context) error {
	for _, s := range l.sinks {
		_ = s.Stop(ctx)
	}
	return nil
}

func (l *lastFirst) Process(ctx context.Context) (flume.Status, error) {
	l.calls++
	var err error
	for i := len(l.sinks) - 1; i >= 0; i-- {
		var st flume.Status
		if st, err = l.sinks[i].Process(ctx); err == nil {
			return st, nil
		}
	}
	return flume.Backoff, err
}

// collected records what the collecting sinks delivered, by sink name.
type collected struct {
	mu sync.Mutex
	m  map[string][]string
}

func (c *collected) add(name string, events []flume.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range events {
		c.m[name] = append(c.m[name], string(e.Body))
	}
}

func (c *collected) get(name string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.m[name])
}

type collectSink struct {
	name string
	ch   flume.Channel
	out  *collected
}

func (s *collectSink) Start(context.Context) error { return nil }
func (s *collectSink) Stop(context.Context) error  { return nil }
func (s *collectSink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: 10}, nil, func(_ context.Context, evs []flume.Event) error {
		s.out.add(s.name, evs)
		return nil
	})
	return res.Status, err
}

// TestCustomSelectorAndProcessor registers a channel selector, a sink
// processor and a sink in a test registry, as a plugin would, and runs an
// agent that uses them: each is found by its class name, reads its own
// keys (no unknown-key warning), and routes the events end to end.
func TestCustomSelectorAndProcessor(t *testing.T) {
	const n = 100
	reg := registry(t)
	out := &collected{m: map[string][]string{}}
	var proc *lastFirst
	err := reg.RegisterChannelSelector("com.example.ParitySelector", func(set flume.Settings, cfg *flume.Context, chs []flume.NamedChannel) (flume.ChannelSelector, error) {
		even := cfg.Required("even")
		p := &paritySelector{}
		for _, ch := range chs {
			if ch.Name == even {
				p.even = append(p.even, ch)
			} else {
				p.odd = append(p.odd, ch)
			}
		}
		if len(p.even) == 0 {
			cfg.Errorf("even", "not one of the source's channels")
		}
		return p, cfg.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	err = reg.RegisterSinkProcessor("com.example.LastFirstSinkProcessor", func(set flume.Settings, cfg *flume.Context, sinks []flume.NamedSink) (flume.Sink, error) {
		proc = &lastFirst{sinks: sinks}
		return proc, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = reg.RegisterSink("com.example.CollectSink", func(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
		return &collectSink{name: set.Name, ch: in, out: out}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	props, err := conf.Parse("agent.properties", []byte(`
a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2 k3
a1.sinkgroups = g1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = `+strconv.Itoa(n)+`
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1 c2
a1.sources.r1.selector.type = com.example.ParitySelector
a1.sources.r1.selector.even = c1
a1.channels.c1.type = memory
a1.channels.c2.type = memory
a1.sinks.k1.type = com.example.CollectSink
a1.sinks.k1.channel = c1
a1.sinks.k2.type = com.example.CollectSink
a1.sinks.k2.channel = c1
a1.sinks.k3.type = com.example.CollectSink
a1.sinks.k3.channel = c2
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = com.example.LastFirstSinkProcessor
`))
	if err != nil {
		t.Fatal(err)
	}
	g, problems := Build(conf.Agent("a1", props), Options{Registry: reg, RunnerBackoff: &RunnerBackoff{Step: time.Millisecond, Max: 10 * time.Millisecond, Error: 10 * time.Millisecond}})
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if proc == nil {
		t.Fatal("the custom sink processor was not built")
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 10*time.Second, "every event to be delivered", func() bool {
		return len(out.get("k2"))+len(out.get("k3")) == n
	})
	if err := g.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if k1 := out.get("k1"); len(k1) != 0 {
		t.Errorf("k1 delivered %v; the processor prefers k2, which never fails", k1)
	}
	for _, tc := range []struct {
		sink string
		rest int
	}{{"k2", 0}, {"k3", 1}} {
		got := out.get(tc.sink)
		if len(got) != n/2 {
			t.Errorf("%s delivered %d events, want %d", tc.sink, len(got), n/2)
		}
		for i, b := range got {
			if v, _ := strconv.Atoi(b); v%2 != tc.rest || v != 2*i+tc.rest {
				t.Fatalf("%s delivered %v, want the numbers ≡ %d (mod 2) in order", tc.sink, got, tc.rest)
			}
		}
	}
	if proc.calls == 0 {
		t.Error("the runner never called the custom processor")
	}
}

// holdOnceSink takes a batch, holds it until release is closed (or its
// context ends) and then fails, rolling it back; afterwards it delivers
// like collectSink.
type holdOnceSink struct {
	collectSink
	holding, release chan struct{}
	held             bool
}

func (s *holdOnceSink) Process(ctx context.Context) (flume.Status, error) {
	if s.held {
		return s.collectSink.Process(ctx)
	}
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: 10}, nil, func(ctx context.Context, evs []flume.Event) error {
		s.held = true
		close(s.holding)
		select {
		case <-s.release:
		case <-ctx.Done():
		}
		return errors.New("delivery failed")
	})
	return res.Status, err
}

// A graceful stop drains the events a sink holds in a delivery that fails
// while the stop begins: the memory channel's Len does not count them, but
// they come back when the delivery rolls back, and must not be lost.
func TestStopDrainsABatchInFlight(t *testing.T) {
	reg := registry(t)
	out := &collected{m: map[string][]string{}}
	s := &holdOnceSink{holding: make(chan struct{}), release: make(chan struct{})}
	err := reg.RegisterSink("com.example.HoldOnceSink", func(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
		s.collectSink = collectSink{name: set.Name, ch: in, out: out}
		return s, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	props, err := conf.Parse("agent.properties", []byte(`
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 10
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.keep-alive = 0
a1.sinks.k1.type = com.example.HoldOnceSink
a1.sinks.k1.channel = c1
`))
	if err != nil {
		t.Fatal(err)
	}
	logs := &flumetest.LogBuffer{}
	g, problems := Build(conf.Agent("a1", props), Options{Registry: reg, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		RunnerBackoff: &RunnerBackoff{Step: time.Millisecond, Max: 10 * time.Millisecond, Error: 10 * time.Millisecond}})
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-s.holding // the sink holds all 10 events; the channel's Len is 0
	if ch, _ := g.Snapshot().Channel("c1"); ch.Len != 0 || ch.InFlight != 10 {
		t.Errorf("snapshot of c1: Len %d, InFlight %d; want 0 and 10", ch.Len, ch.InFlight)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- g.Stop(context.Background()) }()
	logs.WaitLine(t, "draining channels", 10*time.Second)
	close(s.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if got := out.get("k1"); len(got) != 10 {
		t.Fatalf("the stop delivered %v; want the 10 events the failed delivery rolled back", got)
	}
}
