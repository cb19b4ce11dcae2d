package agent

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/sink"
)

// panicky is a plugin-style sink that panics in Start the first time and in
// Process (mid-delivery) every third call, and otherwise records bodies.
type panicky struct {
	ch     flume.Channel
	starts atomic.Int64
	calls  atomic.Int64
	mu     sync.Mutex
	got    []string
}

func (p *panicky) Start(context.Context) error {
	if p.starts.Add(1) == 1 {
		panic("plugin bug in Start")
	}
	return nil
}

func (p *panicky) Stop(context.Context) error { return nil }

func (p *panicky) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, p.ch, sink.Options{BatchSize: 10}, nil, func(_ context.Context, evs []flume.Event) error {
		if p.calls.Add(1)%3 == 1 {
			panic("plugin bug in Process")
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, e := range evs {
			p.got = append(p.got, string(e.Body))
		}
		return nil
	})
	return res.Status, err
}

func (p *panicky) delivered() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got...)
}

func TestPanickingPluginSinkLosesNothing(t *testing.T) {
	reg := registry(t)
	var sk *panicky
	if err := reg.RegisterSink("com.example.PanickySink", func(_ flume.Settings, _ *flume.Context, in flume.Channel) (flume.Sink, error) {
		sk = &panicky{ch: in}
		return sk, nil
	}); err != nil {
		t.Fatal(err)
	}
	const n = 500
	g, problems := buildText(t, `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = `+strconv.Itoa(n)+`
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.sinks.k1.type = com.example.PanickySink
a1.sinks.k1.channel = c1
`, Options{Registry: reg, RestartInterval: 10 * time.Millisecond,
		RunnerBackoff: &RunnerBackoff{Step: time.Millisecond, Max: time.Millisecond, Error: time.Millisecond}})
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop(context.Background())
	flumetest.WaitFor(t, 30*time.Second, "every event to be delivered despite the panics", func() bool { return len(sk.delivered()) >= n })
	got := sk.delivered()
	if len(got) != n {
		t.Fatalf("delivered %d events, want %d (duplicates?)", len(got), n)
	}
	for i, b := range got {
		if b != strconv.Itoa(i) {
			t.Fatalf("event %d = %q: lost or reordered", i, b)
		}
	}
	if sk.starts.Load() < 2 || sk.calls.Load() < n/10 {
		t.Fatalf("starts %d, calls %d: the panics did not happen as planned", sk.starts.Load(), sk.calls.Load())
	}
}
