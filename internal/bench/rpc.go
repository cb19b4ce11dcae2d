package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flumego/flume/internal/bench/loadgen"
)

func init() {
	for _, conns := range []int{1, 2} {
		Register(Scenario{Name: fmt.Sprintf("avro-null-%dconn", conns),
			Desc: fmt.Sprintf("load generator (pre-encoded batches, %d connection(s)) → avro source → memory → null, as a separate agent process", conns),
			Run:  func(ctx context.Context, p Params) (Result, error) { return rpcNull(ctx, p, "avro", conns) }})
	}
	for _, conns := range []int{1, 4} {
		Register(Scenario{Name: fmt.Sprintf("avro-file-null-%dconn", conns),
			Desc: fmt.Sprintf("load generator (%d connection(s)) → avro source → file channel (dual checkpoints) → null, as a separate agent process", conns),
			Run:  func(ctx context.Context, p Params) (Result, error) { return avroFileNull(ctx, p, conns) }})
	}
	Register(Scenario{Name: "thrift-null", Desc: "thrift client (pre-encoded batches, compact protocol, 1 connection) → thrift source → memory → null, as a separate agent process",
		Run: func(ctx context.Context, p Params) (Result, error) { return rpcNull(ctx, p, "thrift", 1) }})
	Register(Scenario{Name: "exec-avro-fileroll", Desc: "exec `cat` → memory → avro sink → second agent's avro source → memory → file_roll, two agent processes", Run: execAvroChain})
}

// listenAddress waits for an agent's log line "<marker>" and returns its
// address= value: the agents bind port 0 and report what they got.
func listenAddress(ctx context.Context, a *Agent, marker string) (string, error) {
	for {
		data, _ := os.ReadFile(a.logs.Name())
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, marker) {
				_, rest, _ := strings.Cut(line, "address=")
				addr, _, _ := strings.Cut(rest, " ")
				return addr, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no %q in %s: %w", marker, a.logs.Name(), ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func rpcSource(kind string) string {
	return fmt.Sprintf(`a1.sources.r1.type = %s
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 0
`, kind)
}

func avroFileNull(ctx context.Context, p Params, conns int) (Result, error) {
	dir := filepath.Join(p.Dir, "filechannel")
	_ = os.RemoveAll(dir)
	channel := fmt.Sprintf(`a1.channels.c1.type = file
a1.channels.c1.checkpointDir = %[1]s/checkpoint
a1.channels.c1.useDualCheckpoints = true
a1.channels.c1.backupCheckpointDir = %[1]s/backup
a1.channels.c1.dataDirs = %[1]s/data
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = %[2]d
`, dir, p.Batch)
	r, err := rpcPipeline(ctx, p, "avro", conns, channel)
	r.Scenario = fmt.Sprintf("avro-file-null-%dconn", conns)
	return r, err
}

func rpcNull(ctx context.Context, p Params, kind string, conns int) (Result, error) {
	channel := fmt.Sprintf(`a1.channels.c1.type = memory
a1.channels.c1.capacity = %d
a1.channels.c1.transactionCapacity = %d
`, p.capacity(), p.Batch)
	r, err := rpcPipeline(ctx, p, kind, conns, channel)
	r.Scenario = fmt.Sprintf("%s-null-%dconn", kind, conns)
	if kind == "thrift" {
		r.Scenario = "thrift-null"
	}
	return r, err
}

// rpcPipeline runs load generator → kind source → channel → null sink.
func rpcPipeline(ctx context.Context, p Params, kind string, conns int, channel string) (Result, error) {
	props := fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
%sa1.sources.r1.channels = c1
%s`, rpcSource(kind), channel) + nullSink("k1", p)
	a, err := StartAgent(p, "a1", props, "-Dflume.root.logger=INFO,console")
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	addr, err := listenAddress(wctx, a, kind+" source listening")
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	cpu0 := a.CPU()
	lp := loadgen.Params{Addr: addr, Connections: conns, Batch: p.Batch, EventSize: p.EventSize, Headers: p.Headers, Events: p.Events}
	var r loadgen.Result
	var note string
	if kind == "avro" {
		r, err = loadgen.Avro(wctx, lp)
		note = fmt.Sprintf("client side, every batch acknowledged; %d FAILED batches resent", r.Retries)
	} else {
		r, err = loadgen.Thrift(wctx, lp, "compact")
		note = fmt.Sprintf("client side, every batch acknowledged; p50 %v p99 %v per batch", r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond))
	}
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	if err := waitForLog(wctx, a, "null sink progress"); err != nil {
		a.Kill()
		return Result{}, err
	}
	cpu := a.CPU() - cpu0
	rss, err := a.Stop()
	return Result{Events: r.Events, Bytes: r.Bytes, Elapsed: r.Elapsed, PeakRSS: rss, CPU: cpu, Note: note}, err
}

func execAvroChain(ctx context.Context, p Params) (Result, error) {
	in, size, err := input(p)
	if err != nil {
		return Result{}, err
	}
	out := filepath.Join(p.Dir, "chain-out")
	_ = os.RemoveAll(out)
	b, err := StartAgent(p, "b1", fmt.Sprintf(`b1.sources = r1
b1.channels = c1
b1.sinks = k1
b1.sources.r1.type = avro
b1.sources.r1.bind = 127.0.0.1
b1.sources.r1.port = 0
b1.sources.r1.channels = c1
b1.channels.c1.type = memory
b1.channels.c1.capacity = %[1]d
b1.channels.c1.transactionCapacity = %[2]d
b1.sinks.k1.type = file_roll
b1.sinks.k1.channel = c1
b1.sinks.k1.sink.directory = %[3]s
b1.sinks.k1.sink.rollInterval = 0
b1.sinks.k1.sink.batchSize = %[2]d
`, p.capacity(), p.Batch, out), "-Dflume.root.logger=INFO,console")
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	addr, err := listenAddress(wctx, b, "avro source listening")
	if err != nil {
		b.Kill()
		return Result{}, err
	}
	host, port, _ := strings.Cut(addr, ":")
	a, err := StartAgent(p, "a1", execPipeline(p, in, fmt.Sprintf(`a1.sinks.k1.type = avro
a1.sinks.k1.hostname = %s
a1.sinks.k1.port = %s
a1.sinks.k1.batch-size = %d
`, host, port, p.Batch)))
	if err != nil {
		b.Kill()
		return Result{}, err
	}
	if err := WaitForBytes(wctx, out, size); err != nil {
		a.Kill()
		b.Kill()
		return Result{}, err
	}
	elapsed := a.Since()
	cpu := a.CPU() + b.CPU()
	rssA, errA := a.Stop()
	rssB, errB := b.Stop()
	if errA != nil {
		return Result{}, errA
	}
	return Result{Scenario: "exec-avro-fileroll", Events: int64(p.Events), Bytes: size, Elapsed: elapsed, PeakRSS: max(rssA, rssB), CPU: cpu,
		Note: fmt.Sprintf("first agent's start to the last byte on the second's disk; peak RSS %.1f MB (sender) / %.1f MB (receiver)", float64(rssA)/1e6, float64(rssB)/1e6)}, errB
}
