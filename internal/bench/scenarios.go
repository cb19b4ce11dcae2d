package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flumego/flume/internal/loadevent"
)

func init() {
	Register(Scenario{Name: "exec-fileroll", Desc: "exec `cat` of N lines → memory → file_roll, as a separate agent process (start-up included)", Run: execFileRoll})
	Register(Scenario{Name: "exec-null", Desc: "exec `cat` of N lines → memory → null, as a separate agent process", Run: execNull})
	Register(Scenario{Name: "seq-null", Desc: "seq source → memory → null: the plain path, for comparison", Run: seqPlain})
	Register(Scenario{Name: "seq-routed-null", Desc: "seq → interceptors (timestamp, host, static, regex_filter) → memory → failover group of two null sinks", Run: seqRouted})
	Register(Scenario{Name: "idle", Desc: "resident memory of an idle agent (netcat source → memory → null) after 2 s", Run: idle})
}

func execPipeline(p Params, input, sink string) string {
	return fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.command = cat %s
a1.sources.r1.batchSize = %d
a1.sources.r1.channels = c1
%sa1.channels.c1.type = memory
a1.channels.c1.capacity = %d
a1.channels.c1.transactionCapacity = %d
a1.sinks.k1.channel = c1
%s`, input, p.Batch, headerInterceptors(p.Headers), p.capacity(), p.Batch, sink)
}

// headerInterceptors returns the interceptors of source a1.sources.r1 that
// give each line the first n headers of the load generators'
// (loadevent.Names), as a tailing agent gets them: timestamp and host from
// their interceptors, seq the line's number (LinesFile's lines start with
// it) from regex_extractor, then static h4, h5, ... of 16 characters.
func headerInterceptors(n int) string {
	var ids []string
	var b strings.Builder
	for i, name := range loadevent.Names(n) {
		id := fmt.Sprintf("h%d", i+1)
		ids = append(ids, id)
		pre := "a1.sources.r1.interceptors." + id
		switch name {
		case "timestamp":
			fmt.Fprintf(&b, "%s.type = timestamp\n", pre)
		case "host":
			fmt.Fprintf(&b, "%s.type = host\n%[1]s.useIP = false\n", pre)
		case "seq":
			fmt.Fprintf(&b, "%s.type = regex_extractor\n%[1]s.regex = ^([0-9]+)\n%[1]s.serializers = s\n%[1]s.serializers.s.name = seq\n", pre)
		default:
			fmt.Fprintf(&b, "%[1]s.type = static\n%[1]s.key = %[2]s\n%[1]s.value = value-%[3]d-abcdefgh\n", pre, name, i+1)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return "a1.sources.r1.interceptors = " + strings.Join(ids, " ") + "\n" + b.String()
}

func input(p Params) (string, int64, error) {
	if p.Input != "" {
		fi, err := os.Stat(p.Input)
		if err != nil {
			return "", 0, err
		}
		return p.Input, fi.Size(), nil
	}
	return LinesFile(p.Dir, p.Events, p.EventSize)
}

func execFileRoll(ctx context.Context, p Params) (Result, error) {
	in, size, err := input(p)
	if err != nil {
		return Result{}, err
	}
	out := filepath.Join(p.Dir, "fileroll-out")
	_ = os.RemoveAll(out)
	a, err := StartAgent(p, "a1", execPipeline(p, in, fmt.Sprintf(`a1.sinks.k1.type = file_roll
a1.sinks.k1.sink.directory = %s
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = %d
`, out, p.Batch)))
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := WaitForBytes(wctx, out, size); err != nil {
		a.Kill()
		return Result{}, err
	}
	elapsed, cpu := a.Since(), a.CPU()
	rss, err := a.Stop()
	return Result{Scenario: "exec-fileroll", Events: int64(p.Events), Bytes: size, Elapsed: elapsed, PeakRSS: rss, CPU: cpu,
		Note: "from process start to the last byte on disk"}, err
}

func execNull(ctx context.Context, p Params) (Result, error) {
	in, size, err := input(p)
	if err != nil {
		return Result{}, err
	}
	a, err := StartAgent(p, "a1", execPipeline(p, in, fmt.Sprintf(`a1.sinks.k1.type = null
a1.sinks.k1.batchSize = %d
a1.sinks.k1.logEveryNEvents = %d
`, p.Batch, p.Events)), "-Dflume.root.logger=INFO,console")
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	// The null sink logs a progress line when it passes logEveryNEvents.
	if err := waitForLog(wctx, a, "null sink progress"); err != nil {
		a.Kill()
		return Result{}, err
	}
	elapsed, cpu := a.Since(), a.CPU()
	rss, err := a.Stop()
	return Result{Scenario: "exec-null", Events: int64(p.Events), Bytes: size, Elapsed: elapsed, PeakRSS: rss, CPU: cpu,
		Note: "from process start to the null sink's last batch"}, err
}

func waitForLog(ctx context.Context, a *Agent, text string) error {
	for {
		data, _ := os.ReadFile(a.logs.Name())
		if containsLine(data, text) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q in %s: %w", text, a.logs.Name(), ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func containsLine(data []byte, text string) bool {
	return strings.Contains(string(data), text)
}

func idle(ctx context.Context, p Params) (Result, error) {
	a, err := StartAgent(p, "a1", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`)
	if err != nil {
		return Result{}, err
	}
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
	}
	rss := a.RSS()
	if _, err := a.Stop(); err != nil {
		return Result{}, err
	}
	return Result{Scenario: "idle", Events: 0, Elapsed: 2 * time.Second, PeakRSS: rss, Note: "resident set after 2 s idle"}, nil
}

