package rpc_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/flumego/flume/rpc"
)

// TestWithLogger: the warnings about a client's properties go to the logger
// WithLogger names.
func TestWithLogger(t *testing.T) {
	var buf bytes.Buffer
	c, err := rpc.NewThriftClient("127.0.0.1:1", map[string]string{"batch-size": "0"}, rpc.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.BatchSize() != 100 || !strings.Contains(buf.String(), "batch-size") || !strings.Contains(buf.String(), "using the default 100") {
		t.Fatalf("batch size %d, log:\n%s", c.BatchSize(), buf.String())
	}
}
