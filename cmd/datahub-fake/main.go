package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/flumego/flume/internal/datahubfake"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "datahub-fake:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("datahub-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0: any free port)")
	project := fs.String("project", "flume", "project name")
	topic := fs.String("topic", "flume_topic", "topic name")
	schema := fs.String("schema", "line:STRING", `topic schema: "BLOB", a RecordSchema JSON document, or "name:TYPE[:notnull],..."`)
	shards := fs.Int("shards", 1, "number of ACTIVE shards")
	accessID := fs.String("access-id", "flumego", "access id requests must be signed with")
	accessKey := fs.String("access-key", "flumego-secret", "access key requests must be signed with")
	print := fs.String("print", "records", "what to print: records (one JSON line each), count (every second) or none")
	readyFile := fs.String("ready-file", "", "write the service URL to this file once listening")
	exitAfter := fs.Int64("exit-after", 0, "exit after storing this many records (0: run until signalled)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch *print {
	case "records", "count", "none":
	default:
		return fmt.Errorf("-print %q: expected records, count or none", *print)
	}
	spec, err := datahubfake.ParseSchema(*schema)
	if err != nil {
		return err
	}
	spec.Shards = *shards
	srv := datahubfake.New(*accessID, *accessKey)
	srv.DiscardRecords = true // printed or counted, never kept: the fake can run for hours
	if err := srv.CreateTopic(*project, *topic, spec); err != nil {
		return err
	}

	out := bufio.NewWriter(stdout)
	var outMu sync.Mutex
	var stored atomic.Int64
	done := make(chan struct{})
	var doneOnce sync.Once
	srv.OnStore = func(_, _ string, recs []datahubfake.Record) {
		if *print == "records" {
			outMu.Lock()
			for _, r := range recs {
				line := map[string]any{"shard": r.Shard, "seq": r.Sequence}
				if spec.RecordType == datahubfake.Blob {
					line["blob"] = string(r.Blob)
				} else {
					vals := make([]any, len(r.Values))
					for i, v := range r.Values {
						if !v.Null {
							vals[i] = v.S
						}
					}
					line["values"] = vals
				}
				b, _ := json.Marshal(line)
				out.Write(append(b, '\n'))
			}
			out.Flush()
			outMu.Unlock()
		}
		if n := stored.Add(int64(len(recs))); *exitAfter > 0 && n >= *exitAfter {
			doneOnce.Do(func() { close(done) })
		}
	}

	url, err := srv.Start(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "datahub-fake listening on %s (project %s, topic %s, %d shard(s))\n", url, *project, *topic, spec.Shards)
	if *readyFile != "" {
		if err := os.WriteFile(*readyFile, []byte(url+"\n"), 0o644); err != nil {
			_ = srv.Close()
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := int64(-1)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-done:
			break loop
		case <-tick.C:
			if n := stored.Load(); *print == "count" && n != last {
				outMu.Lock()
				fmt.Fprintf(out, "stored %d records\n", n)
				out.Flush()
				outMu.Unlock()
				last = n
			}
		}
	}
	err = srv.Close()
	st := srv.Stats()
	outMu.Lock()
	out.Flush()
	outMu.Unlock()
	fmt.Fprintf(stderr, "datahub-fake: stored %d records (%d put requests, %d records received, %d failed)\n",
		st.RecordsStored, st.PutRequests, st.RecordsReceived, st.RecordsFailed)
	return err
}
