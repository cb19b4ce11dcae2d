package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flumego/flume/internal/bench"
)

// runBench runs end-to-end benchmark scenarios and prints one row per run
// and the median.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	events := fs.Int("events", 2000000, "events per run")
	size := fs.Int("size", 100, "event size in bytes (a line including its newline)")
	batch := fs.Int("batch", 1000, "batch size of sources, channels and sinks")
	headers := fs.Int("headers", 3, "headers per event (timestamp, host, seq, then h4...): sent by the RPC load generators, added by interceptors in the exec scenarios")
	capacity := fs.Int("capacity", 0, "capacity of the memory channels (default: 10 batches)")
	runs := fs.Int("runs", 3, "runs per scenario; the median is reported")
	dir := fs.String("dir", "", "scratch directory (default: a temporary one)")
	input := fs.String("input", "", "use this input file instead of generating one")
	list := fs.Bool("list", false, "list the scenarios")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: flume-ng bench [flags] [scenario ...]   (default: exec-fileroll exec-null idle)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *list {
		for _, s := range bench.Scenarios() {
			fmt.Fprintf(stdout, "%-22s %s\n", s.Name, s.Desc)
		}
		return 0
	}
	names := fs.Args()
	if len(names) == 0 {
		names = []string{"exec-fileroll", "exec-null", "idle"}
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "flume-ng bench:", err)
		return 1
	}
	scratch := *dir
	if scratch == "" {
		if scratch, err = os.MkdirTemp("", "flumego-bench"); err != nil {
			fmt.Fprintln(stderr, "flume-ng bench:", err)
			return 1
		}
		defer os.RemoveAll(scratch)
	}
	if *headers < 0 || *capacity < 0 {
		fmt.Fprintln(stderr, "flume-ng bench: -headers and -capacity must not be negative")
		return 2
	}
	p := bench.Params{Events: *events, EventSize: *size, Headers: *headers, Batch: *batch, Capacity: *capacity, Binary: self, Dir: scratch, Input: *input}
	fmt.Fprintf(stdout, "flumego %s bench: %d events of %d bytes with %d headers, batch %d, %d runs each\n", Version, *events, *size, *headers, *batch, *runs)
	code := 0
	for _, name := range names {
		s, ok := bench.Lookup(name)
		if !ok {
			var known []string
			for _, s := range bench.Scenarios() {
				known = append(known, s.Name)
			}
			fmt.Fprintf(stderr, "unknown scenario %q (known: %s)\n", name, strings.Join(known, ", "))
			code = 1
			continue
		}
		var results []bench.Result
		for i := 0; i < *runs && ctx.Err() == nil; i++ {
			r, err := s.Run(ctx, p)
			if err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", name, err)
				code = 1
				break
			}
			fmt.Fprintf(stdout, "  run %d: %s\n", i+1, bench.Format(r))
			results = append(results, r)
		}
		if len(results) > 0 {
			fmt.Fprintf(stdout, "median  %s\n", bench.Format(bench.Median(results)))
		}
	}
	return code
}
