package app

import (
	"context"
	"fmt"
	"io"

	"github.com/flumego/flume/internal/builder"
)

var buildOptions = []option{
	{long: "with", arg: true, help: "a plugin to compile in: module[@version][=local dir] (repeatable)"},
	{long: "replace", arg: true, help: "a replace directive: module=dir or module=module@version (repeatable)"},
	{long: "flumego", arg: true, help: "the github.com/flumego/flume version to build with (default: this binary's)"},
	{short: "o", long: "output", arg: true, help: "the binary to write (required)"},
	{long: "work-dir", arg: true, help: "write the generated module here and keep it (default: a temporary directory)"},
	{short: "v", long: "verbose", help: "show the go commands and their output"},
	{short: "h", long: "help", help: "show help"},
}

func buildUsage() string {
	return `Usage: flume-ng build --with MODULE[@VERSION][=DIR]... [--replace MODULE=TARGET]... -o FILE

Builds a static flume-ng with plugin modules compiled in: it writes a main
module importing each --with package (whose init registers its components)
and github.com/flumego/flume at this binary's version, and runs the go
command (which must be installed) to build it. GOOS and GOARCH are honoured.

  flume-ng build --with example.com/mysink@v1.2.3 -o bin/flume-ng
  flume-ng build --with example.com/mysink=../mysink \
      --replace github.com/flumego/flume=../flume -o bin/flume-ng

options:
` + usageLines(buildOptions)
}

// runBuild is flume-ng build.
func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	p, err := parseOptions(args, buildOptions, false)
	if err != nil {
		fmt.Fprintf(stderr, "flume-ng build: %v\n\n%s", err, buildUsage())
		return 1
	}
	if p.has("help") {
		fmt.Fprint(stdout, buildUsage())
		return 0
	}
	o := builder.Options{Output: p.last("output"), Flumego: p.last("flumego"), WorkDir: p.last("work-dir")}
	for _, w := range p.values["with"] {
		pl, err := builder.ParsePlugin(w)
		if err != nil {
			fmt.Fprintf(stderr, "flume-ng build: %v\n", err)
			return 1
		}
		o.Plugins = append(o.Plugins, pl)
	}
	for _, r := range p.values["replace"] {
		rp, err := builder.ParseReplace(r)
		if err != nil {
			fmt.Fprintf(stderr, "flume-ng build: %v\n", err)
			return 1
		}
		o.Replaces = append(o.Replaces, rp)
	}
	if p.has("verbose") {
		o.Log = stderr
	}
	if err := builder.Build(ctx, o); err != nil {
		fmt.Fprintf(stderr, "flume-ng build: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "built %s\n", o.Output)
	return 0
}
