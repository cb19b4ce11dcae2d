// Command putbench measures the embedded agent as an application sees it:
// how many events per second Put takes and the application's peak resident
// memory, sending to a flumego collector over Avro.
//
//	go build -o /tmp/putbench ./embedded/internal/putbench
//	/tmp/putbench -flume-ng bin/flume-ng -channel memory,file -goroutines 1,8 -batch 1,100 -runs 5
//
// It starts the collector, a `flume-ng agent` process (avro source →
// memory channel → null sink) on a free loopback port, then, for each
// combination of channel, goroutines and batch, runs the application -runs
// times, each run a new process (so that its peak RSS is its own): an
// embedded agent whose avro sink sends to the collector, and -goroutines
// goroutines putting -events events of -size bytes, -batch per Put. A run
// reports the events per second Put took (from the first Put until every
// Put returned: with the channel full, that is the rate the sink delivers),
// the events per second delivered (until the collector acknowledged every
// event) and its peak RSS (VmHWM), measured before Close; the median of the
// runs is printed last.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/embedded"
	"github.com/flumego/flume/internal/bench"
)

func main() {
	flumeNG := flag.String("flume-ng", "bin/flume-ng", "the flume-ng binary that runs the collector")
	channels := flag.String("channel", "memory,file", "channel types, comma-separated")
	goroutines := flag.String("goroutines", "1,8", "numbers of goroutines calling Put, comma-separated")
	batches := flag.String("batch", "1,100", "events per Put, comma-separated")
	events := flag.Int("events", 200_000, "events per run")
	size := flag.Int("size", 200, "event body size in bytes")
	runs := flag.Int("runs", 5, "runs per combination (the median is reported)")
	child := flag.String("child", "", "internal: run once against this collector address and print the result")
	flag.Parse()
	if *child != "" {
		if err := runOnce(*child, (*channels), atoi(*goroutines), atoi(*batches), *events, *size); err != nil {
			fmt.Fprintln(os.Stderr, "putbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := runAll(*flumeNG, split(*channels), ints(*goroutines), ints(*batches), *events, *size, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "putbench:", err)
		os.Exit(1)
	}
}

func split(s string) []string { return strings.Split(s, ",") }

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "putbench:", err)
		os.Exit(2)
	}
	return n
}

func ints(s string) []int {
	var out []int
	for _, f := range split(s) {
		out = append(out, atoi(f))
	}
	return out
}

// result is one run's figures.
type result struct {
	put, delivered float64 // events per second
	peakRSS        int64   // bytes
}

func runAll(flumeNG string, channels []string, goroutines, batches []int, events, size, runs int) error {
	dir, err := os.MkdirTemp("", "putbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The collector's channel is large: its null sink sleeps a second
	// whenever it finds fewer events than its batch (Flume's sink runner
	// backoff), and the channel must absorb that second at full speed, or
	// the collector, not the application, sets the pace.
	collector, err := bench.StartAgent(bench.Params{Binary: flumeNG, Dir: dir}, "a1", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = avro
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 2000000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.sinks.k1.batchSize = 1000
a1.sinks.k1.logEveryNEvents = 100000000
`, "-Dflume.root.logger=INFO,console")
	if err != nil {
		return err
	}
	defer func() { _, _ = collector.Stop() }()
	addr, err := listenAddress(filepath.Join(dir, "a1.log"), "avro source listening")
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("collector: flume-ng agent (avro source → memory → null) at %s; %d events of %d bytes per run, median of %d runs\n", addr, events, size, runs)
	for _, ch := range channels {
		for _, g := range goroutines {
			for _, b := range batches {
				var rs []result
				for range runs {
					r, err := child(self, addr, dir, ch, g, b, events, size)
					if err != nil {
						return err
					}
					rs = append(rs, r)
				}
				m := median(rs)
				fmt.Printf("%-6s channel, %d goroutine(s), batch %3d: Put %9.0f events/s, delivered %9.0f events/s, peak RSS %3.0f MB\n",
					ch, g, b, m.put, m.delivered, float64(m.peakRSS)/1e6)
			}
		}
	}
	return nil
}

// child runs one measurement in a new process and parses its result.
func child(self, addr, dir, channel string, goroutines, batch, events, size int) (result, error) {
	cmd := exec.Command(self, "-child", addr, "-channel", channel, "-goroutines", strconv.Itoa(goroutines),
		"-batch", strconv.Itoa(batch), "-events", strconv.Itoa(events), "-size", strconv.Itoa(size))
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("run (%s, %d goroutines, batch %d): %w", channel, goroutines, batch, err)
	}
	var r result
	if _, err := fmt.Sscanf(string(out), "put=%f delivered=%f peak_rss=%d", &r.put, &r.delivered, &r.peakRSS); err != nil {
		return result{}, fmt.Errorf("run output %q: %w", out, err)
	}
	return r, nil
}

func median(rs []result) result {
	pick := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return result{put: pick(func(r result) float64 { return r.put }), delivered: pick(func(r result) float64 { return r.delivered }),
		peakRSS: int64(pick(func(r result) float64 { return float64(r.peakRSS) }))}
}

// listenAddress waits for a log line containing marker and returns its
// address= value.
func listenAddress(log, marker string) (string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if f, err := os.Open(log); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if line := sc.Text(); strings.Contains(line, marker) {
					_, rest, _ := strings.Cut(line, "address=")
					addr, _, _ := strings.Cut(rest, " ")
					f.Close()
					return addr, nil
				}
			}
			f.Close()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "", fmt.Errorf("the collector did not log %q (log: %s)", marker, log)
}

// runOnce is one measurement: an embedded agent sending to the collector
// at addr, and goroutines putting events.
func runOnce(addr, channel string, goroutines, batch, events, size int) error {
	host, port, _ := strings.Cut(addr, ":")
	kv := map[string]string{
		"channel.type":                "memory",
		"channel.capacity":            "10000",
		"channel.transactionCapacity": "1000",
		"sinks":                       "k1",
		"k1.type":                     "avro",
		"k1.hostname":                 host,
		"k1.port":                     port,
		"k1.batch-size":               "1000",
		"processor.type":              "default",
	}
	if channel == "file" {
		dir, err := os.MkdirTemp(".", "filechannel-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		kv["channel.type"] = "file"
		kv["channel.capacity"] = "1000000"
		kv["channel.checkpointDir"] = filepath.Join(dir, "checkpoint")
		kv["channel.dataDirs"] = filepath.Join(dir, "data")
		kv["channel.minimumRequiredSpace"] = "10485760"
	}
	ctx := context.Background()
	a, err := embedded.New(ctx, embedded.Config{Name: "bench", Properties: conf.FromMap(kv),
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	body := make([]byte, size)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	per := events / goroutines
	total := per * goroutines
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < per; {
				n := min(batch, per-done)
				evs := make([]flume.Event, n)
				for i := range evs {
					evs[i] = flume.NewEvent(body)
				}
				if err := a.Put(ctx, evs...); err != nil {
					errs <- err
					return
				}
				done += n
			}
		}()
	}
	wg.Wait()
	putTime := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	for a.Counters().Delivered < int64(total) {
		time.Sleep(time.Millisecond)
	}
	deliverTime := time.Since(start)
	peak := peakRSS()
	if err := a.Close(ctx); err != nil {
		return err
	}
	fmt.Printf("put=%f delivered=%f peak_rss=%d\n", float64(total)/putTime.Seconds(), float64(total)/deliverTime.Seconds(), peak)
	return nil
}

// peakRSS returns this process's VmHWM in bytes.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
