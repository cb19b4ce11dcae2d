package file_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/builtin"
	"github.com/flumego/flume/channel/file"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/rpc/avrorpc"
)

// peer is the avro sink's downstream agent: it records every event.
type peer struct {
	mu   sync.Mutex
	runs map[string]map[string]int // run header -> body -> times received
}

func (p *peer) received(run string) (distinct, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.runs[run] {
		distinct++
		total += n
	}
	return distinct, total
}

// TestFullVolumeAgentRestartsAndDrains is finding 2 of issue 19 through a
// real agent: a seq source (small events, as in the finding: the checkpoint
// grows with their number) fills a file channel on a 20 MiB volume while
// the avro sink's peer is down, until the channel refuses puts for space.
// The agent is stopped and started again on the full volume; the peer comes
// up, and every acknowledged event must reach it; then the channel, drained,
// takes the source's events again. On main the restarted channel could not
// write its take records ("write to the data log: no space left on
// device": the sink delivered the same batch again and again and drained
// nothing), and once the volume reached 0 bytes it could not start at all
// ("create data log file: no space left on device", every 3 s).
func TestFullVolumeAgentRestartsAndDrains(t *testing.T) {
	dir := file.MountTmpfs(t, 20<<20)
	addr := flumetest.FreeAddr(t)
	reg := flume.NewRegistry()
	if err := builtin.Register(reg); err != nil {
		t.Fatal(err)
	}
	logs := &flumetest.LogBuffer{}
	build := func(run int, c *flumetest.Counters) *agent.Graph {
		text := fmt.Sprintf(`
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.batchSize = 1000
a1.sources.r1.backoffSleepIncrement = 10
a1.sources.r1.maxBackoffSleep = 50
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = i1
a1.sources.r1.interceptors.i1.type = static
a1.sources.r1.interceptors.i1.key = run
a1.sources.r1.interceptors.i1.value = %d
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = %s
a1.channels.c1.useDualCheckpoints = true
a1.channels.c1.backupCheckpointDir = %s
a1.channels.c1.dataDirs = %s
a1.channels.c1.capacity = 10000000
a1.channels.c1.transactionCapacity = 1000
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.checkpointInterval = 1000
a1.sinks.k1.type = avro
a1.sinks.k1.channel = c1
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = %d
a1.sinks.k1.batch-size = 1000
`, run, filepath.Join(dir, "checkpoint"), filepath.Join(dir, "backup"), filepath.Join(dir, "data"), addr.Port)
		props, err := conf.Parse("a1.properties", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		g, problems := agent.Build(conf.Agent("a1", props), agent.Options{
			Registry: reg, Publish: c.Publish, DrainTimeout: -1, RestartInterval: 100 * time.Millisecond,
			RunnerBackoff: &agent.RunnerBackoff{Step: 10 * time.Millisecond, Max: 100 * time.Millisecond, Error: 100 * time.Millisecond},
			Logger:        slog.New(slog.NewTextHandler(logs, nil)),
		})
		if len(problems.Errors()) > 0 {
			t.Fatalf("problems: %v", problems)
		}
		return g
	}
	ctx := context.Background()

	// Run 1: the peer is down; the channel fills until it refuses puts.
	c1 := &flumetest.Counters{}
	g := build(1, c1)
	if err := g.Start(ctx); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 2*time.Minute, "the channel to refuse puts for space", func() bool {
		return c1.Get("c1", "EventPutErrorCount") > 0 && c1.Get("r1", "ChannelWriteFail") > 0
	})
	if err := g.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	acked := c1.Get("r1", "EventAcceptedCount")
	t.Logf("run 1: %d events acknowledged, then puts refused; %d bytes free on the volume", acked, file.FreeBytes(t, dir))

	// Run 2 on the full volume; the peer comes up.
	p := &peer{runs: map[string]map[string]int{}}
	ln, err := net.Listen("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	srv := avrorpc.NewServer(avrorpc.ServerConfig{}, func(_ context.Context, _ bool, evs []flume.Event) (avrorpc.Status, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, e := range evs {
			run, _ := e.Header("run")
			if p.runs[run] == nil {
				p.runs[run] = map[string]int{}
			}
			p.runs[run][string(e.Body)]++
		}
		return avrorpc.OK, nil
	})
	go srv.Serve(ln)
	t.Cleanup(func() { _ = srv.Close() })
	c2 := &flumetest.Counters{}
	g = build(2, c2)
	if err := g.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Stop(ctx) })
	flumetest.WaitFor(t, 2*time.Minute, "every acknowledged event at the peer", func() bool {
		if strings.Contains(logs.String(), "failed to start") {
			t.Fatalf("the channel failed to start on the full volume:\n%s", tail(logs.String()))
		}
		distinct, _ := p.received("1")
		return distinct >= int(acked)
	})
	flumetest.WaitFor(t, time.Minute, "the drained channel to take puts again", func() bool {
		_, n := p.received("2")
		return n > 0
	})
	if err := g.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "failed to start") {
		t.Fatalf("a component failed to start:\n%s", tail(logs.String()))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range int(acked) {
		if p.runs["1"][strconv.Itoa(i)] == 0 {
			t.Fatalf("acknowledged event %d never reached the peer", i)
		}
	}
	distinct, total := len(p.runs["1"]), 0
	for _, n := range p.runs["1"] {
		total += n
	}
	// The source's commit in progress when run 1 stopped is in doubt (the
	// file channel documents it so): it may have reached the log without
	// being acknowledged. So up to one source batch (1000 events) more than
	// acknowledged may arrive; never fewer (checked above, event by event).
	if distinct < int(acked) || distinct > int(acked)+1000 {
		t.Fatalf("%d distinct run-1 events reached the peer, %d were acknowledged (at most one in-doubt batch of 1000 more may arrive)", distinct, acked)
	}
	t.Logf("run 2: the peer received all %d acknowledged events (%d duplicates), and %d new ones once the channel had drained; %d log files deleted",
		acked, total-distinct, len(p.runs["2"]), c2.Get("c1", "LogFilesDeletedCount"))
}

func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}
