package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/topology"
)

var graphOptions = []option{
	{short: "n", long: "name", arg: true, help: "the name of the agent to draw (required)"},
	{short: "f", long: "conf-file", arg: true, help: "configuration file (repeatable)"},
	{short: "u", long: "conf-uri", arg: true, help: "configuration URI"},
	{long: "format", arg: true, help: "dot (default), mermaid or json"},
}

// runGraph prints an agent's configured topology, built as check builds
// it and not started: every source, selector, channel, sink group and
// sink, with the components check would drop marked as dropped. It feeds
// on the same description as the monitoring page (agent.Snapshot's
// Topology).
func runGraph(_ context.Context, args []string, stdout, stderr io.Writer) int {
	s, name, code := namedSession("graph", args, graphOptions, true, stdout, stderr)
	if s == nil {
		return code
	}
	defer s.close()
	write := topology.WriteDOT
	switch f := s.opts.last("format"); f {
	case "", "dot":
	case "mermaid":
		write = topology.WriteMermaid
	case "json":
		write = func(w io.Writer, g topology.Graph) error { writeJSON(w, g); return nil }
	default:
		fmt.Fprintf(stderr, "flume-ng graph: --format %q: expected dot, mermaid or json\n", f)
		return 1
	}
	cfg, err := s.loadConfig(name)
	if err != nil {
		fmt.Fprintf(stderr, "flume-ng graph: %v\n", err)
		return 1
	}
	graph, problems := agent.Build(cfg, agent.Options{Registry: s.reg, Logger: slog.New(slog.DiscardHandler)})
	g := graph.Snapshot().Topology()
	if err := write(stdout, g); err != nil {
		fmt.Fprintf(stderr, "flume-ng graph: %v\n", err)
		return 1
	}
	dropped := 0
	for _, n := range g.Nodes {
		if n.Dropped {
			dropped++
		}
	}
	if dropped > 0 {
		fmt.Fprintf(stderr, "flume-ng graph: %d components of agent %s would be dropped (%d configuration errors); flume-ng check -n %s tells why\n",
			dropped, name, len(problems.Errors()), name)
	}
	return 0
}
