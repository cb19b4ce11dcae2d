package demo

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Main is the body of an example's `go run` command: it parses the
// command line (flag.CommandLine, so an example may define flags first;
// -dir is defined here), runs run in a Session, and exits 1 with the tail
// of every agent's log when run fails. Ctrl-C stops the run and every
// process it started.
func Main(run func(ctx context.Context, s *Session) error) {
	dir := flag.String("dir", "", "keep the agents' working directories and logs here (default: a temporary directory, removed at the end)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(mainRun(ctx, *dir, os.Stdout, run))
}

func mainRun(ctx context.Context, dir string, out io.Writer, run func(context.Context, *Session) error) int {
	keep := dir != ""
	if !keep {
		tmp, err := os.MkdirTemp("", "flumego-example-")
		if err != nil {
			fmt.Fprintln(out, "error:", err)
			return 1
		}
		dir = tmp
		defer os.RemoveAll(tmp)
	}
	s, err := NewSession(dir, out)
	if err != nil {
		fmt.Fprintln(out, "error:", err)
		return 1
	}
	defer s.Close()
	s.Printf("working directory %s (agent logs: <label>.log)%s", s.Dir, map[bool]string{true: "", false: "; removed at the end, keep it with -dir"}[keep])
	if err := run(ctx, s); err != nil {
		s.Printf("FAILED: %v", err)
		fmt.Fprint(out, s.LogTails(15))
		return 1
	}
	return 0
}

// TB is the part of testing.TB a test session needs.
type TB interface {
	Helper()
	TempDir() string
	Cleanup(func())
	Logf(format string, args ...any)
	Failed() bool
	Fatal(args ...any)
}

// NewTestSession returns a session in a temporary directory of the test
// that prints its progress to the test log, is closed when the test ends,
// and logs the tail of every agent's log if the test failed.
func NewTestSession(t TB) *Session {
	t.Helper()
	s, err := NewSession(t.TempDir(), testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent logs:\n%s", s.LogTails(40))
		}
		s.Close()
	})
	return s
}

type testWriter struct{ t TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", trimNewline(p))
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	if n := len(p); n > 0 && p[n-1] == '\n' {
		return p[:n-1]
	}
	return p
}
