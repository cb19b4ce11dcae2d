package kafka

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/channel/file"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/flumego/flume/serializer"
	"github.com/flumego/flume/sink/fileroll"
	"github.com/flumego/flume/source"
)

// fastGroup are consumer settings that make a group notice a member that
// died, and rebalance, within a few seconds instead of Kafka's 10 s.
var fastGroup = map[string]string{
	"kafka.consumer.session.timeout.ms":    "3000",
	"kafka.consumer.heartbeat.interval.ms": "300",
	"kafka.consumer.max.poll.interval.ms":  "10000",
	"kafka.consumer.auto.offset.reset":     "earliest",
}

// props returns the source's properties for cluster c and topic, with
// fastGroup and extra on top.
func props(c *kafkatest.Cluster, topic string, extra ...map[string]string) map[string]string {
	p := map[string]string{"kafka.bootstrap.servers": c.Bootstrap(), "kafka.topics": topic, "batchDurationMillis": "100"}
	maps.Copy(p, fastGroup)
	for _, e := range extra {
		maps.Copy(p, e)
	}
	return p
}

// newSource builds a source from props handing its events to out, and
// starts it; it is stopped when the test ends.
func newSource(t testing.TB, name string, p map[string]string, out flume.ChannelProcessor) *Source {
	t.Helper()
	cfg := flume.ContextFromMap(p)
	src, err := Factory(flume.Settings{Name: name}, cfg, out)
	if err != nil {
		t.Fatalf("factory: %v", err)
	}
	s := src.(*Source)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(t, s) })
	return s
}

func stop(t testing.TB, s *Source) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// collector is a channel processor that records what it commits and can
// be told to refuse.
type collector struct {
	mu      sync.Mutex
	events  []flume.Event
	refuse  bool
	batches int
	delay   time.Duration // how long a commit takes
}

func (c *collector) Process(ctx context.Context, events []flume.Event) error {
	if c.delay > 0 {
		select {
		case <-time.After(c.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refuse {
		return flume.ErrChannelFull
	}
	c.batches++
	for _, e := range events {
		c.events = append(c.events, e.Clone())
	}
	return nil
}

func (c *collector) setRefuse(v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse = v
}

func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

func (c *collector) snapshot() []flume.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]flume.Event(nil), c.events...)
}

// count tallies the numbered bodies of events: number → deliveries.
func count(t testing.TB, seen map[int]int, events []flume.Event) {
	t.Helper()
	for _, e := range events {
		n, err := strconv.Atoi(string(e.Body))
		if err != nil {
			t.Fatalf("body %q is not a number", e.Body)
		}
		seen[n]++
	}
}

// complete fails unless seen holds every number of [0, n) and nothing
// else, and returns the number of duplicate deliveries.
func complete(t testing.TB, seen map[int]int, n int) int {
	t.Helper()
	dups := 0
	var missing []int
	for i := range n {
		switch c := seen[i]; {
		case c == 0:
			missing = append(missing, i)
		case c > 1:
			dups += c - 1
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d numbers never arrived (first: %v)", len(missing), n, missing[:min(len(missing), 10)])
	}
	if len(seen) != n {
		t.Fatalf("%d distinct numbers arrived, want %d", len(seen), n)
	}
	return dups
}

// registry returns a registry with the components the agent tests use.
func registry(t testing.TB) *flume.Registry {
	t.Helper()
	r := flume.NewRegistry()
	if err := errors.Join(Register(r), memory.Register(r), file.Register(r), fileroll.Register(r), source.Register(r), serializer.Register(r)); err != nil {
		t.Fatal(err)
	}
	return r
}

// runAgent builds and starts an agent from a properties text; it is
// stopped when the test ends. It returns the agent's counter groups by
// component name.
func runAgent(t testing.TB, name, text string, r *flume.Registry) (*agent.Graph, func(string) flume.CounterGroup) {
	t.Helper()
	props, err := conf.Parse(name+".properties", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	groups := map[string]flume.CounterGroup{}
	g, problems := agent.Build(conf.Agent(name, props), agent.Options{
		Registry: r,
		Publish: func(n string, cg flume.CounterGroup) {
			mu.Lock()
			defer mu.Unlock()
			groups[n] = cg
		},
	})
	for _, p := range problems {
		t.Errorf("configuration problem: %v", p)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := g.Stop(ctx); err != nil {
			t.Errorf("stop agent %s: %v", name, err)
		}
	})
	return g, func(n string) flume.CounterGroup {
		mu.Lock()
		defer mu.Unlock()
		return groups[n]
	}
}

// attr returns a counter group's attribute as an integer (-1 if absent).
func attr(g flume.CounterGroup, name string) int64 {
	if g == nil {
		return -1
	}
	for _, a := range g.Attributes() {
		if a.Name == name {
			n, _ := strconv.ParseInt(a.Text, 10, 64)
			return n
		}
	}
	return -1
}

// lines reads every line of every file in dir.
func lines(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.TrimSuffix(string(data), "\n"); s != "" {
			out = append(out, strings.Split(s, "\n")...)
		}
	}
	return out
}
