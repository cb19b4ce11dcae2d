package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/flumego/flume/internal/hdfsfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hdfs-fake:", err)
		os.Exit(1)
	}
}

// run serves the fake until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hdfs-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "NameNode listen address (port 0: any free port)")
	dnAddr := fs.String("datanode-addr", "127.0.0.1:0", "DataNode data transfer listen address")
	blockSize := fs.Int64("block-size", 128<<20, "server default block size in bytes (at least 1 MiB)")
	refusals := fs.Int("complete-refusals", 1, "complete calls refused per file before the last block is reported")
	discard := fs.Bool("discard", false, "acknowledge data without keeping it (files cannot be read back)")
	print := fs.String("print", "files", "what to print on exit: files (each with its length) or none")
	readyFile := fs.String("ready-file", "", "write the hdfs:// URI to this file once listening")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case *print != "files" && *print != "none":
		return fmt.Errorf("-print %q: expected files or none", *print)
	case *blockSize < 1<<20 || *blockSize%512 != 0:
		return fmt.Errorf("-block-size %d: expected a multiple of 512 of at least 1 MiB", *blockSize)
	case *refusals < 0:
		return fmt.Errorf("-complete-refusals %d: expected 0 or more", *refusals)
	}
	f := hdfsfake.New(hdfsfake.Config{NameNodeAddr: *addr, DataNodeAddr: *dnAddr, BlockSize: *blockSize, DiscardData: *discard})
	f.SetCompleteRefusals(*refusals)
	if err := f.Start(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "hdfs-fake listening on %s (DataNode %s)\n", f.URL(), f.DataNodeAddr())
	if *readyFile != "" {
		if err := os.WriteFile(*readyFile, []byte(f.URL()+"\n"), 0o644); err != nil {
			f.Close()
			return err
		}
	}
	<-ctx.Done()
	err := f.Close()
	files := f.Files()
	if *print == "files" {
		for _, p := range files {
			st, _ := f.Stat(p)
			state := ""
			if st.UnderConstruction {
				state = " (open)"
			}
			fmt.Fprintf(stdout, "%s\t%d%s\n", p, st.Length, state)
		}
	}
	st := f.Stats()
	fmt.Fprintf(stderr, "hdfs-fake: %d files, %d write pipelines, %d refused calls\n", len(files), st.Pipelines, st.Refused)
	return err
}
