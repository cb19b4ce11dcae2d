package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/flumego/flume/internal/flumetest"
)

func TestServesUntilCancelled(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-ready-file", ready, "-complete-refusals", "0"}, &stdout, &stderr) }()
	var uri string
	flumetest.WaitFor(t, 10*time.Second, "the ready file", func() bool {
		b, err := os.ReadFile(ready)
		uri = strings.TrimSpace(string(b))
		return err == nil && strings.HasPrefix(uri, "hdfs://")
	})
	c, err := hdfs.NewClient(hdfs.ClientOptions{Addresses: []string{strings.TrimPrefix(uri, "hdfs://")}, User: "flume"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MkdirAll("/logs", 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := c.Create("/logs/a")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := stdout.String(); got != "/logs/a\t6\n" {
		t.Errorf("printed %q", got)
	}
	if !strings.Contains(stderr.String(), "hdfs-fake listening on "+uri) {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-block-size", "1000"}, {"-print", "all"}, {"extra"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, &out); err == nil {
			t.Errorf("%q accepted", args)
		} else if errors.Is(err, context.Canceled) {
			t.Errorf("%q: %v", args, err)
		}
	}
}
