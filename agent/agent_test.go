package agent

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/builtin"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/internal/flumetest"
)

func registry(t *testing.T) *flume.Registry {
	t.Helper()
	r := flume.NewRegistry()
	if err := builtin.Register(r); err != nil {
		t.Fatal(err)
	}
	return r
}

func buildText(t *testing.T, text string, opts Options) (*Graph, flume.Problems) {
	t.Helper()
	props, err := conf.Parse("agent.properties", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if opts.Registry == nil {
		opts.Registry = registry(t)
	}
	if testing.Verbose() {
		opts.Logger = slog.Default()
	}
	return Build(conf.Agent("a1", props), opts)
}

func TestExecSeqToFileRollInOrder(t *testing.T) {
	const n = 200000
	dir := t.TempDir()
	c := &flumetest.Counters{}
	g, problems := buildText(t, `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.command = seq 1 `+strconv.Itoa(n)+`
a1.sources.r1.batchSize = 1000
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = `+dir+`
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 1000
`, Options{Publish: c.Publish})
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 60*time.Second, "the exec source to commit every line", func() bool { return c.Get("r1", "EventAcceptedCount") == n })
	// Stop drains what the memory channel still holds into the file.
	if err := g.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d output files, want 1", len(entries))
	}
	f, _ := os.Open(filepath.Join(dir, entries[0].Name()))
	defer f.Close()
	sc := bufio.NewScanner(f)
	i := 0
	for sc.Scan() {
		i++
		if sc.Text() != strconv.Itoa(i) {
			t.Fatalf("line %d = %q", i, sc.Text())
		}
	}
	if i != n {
		t.Fatalf("file holds %d lines, want %d", i, n)
	}
}

func TestInvalidComponentsAreDroppedAndTheRestRuns(t *testing.T) {
	g, problems := buildText(t, `a1.sources = r1 r2
a1.channels = c1
a1.sinks = k1 k2 k3
a1.sources.r1.type = seq
a1.sources.r1.channels = c1
a1.sources.r2.type = seq
a1.sources.r2.batchSize = 101
a1.sources.r2.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.sinks.k2.type = nosuchsink
a1.sinks.k2.channel = c1
a1.sinks.k3.type = null
a1.sinks.k3.batchSize = x
a1.sinks.k3.channel = c1
a1.sinks.k1.batchsize = 5
`, Options{})
	snap := g.Snapshot()
	if len(snap.Sources) != 1 || snap.Sources[0].Name != "r1" || len(snap.Runners) != 1 || snap.Runners[0].Name != "k1" {
		t.Fatalf("built %d sources, %d runners", len(snap.Sources), len(snap.Runners))
	}
	for _, want := range []string{
		`agent.properties:7: a1.sources.r2.batchSize: "101": source "r2": batch size 101 exceeds the transactionCapacity 100`,
		`agent.properties:12: a1.sinks.k2.type: "nosuchsink": unknown sink type "nosuchsink"`,
		`agent.properties:15: a1.sinks.k3.batchSize: "x": expected an integer`,
		`agent.properties:17: a1.sinks.k1.batchsize: unknown property`,
	} {
		found := false
		for _, p := range problems {
			if strings.HasPrefix(p.Error(), want) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem starting with %q in:\n%v", want, problems)
		}
	}
}

func TestFailedStartIsRetried(t *testing.T) {
	blocker, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := blocker.Addr().(*net.TCPAddr).Port
	g, problems := buildText(t, `a1.sources = r1
a1.channels = c1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = `+strconv.Itoa(port)+`
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
`, Options{RestartInterval: 20 * time.Millisecond})
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop(context.Background())
	blocker.Close() // the retry can now bind the port
	ch := g.topo.channels[0].component
	flumetest.WaitFor(t, 10*time.Second, "the source to bind after the port was freed", func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return false
		}
		defer c.Close()
		c.Write([]byte("hi\n"))
		line, _ := bufio.NewReader(c).ReadString('\n')
		return line == "OK\n"
	})
	if ch.Len() != 1 {
		t.Fatalf("channel holds %d events", ch.Len())
	}
}

// TestStopDrainsMemoryChannel fills a channel whose sink is not running yet
// and checks that Stop delivers everything before returning.
func TestStopDrainsMemoryChannel(t *testing.T) {
	dir := t.TempDir()
	c := &flumetest.Counters{}
	g, problems := buildText(t, `a1.channels = c1
a1.sinks = k1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 5000
a1.channels.c1.keep-alive = 0
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = `+dir+`
`, Options{Publish: c.Publish, RunnerBackoff: &RunnerBackoff{Step: time.Hour, Max: time.Hour, Error: time.Hour}})
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	ch := g.topo.channels[0].component
	if err := ch.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3000; i += 100 {
		var evs []flume.Event
		for j := i; j < i+100; j++ {
			evs = append(evs, flume.NewEvent([]byte(strconv.Itoa(j))))
		}
		if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error { return tx.Put(context.Background(), evs...) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := g.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ch.Len() != 0 || c.Get("k1", "EventDrainSuccessCount") != 3000 {
		t.Fatalf("after Stop the channel holds %d and the sink delivered %d", ch.Len(), c.Get("k1", "EventDrainSuccessCount"))
	}
}

// TestStopDrainsThroughSinkGroup checks the graceful stop with a failover
// group in place: the events held by the memory channel are delivered by
// the group before Stop returns.
func TestStopDrainsThroughSinkGroup(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	g, problems := buildText(t, `a1.channels = c1
a1.sinks = k1 k2
a1.sinkgroups = g1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 5000
a1.channels.c1.keep-alive = 0
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = `+dir1+`
a1.sinks.k2.type = file_roll
a1.sinks.k2.channel = c1
a1.sinks.k2.sink.directory = `+dir2+`
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.k1 = 10
a1.sinkgroups.g1.processor.priority.k2 = 5
`, Options{RunnerBackoff: &RunnerBackoff{Step: time.Hour, Max: time.Hour, Error: time.Hour}})
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	ch := g.topo.channels[0].component
	_ = ch.Start(context.Background())
	for i := 0; i < 2000; i += 100 {
		var evs []flume.Event
		for j := i; j < i+100; j++ {
			evs = append(evs, flume.NewEvent([]byte(strconv.Itoa(j))))
		}
		if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error { return tx.Put(context.Background(), evs...) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := g.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	lines := append(readAll(t, dir1), readAll(t, dir2)...)
	if ch.Len() != 0 || len(lines) != 2000 {
		t.Fatalf("after Stop the channel holds %d and the group delivered %d", ch.Len(), len(lines))
	}
	if len(readAll(t, dir2)) != 0 {
		t.Fatal("the standby sink received events while the primary was healthy")
	}
}

// TestBatchSizeDefaultNamesItsKey: a sink whose default batch size does not
// fit its channel is reported at the sink, naming the key to set.
func TestBatchSizeDefaultNamesItsKey(t *testing.T) {
	_, problems := buildText(t, `a1.channels = c1
a1.sinks = k1
a1.channels.c1.type = memory
a1.channels.c1.transactionCapacity = 50
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`, Options{})
	want := `agent.properties:5: a1.sinks.k1.type: "null": sink "k1": batch size 100 (the default of batchSize) exceeds the transactionCapacity 50 of channel "c1"`
	if len(problems) == 0 || !strings.HasPrefix(problems[0].Error(), want) {
		t.Fatalf("problems = %v, want one starting with %q", problems, want)
	}
}
