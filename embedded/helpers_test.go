package embedded_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/embedded"
	avrosource "github.com/flumego/flume/source/avro"
	thriftsource "github.com/flumego/flume/source/thrift"
)

// collector is a collector agent's source, in the test process: a real
// avro or thrift source on a loopback port, whose channel processor
// records what arrives (or refuses it, answering FAILED, while Refuse is
// set). Stop and Start take it down and up on the same port.
type collector struct {
	t      testing.TB
	typ    string
	port   int
	src    flume.Source
	Refuse atomic.Bool

	mu     sync.Mutex
	counts map[string]int // body -> deliveries
	events []flume.Event  // in arrival order
}

func newCollector(t testing.TB, typ string) *collector {
	t.Helper()
	c := &collector{t: t, typ: typ, counts: map[string]int{}}
	c.Start()
	t.Cleanup(c.Stop)
	return c
}

func (c *collector) process(_ context.Context, events []flume.Event) error {
	if c.Refuse.Load() {
		return fmt.Errorf("collector refuses: %w", flume.ErrChannelFull)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range events {
		c.counts[string(e.Body)]++
		c.events = append(c.events, e.Clone())
	}
	return nil
}

// Start starts the collector (again), on the port it had.
func (c *collector) Start() {
	c.t.Helper()
	factory := avrosource.Factory
	if c.typ == "thrift" {
		factory = thriftsource.Factory
	}
	cfg := flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": strconv.Itoa(c.port)})
	src, err := factory(flume.Settings{Name: "collector"}, cfg, flume.ChannelProcessorFunc(c.process))
	if err != nil {
		c.t.Fatal(err)
	}
	if err := src.Start(context.Background()); err != nil {
		c.t.Fatal(err)
	}
	c.src = src
	c.port = src.(interface{ Addr() net.Addr }).Addr().(*net.TCPAddr).Port
}

// Stop stops the collector; its port is free until Start.
func (c *collector) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.src.Stop(ctx); err != nil {
		c.t.Error(err)
	}
}

// Received returns how many distinct bodies arrived.
func (c *collector) Received() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.counts)
}

// Counts returns a copy of body -> deliveries.
func (c *collector) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// Events returns a copy of what arrived, in order.
func (c *collector) Events() []flume.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// numbered returns events whose bodies are the numbers from..to.
func numbered(from, to int) []flume.Event {
	events := make([]flume.Event, 0, to-from+1)
	for i := from; i <= to; i++ {
		events = append(events, flume.NewEvent([]byte(strconv.Itoa(i))))
	}
	return events
}

// missing returns the numbers of want that none of the collectors got.
func missing(want []int, cs ...*collector) []int {
	got := map[string]bool{}
	for _, c := range cs {
		for b := range c.Counts() {
			got[b] = true
		}
	}
	var out []int
	for _, n := range want {
		if !got[strconv.Itoa(n)] {
			out = append(out, n)
		}
	}
	return out
}

// props returns embedded agent properties from key/value pairs.
func props(kv ...string) *conf.Properties {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return conf.FromMap(m)
}

// sinkTo returns the properties of an avro or thrift sink named name that
// sends to c, with a short connect timeout.
func sinkTo(name string, c *collector, extra ...string) []string {
	return append([]string{name + ".type", c.typ, name + ".hostname", "127.0.0.1", name + ".port", strconv.Itoa(c.port),
		name + ".connect-timeout", "2000", name + ".request-timeout", "5000"}, extra...)
}

// testLogger logs to the test's log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// fastBackoff makes sink runners retry within 50 ms.
var fastBackoff = &agent.RunnerBackoff{Step: 10 * time.Millisecond, Max: 50 * time.Millisecond, Error: 50 * time.Millisecond}

// start builds and starts an embedded agent, closing it when the test ends.
// Its sink runners retry after 50 ms instead of 5 s.
func start(t testing.TB, cfg embedded.Config) *embedded.Agent {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "app"
	}
	if cfg.RunnerBackoff == nil {
		cfg.RunnerBackoff = fastBackoff
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := embedded.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return a
}
