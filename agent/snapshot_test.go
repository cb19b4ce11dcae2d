package agent

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/sinkgroup"
)

// failing is a plugin sink that always fails to deliver (after rolling
// back).
type failing struct{ ch flume.Channel }

func (f *failing) Start(context.Context) error { return nil }
func (f *failing) Stop(context.Context) error  { return nil }
func (f *failing) Process(ctx context.Context) (flume.Status, error) {
	tx, err := f.ch.Begin()
	if err != nil {
		return flume.Backoff, err
	}
	defer tx.Rollback()
	if _, err := tx.Take(ctx, 1); err != nil {
		return flume.Backoff, err
	}
	return flume.Backoff, errors.New("destination down")
}

func TestSnapshotDescribesTopology(t *testing.T) {
	reg := registry(t)
	if err := reg.RegisterSink("com.example.FailingSink", func(_ flume.Settings, _ *flume.Context, in flume.Channel) (flume.Sink, error) {
		return &failing{ch: in}, nil
	}); err != nil {
		t.Fatal(err)
	}
	g, problems := buildText(t, `a1.sources = r1 r2
a1.channels = c1 c2
a1.sinks = k1 k2 k3
a1.sinkgroups = g1
a1.sources.r1.type = seq
a1.sources.r1.channels = c1 c2
a1.sources.r1.selector.type = Replicating
a1.sources.r2.type = seq
a1.sources.r2.totalEvents = 0
a1.sources.r2.channels = c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 500
a1.channels.c2.type = memory
a1.channels.c2.capacity = 20
a1.channels.c2.transactionCapacity = 20
a1.sinks.k1.type = com.example.FailingSink
a1.sinks.k1.channel = c1
a1.sinks.k2.type = file_roll
a1.sinks.k2.sink.directory = `+t.TempDir()+`
a1.sinks.k2.channel = c1
a1.sinks.k3.type = com.example.FailingSink
a1.sinks.k3.channel = c2
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = FAILOVER
a1.sinkgroups.g1.processor.priority.k1 = 10
a1.sinkgroups.g1.processor.priority.k2 = 5
`, Options{Registry: reg, DrainTimeout: -1,
		RunnerBackoff: &RunnerBackoff{Step: time.Millisecond, Max: time.Millisecond, Error: 10 * time.Millisecond}})
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	built := g.Snapshot()
	if built.Running || built.Agent != "a1" || built.Sources[0].State != Stopped {
		t.Fatalf("built snapshot: running %v, agent %q, r1 %v", built.Running, built.Agent, built.Sources[0].State)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop(context.Background())
	// k1 fails at once; the failover group moves to k2, and c2 fills up
	// because k3 never delivers.
	var s Snapshot
	flumetest.WaitFor(t, 10*time.Second, "k1 in penalty and c2 full", func() bool {
		s = g.Snapshot()
		k1, _ := s.Sink("k1")
		c2, _ := s.Channel("c2")
		return k1.Member != nil && k1.Member.Failures > 0 && c2.Len == 20
	})
	if !s.Running {
		t.Fatal("snapshot of a started graph says not running")
	}
	r1, _ := s.Source("r1")
	if r1.Type != "seq" || r1.Kind != flume.KindSource || r1.Selector != "replicating" || !slices.Equal(r1.Channels, []string{"c1", "c2"}) || r1.State != Running {
		t.Errorf("source r1: %+v", r1)
	}
	if len(r1.Counters) != 1 || r1.Counters[0].Type() != "SOURCE" {
		t.Errorf("source r1 counters: %v", r1.Counters)
	}
	if c1, _ := s.Channel("c1"); c1.Type != "memory" || c1.Capacity != 500 || c1.TransactionCapacity != 100 || len(c1.Counters) != 1 {
		t.Errorf("channel c1: %+v", c1)
	}
	g1, ok := s.Runner("g1")
	if !ok || g1.Kind != KindSinkGroup || g1.Type != sinkgroup.TypeFailover || !slices.Equal(g1.Sinks, []string{"k1", "k2"}) || g1.State != Running {
		t.Errorf("runner g1: %+v", g1)
	}
	if k3, ok := s.Runner("k3"); !ok || k3.Kind != KindSinkRunner || k3.Type != "default" || !slices.Equal(k3.Sinks, []string{"k3"}) {
		t.Errorf("runner k3: %+v", k3)
	}
	k1, _ := s.Sink("k1")
	k2, _ := s.Sink("k2")
	k3, _ := s.Sink("k3")
	if k1.Channel != "c1" || k1.Runner != "g1" || k1.Type != "com.example.FailingSink" || k1.State != Running {
		t.Errorf("sink k1: %+v", k1)
	}
	if k1.Member.Active || k1.Member.Priority != 10 || !k1.Member.PenaltyUntil.After(s.Taken.Add(-time.Minute)) {
		t.Errorf("k1's failover state: %+v", *k1.Member)
	}
	if k2.Type != "file_roll" || k2.Member == nil || !k2.Member.Active || k2.Member.Failures != 0 || len(k2.Counters) != 1 || k2.Counters[0].Type() != "SINK" {
		t.Errorf("sink k2: %+v", k2)
	}
	if k3.Channel != "c2" || k3.Runner != "k3" || k3.Member != nil {
		t.Errorf("sink k3: %+v", k3)
	}
	// A snapshot is a copy: changing it changes no later snapshot.
	s.Sources[0].Channels[0] = "changed"
	if r, _ := g.Snapshot().Source("r1"); r.Channels[0] != "c1" {
		t.Fatal("a snapshot shares its slices with the graph")
	}
}

// names lists a snapshot's components as "kind:name", sorted.
func names(s Snapshot) []string {
	var out []string
	for _, c := range s.Sources {
		out = append(out, "source:"+c.Name)
	}
	for _, c := range s.Channels {
		out = append(out, "channel:"+c.Name)
	}
	for _, c := range s.Runners {
		out = append(out, string(c.Kind)+":"+c.Name)
	}
	for _, c := range s.Sinks {
		out = append(out, "sink:"+c.Name)
	}
	sort.Strings(out)
	return out
}

// consistent checks that a snapshot's wiring refers to its own components.
func consistent(s Snapshot) error {
	for _, src := range s.Sources {
		for _, ch := range src.Channels {
			if _, ok := s.Channel(ch); !ok {
				return errors.New("source " + src.Name + " writes to missing channel " + ch)
			}
		}
	}
	for _, r := range s.Runners {
		for _, name := range r.Sinks {
			if sk, ok := s.Sink(name); !ok || sk.Runner != r.Name {
				return errors.New("runner " + r.Name + " has a missing or foreign sink " + name)
			}
		}
	}
	for _, sk := range s.Sinks {
		if _, ok := s.Channel(sk.Channel); !ok {
			return errors.New("sink " + sk.Name + " reads missing channel " + sk.Channel)
		}
	}
	return nil
}

// TestSnapshotDuringReloads takes snapshots continuously while the graph
// reloads back and forth between two topologies: each snapshot must show
// one of them whole, never a mix (and -race must find nothing).
func TestSnapshotDuringReloads(t *testing.T) {
	small := `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.keep-alive = 0
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`
	large := strings.Replace(small, "a1.sources = r1\na1.channels = c1\na1.sinks = k1\n",
		"a1.sources = r1 r2\na1.channels = c1 c2\na1.sinks = k1 k2 k3\na1.sinkgroups = g1\n", 1) + `a1.sources.r2.type = seq
a1.sources.r2.channels = c1 c2
a1.channels.c2.type = memory
a1.channels.c2.keep-alive = 0
a1.sinks.k2.type = null
a1.sinks.k2.channel = c2
a1.sinks.k3.type = null
a1.sinks.k3.channel = c2
a1.sinkgroups.g1.sinks = k2 k3
a1.sinkgroups.g1.processor.type = failover
`
	opts := Options{Registry: registry(t), RunnerBackoff: &RunnerBackoff{Step: time.Millisecond, Max: time.Millisecond, Error: time.Millisecond}}
	g, problems := Build(parseAgent(t, small), opts)
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	smallNames := names(g.Snapshot())
	gl, problems := Build(parseAgent(t, large), opts)
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	largeNames := names(gl.Snapshot())
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop(context.Background())

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[uint64]int{} // generation → snapshots seen
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last uint64
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := g.Snapshot()
				if s.Generation < last {
					t.Errorf("generation went back from %d to %d", last, s.Generation)
					return
				}
				last = s.Generation
				n := names(s)
				if !slices.Equal(n, smallNames) && !slices.Equal(n, largeNames) {
					t.Errorf("generation %d: a mixed topology %v", s.Generation, n)
					return
				}
				if err := consistent(s); err != nil {
					t.Errorf("generation %d: %v", s.Generation, err)
					return
				}
				for _, c := range s.Channels {
					if c.Len > c.Capacity {
						t.Errorf("channel %s holds %d of %d", c.Name, c.Len, c.Capacity)
					}
				}
				mu.Lock()
				seen[s.Generation]++
				mu.Unlock()
			}
		}()
	}
	const reloads = 8
	for i := 1; i <= reloads; i++ {
		text := large
		if i%2 == 0 {
			text = small
		}
		if problems, err := g.Reload(context.Background(), parseAgent(t, text)); err != nil {
			t.Fatalf("reload %d: %v %v", i, err, problems)
		}
		flumetest.WaitFor(t, 10*time.Second, "a snapshot of the reloaded graph", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return seen[uint64(i)] > 0
		})
	}
	close(stop)
	wg.Wait()
	if s := g.Snapshot(); s.Generation != reloads || !slices.Equal(names(s), smallNames) {
		t.Fatalf("after %d reloads: generation %d, %v", reloads, s.Generation, names(s))
	}
}
