package app

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"syscall"
)

var globalOptions = []option{
	{short: "c", long: "conf", arg: true, help: "configuration directory (flume-env.sh JAVA_OPTS -D settings are read from it)"},
	{short: "C", long: "classpath", arg: true, help: "accepted for compatibility; ignored"},
	{short: "d", long: "dryrun", help: "print what would run and exit"},
	{long: "plugins-path", arg: true, help: "colon-separated plugins.d directories"},
	{long: "log-format", arg: true, help: "text (default) or json"},
	{short: "h", long: "help", help: "show help"},
}

// Main runs the flume-ng command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 1
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "agent", "node":
		return runAgent(ctx, rest, stdout, stderr)
	case "check":
		return runCheck(ctx, rest, stdout, stderr)
	case "graph":
		return runGraph(ctx, rest, stdout, stderr)
	case "avro-client":
		return runAvroClient(ctx, rest, stdin, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "build":
		return runBuild(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprint(stdout, versionText())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage())
		return 0
	case "tool":
		fmt.Fprintln(stderr, "flume-ng tool: the Java file channel integrity tool is not supported by flumego (its file channel verifies itself on start)")
		return 1
	default:
		fmt.Fprintf(stderr, "flume-ng: unknown command %q\n\n%s", cmd, usage())
		return 1
	}
}

func usage() string {
	return `Usage: flume-ng <command> [options]...

commands:
  help                      display this help text
  agent                     run a Flume agent (alias: node)
  avro-client               send lines to an avro source
  check                     validate an agent's configuration and report every problem
  graph                     print an agent's configured topology (Graphviz dot, Mermaid or JSON)
  bench                     run an end-to-end benchmark scenario and report events/s, MB/s and peak RSS
  build                     build a flume-ng with plugin modules compiled in (see flume-ng build --help)
  version                   show version information

global options:
` + usageLines(globalOptions) + `  -Dproperty=value                   set a system property (flume.root.logger, flume.monitoring.*, javax.net.ssl.*)
  -X<jvm flag>                       accepted for compatibility; ignored

agent options:
` + usageLines(agentOptions) + `
check options:
  -n,--name <name>, -f,--conf-file <file> (repeatable), -c,--conf <dir>, --format text|json

graph options:
  -n,--name <name>, -f,--conf-file <file> (repeatable), -u,--conf-uri <uri>, --format dot|mermaid|json

avro-client options: see flume-ng avro-client --help
`
}
