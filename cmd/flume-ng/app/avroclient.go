package app

import (
	"context"
	"fmt"
	"io"
)

func runAvroClient(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "flume-ng avro-client: not available yet")
	return 1
}
