package app

import (
	"context"
	"fmt"
	"io"

	"github.com/flumego/flume/internal/avroclient"
	"github.com/flumego/flume/internal/sysprop"
)

// runAvroClient is Flume's avro-client command: it sends text lines to an
// avro source. The script-level options (-c, -C, -Dkey=value, JVM flags) are
// taken out first, as Flume's script does; the rest are avro-client's own.
func runAvroClient(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var script []option
	for _, o := range globalOptions {
		if o.long != "help" {
			script = append(script, o)
		}
	}
	p, err := parseOptions(args, script, true)
	if err != nil {
		fmt.Fprintf(stderr, "flume-ng avro-client: %v\n", err)
		return 1
	}
	for _, kv := range p.sysProps {
		sysprop.Set(kv[0], kv[1])
	}
	return avroclient.Main(ctx, p.rest, stdin, stdout, stderr)
}
