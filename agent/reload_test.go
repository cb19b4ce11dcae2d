package agent

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/internal/flumetest"
)

func parseAgent(t *testing.T, text string) *conf.AgentConfig {
	t.Helper()
	props, err := conf.Parse("agent.properties", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return conf.Agent("a1", props)
}

func pipeline(dir string, n, sinkBatch, capacity int) string {
	return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = ` + strconv.Itoa(n) + `
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = ` + strconv.Itoa(capacity) + `
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ` + dir + `
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = ` + strconv.Itoa(sinkBatch) + `
`
}

// readAll returns every line of every file in dir, files in name order.
func readAll(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var lines []string
	for _, n := range names {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		f.Close()
	}
	return lines
}

func TestReloadChangesSinkBatchSizeWithoutLoss(t *testing.T) {
	const n = 20000
	dir := t.TempDir()
	c := &flumetest.Counters{}
	opts := Options{Registry: registry(t), Publish: c.Publish,
		RunnerBackoff: &RunnerBackoff{Step: time.Millisecond, Max: 5 * time.Millisecond, Error: time.Millisecond}}
	g, problems := Build(parseAgent(t, pipeline(dir, n, 100, 1000)), opts)
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop(context.Background())
	oldSource, oldChannel := g.topo.sources[0].component, g.topo.channels[0].component
	flumetest.WaitFor(t, 20*time.Second, "events to flow", func() bool { return c.Get("k1", "EventDrainSuccessCount") > 2000 })

	problems, err := g.Reload(context.Background(), parseAgent(t, pipeline(dir, n, 50, 1000)))
	if err != nil {
		t.Fatalf("reload: %v %v", err, problems)
	}
	if g.topo.sources[0].component != oldSource || g.topo.channels[0].component != oldChannel {
		t.Fatal("the unchanged source and channel were restarted")
	}
	flumetest.WaitFor(t, 30*time.Second, "every event to reach the files", func() bool { return len(readAll(t, dir)) >= n })
	lines := readAll(t, dir)
	if len(lines) != n {
		t.Fatalf("%d lines, want %d (duplicates?)", len(lines), n)
	}
	for i, l := range lines {
		if l != strconv.Itoa(i) {
			t.Fatalf("line %d = %q: lost or reordered across the reload", i, l)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d output files: the reconfigured sink should have started a second one", len(entries))
	}
}

func TestReloadKeepsMemoryChannelEvents(t *testing.T) {
	dir := t.TempDir()
	text := `a1.channels = c1
a1.sinks = k1
a1.channels.c1.type = memory
a1.channels.c1.keep-alive = 0
a1.channels.c1.capacity = 100
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ` + dir + `
`
	c := &flumetest.Counters{}
	opts := Options{Registry: registry(t), RunnerBackoff: &RunnerBackoff{Step: time.Hour, Max: time.Hour, Error: time.Hour}, DrainTimeout: -1,
		Publish: c.Publish}
	g, _ := Build(parseAgent(t, text), opts)
	ch := g.topo.channels[0].component
	_ = ch.Start(context.Background())
	// The runner's first Process finds the channel empty and backs off for
	// an hour, so the events put afterwards stay in the channel.
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop(context.Background())
	// The empty batch is counted after the take: an event put from then on
	// stays in the channel.
	flumetest.WaitFor(t, 10*time.Second, "the sink's first empty batch", func() bool { return c.Get("k1", "BatchEmptyCount") == 1 })
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), flume.NewEvent([]byte("kept")))
	}); err != nil {
		t.Fatal(err)
	}
	// Change the channel's capacity and add a source: the channel is
	// reconfigured in place and keeps its event.
	next := strings.Replace(text, "capacity = 100", "capacity = 200", 1)
	if _, err := g.Reload(context.Background(), parseAgent(t, next)); err != nil {
		t.Fatal(err)
	}
	if g.topo.channels[0].component != ch || ch.Len() != 1 || ch.Capacity() != 200 {
		t.Fatalf("channel replaced or emptied: same=%v len=%d capacity=%d", g.topo.channels[0].component == ch, ch.Len(), ch.Capacity())
	}
}

func TestReloadWithErrorsIsRefused(t *testing.T) {
	dir := t.TempDir()
	g, _ := Build(parseAgent(t, pipeline(dir, 10, 10, 100)), Options{Registry: registry(t)})
	_ = g.Start(context.Background())
	defer g.Stop(context.Background())
	before := g.topo.runners[0].component
	problems, err := g.Reload(context.Background(), parseAgent(t, strings.Replace(pipeline(dir, 10, 10, 100), "file_roll", "file_rol", 1)))
	if !errors.Is(err, ErrReloadRefused) || len(problems.Errors()) == 0 {
		t.Fatalf("err = %v, problems = %v", err, problems)
	}
	if g.topo.runners[0].component != before {
		t.Fatal("a refused reload changed the running sink")
	}
}

func TestWatchSeesFileChanges(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.properties")
	os.WriteFile(p, []byte("x = 1"), 0o644)
	v0, err := FilesVersion(p)
	if err != nil {
		t.Fatal(err)
	}
	changed := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Watch(ctx, 5*time.Millisecond, v0, func() (string, error) { return FilesVersion(p) }, func() { changed <- struct{}{} })
	os.WriteFile(p, []byte("x = 22"), 0o644)
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("change not seen")
	}
}

// TestReloadChecksKeptComponentsAgainstANewTransactionCapacity lowers a
// kept memory channel's transactionCapacity below the batch size of a sink
// that is itself unchanged: the capacity the validated new configuration
// gives is what counts, and the reload is refused with the error on the
// sink's batch property.
func TestReloadChecksKeptComponentsAgainstANewTransactionCapacity(t *testing.T) {
	dir := t.TempDir()
	g, problems := Build(parseAgent(t, pipeline(dir, 10, 50, 100)), Options{Registry: registry(t)})
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	_ = g.Start(context.Background())
	defer g.Stop(context.Background())
	next := pipeline(dir, 10, 50, 100) + "a1.channels.c1.transactionCapacity = 40\n"
	problems, err := g.Reload(context.Background(), parseAgent(t, next))
	if !errors.Is(err, ErrReloadRefused) {
		t.Fatalf("reload = %v, want it refused", err)
	}
	want := `agent.properties:14: a1.sinks.k1.sink.batchSize: "50": sink "k1": batch size 50 exceeds the transactionCapacity 40 of channel "c1"`
	if len(problems) != 1 || !strings.HasPrefix(problems[0].Error(), want) {
		t.Fatalf("problems = %v, want one starting with %q", problems, want)
	}
	if tc := g.topo.channels[0].component.TransactionCapacity(); tc != 100 {
		t.Fatalf("the refused reload changed the channel's transactionCapacity to %d", tc)
	}
}

// TestReloadDrainsThroughEachRunnerOnce removes both channels a sink group
// reads: the group is asked to drain once, not once per channel.
func TestReloadDrainsThroughEachRunnerOnce(t *testing.T) {
	text := `a1.channels = c1 c2
a1.sinks = k1 k2
a1.sinkgroups = g1
a1.channels.c1.type = memory
a1.channels.c2.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.sinks.k2.type = null
a1.sinks.k2.channel = c2
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
`
	g, problems := Build(parseAgent(t, text), Options{Registry: registry(t)})
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	next := strings.ReplaceAll(text, "type = memory", "type = file") // both channels replaced
	g.life.Lock()
	p, problems, err := g.plan(parseAgent(t, next+"a1.channels.c1.checkpointDir = "+t.TempDir()+"\na1.channels.c1.dataDirs = "+t.TempDir()+
		"\na1.channels.c2.checkpointDir = "+t.TempDir()+"\na1.channels.c2.dataDirs = "+t.TempDir()+"\n"))
	g.life.Unlock()
	if err != nil {
		t.Fatal(err, problems)
	}
	if len(p.leaving) != 2 || len(p.drainers) != 1 || p.drainers[0].name != "g1" {
		t.Fatalf("%d leaving channels, drainers %v", len(p.leaving), p.drainers)
	}
	if len(p.stopRunners) != 1 || len(p.start) != 3 { // g1; c1, c2 and the new g1
		t.Fatalf("stop %v, start %v", p.stopRunners, p.start)
	}
}
