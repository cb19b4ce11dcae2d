package fakeproc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Build compiles cmd/datahub-fake (once) and returns the binary's path.
func Build() (string, error) {
	buildOnce.Do(func() {
		gotool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("the go command is needed to build datahub-fake: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "datahub-fake-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "datahub-fake")
		out, err := exec.Command(gotool, "build", "-o", binary, "github.com/flumego/flume/cmd/datahub-fake").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build cmd/datahub-fake: %v\n%s", err, out)
		}
	})
	return binary, buildErr
}

// Start runs datahub-fake with args on a free port of 127.0.0.1 and returns
// its URL. The process is stopped (SIGTERM, then SIGKILL) when the test
// ends; its standard output is discarded.
func Start(tb testing.TB, args ...string) string {
	tb.Helper()
	bin, err := Build()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case first <- sc.Text():
			default:
			}
		}
		_ = cmd.Wait()
		close(first)
		close(done)
	}()
	select {
	case line, ok := <-first:
		url, found := strings.CutPrefix(line, "datahub-fake listening on ")
		if !ok || !found {
			tb.Fatalf("datahub-fake did not start: %q", line)
		}
		url, _, _ = strings.Cut(url, " ")
		return url
	case <-time.After(30 * time.Second):
		tb.Fatal("datahub-fake did not start within 30 s")
	}
	return ""
}