func seqPipeline(p Params, interceptors, sinks string) string {
	return fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = %d
a1.sources.r1.batchSize = %d
a1.sources.r1.channels = c1
%s
a1.channels.c1.type = memory
a1.channels.c1.capacity = %d
a1.channels.c1.transactionCapacity = %d
%s`, p.Events, p.Batch, interceptors, p.capacity(), p.Batch, sinks)
}

func nullSink(name string, p Params) string {
	return fmt.Sprintf(`a1.sinks.%[1]s.type = null
a1.sinks.%[1]s.channel = c1
a1.sinks.%[1]s.batchSize = %[2]d
a1.sinks.%[1]s.logEveryNEvents = %[3]d
`, name, p.Batch, p.Events)
}

// runUntilLogged runs an agent until its log shows text.
func runUntilLogged(ctx context.Context, p Params, name, props, text string, bytes int64) (Result, error) {
	a, err := StartAgent(p, "a1", props, "-Dflume.root.logger=INFO,console")
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := waitForLog(wctx, a, text); err != nil {
		a.Kill()
		return Result{}, err
	}
	elapsed, cpu := a.Since(), a.CPU()
	rss, err := a.Stop()
	return Result{Scenario: name, Events: int64(p.Events), Bytes: bytes, Elapsed: elapsed, PeakRSS: rss, CPU: cpu,
		Note: "from process start to the last batch"}, err
}

func seqPlain(ctx context.Context, p Params) (Result, error) {
	props := "a1.sinks = k1\n" + seqPipeline(p, "", nullSink("k1", p))
	return runUntilLogged(ctx, p, "seq-null", props, "null sink progress", 0)
}

func seqRouted(ctx context.Context, p Params) (Result, error) {
	interceptors := `a1.sources.r1.interceptors = i1 i2 i3 i4
a1.sources.r1.interceptors.i1.type = timestamp
a1.sources.r1.interceptors.i2.type = host
a1.sources.r1.interceptors.i3.type = static
a1.sources.r1.interceptors.i3.key = datacenter
a1.sources.r1.interceptors.i3.value = dc1
a1.sources.r1.interceptors.i4.type = regex_filter
a1.sources.r1.interceptors.i4.regex = ^[0-9]+$
`
	sinks := "a1.sinks = k1 k2\n" + nullSink("k1", p) + nullSink("k2", p) + `a1.sinkgroups = g1
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.k1 = 10
a1.sinkgroups.g1.processor.priority.k2 = 5
`
	return runUntilLogged(ctx, p, "seq-routed-null", seqPipeline(p, interceptors, sinks), "null sink progress", 0)
}
