package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	var o Options
	var arches, formats string
	flag.StringVar(&o.Root, "root", "..", "the flumego checkout")
	flag.StringVar(&o.Out, "out", "../dist", "where to write the artifacts")
	flag.StringVar(&arches, "arch", "amd64,arm64", "GOARCH values to build, comma-separated")
	flag.StringVar(&formats, "formats", "tar,deb,rpm", "what to make, comma-separated: tar, deb, rpm")
	flag.StringVar(&o.Version, "version", "", "the release (default: internal/buildinfo.Release of the checkout)")
	flag.StringVar(&o.Commit, "commit", "", "the commit to stamp")
	flag.StringVar(&o.Date, "date", "", "the build date to stamp, RFC 3339 (also the files' time in the archives)")
	flag.BoolVar(&o.Modified, "modified", false, "stamp the build as made from a changed tree")
	flag.Parse()
	o.Arches = strings.Split(arches, ",")
	o.Formats = strings.Split(formats, ",")
	o.Log = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	files, err := Dist(ctx, o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dist: %v\n", err)
		os.Exit(1)
	}
	for _, f := range files {
		fmt.Println(f)
	}
}
