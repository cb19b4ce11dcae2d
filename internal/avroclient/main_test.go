package avroclient

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/rpc/avrorpc"
)

// source is a real avrorpc server recording accepted calls.
type source struct {
	host, port string
	mu         sync.Mutex
	batches    [][]flume.Event
	fail       int // answer FAILED to this many calls first
}

func startSource(t *testing.T) *source {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &source{}
	s.host, s.port, _ = net.SplitHostPort(ln.Addr().String())
	srv := avrorpc.NewServer(avrorpc.ServerConfig{}, func(_ context.Context, _ bool, evs []flume.Event) (avrorpc.Status, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.fail > 0 {
			s.fail--
			return avrorpc.Failed, nil
		}
		var b []flume.Event
		for _, e := range evs {
			b = append(b, e.Clone())
		}
		s.batches = append(s.batches, b)
		return avrorpc.OK, nil
	})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *source) events() (batches int, bodies []string, headers []map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.batches {
		for _, e := range b {
			bodies = append(bodies, string(e.Body))
			headers = append(headers, flumetest.Headers(e))
		}
	}
	return len(s.batches), bodies, headers
}

func runMain(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestStdinLinesInBatchesOfFive(t *testing.T) {
	s := startSource(t)
	input := "one\r\ntwo\nthree\rfour\n\nsix é\nseven\x00\xff\neight"
	code, _, stderr := runMain(t, input, "-H", s.host, "--port", s.port)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	batches, bodies, headers := s.events()
	want := []string{"one", "two", "three", "four", "", "six é", "seven\x00\xff", "eight"}
	if batches != 2 || fmt.Sprint(bodies) != fmt.Sprint(want) || len(headers[0]) != 0 {
		t.Fatalf("%d batches, bodies %q, headers %v", batches, bodies, headers[0])
	}
}

func TestFileHeadersAndBatchSize(t *testing.T) {
	s := startSource(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "in.txt")
	os.WriteFile(file, []byte("a\nb\nc\n"), 0o644)
	hdr := filepath.Join(dir, "headers.properties")
	os.WriteFile(hdr, []byte("# headers\nhost = web1\nenv: prod\n"), 0o644)
	code, _, stderr := runMain(t, "", "-F", file, "-R", hdr, "-H", s.host, "-p", s.port, "--batch-size=2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	batches, bodies, headers := s.events()
	if batches != 2 || fmt.Sprint(bodies) != "[a b c]" || headers[2]["host"] != "web1" || headers[2]["env"] != "prod" {
		t.Fatalf("%d batches, %q, %v", batches, bodies, headers)
	}
}

func TestRPCPropsAndDirname(t *testing.T) {
	s := startSource(t)
	dir := t.TempDir()
	props := filepath.Join(dir, "client.properties")
	os.WriteFile(props, []byte(fmt.Sprintf("client.type = default_failover\nhosts = h1 h2\nhosts.h1 = %s:%s\nhosts.h2 = %s:%s\nbatch-size = 100\n", s.host, s.port, s.host, s.port)), 0o644)
	spool := filepath.Join(dir, "spool")
	os.Mkdir(spool, 0o755)
	os.WriteFile(filepath.Join(spool, "1.log"), []byte("x1\nx2\n"), 0o644)
	os.WriteFile(filepath.Join(spool, "2.log"), []byte("y1\n"), 0o644)
	os.WriteFile(filepath.Join(spool, ".hidden"), []byte("no\n"), 0o644)
	os.WriteFile(filepath.Join(spool, "0.log.COMPLETED"), []byte("old\n"), 0o644)
	code, _, stderr := runMain(t, "", "-P", props, "--dirname", spool)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, bodies, _ := s.events()
	if fmt.Sprint(bodies) != "[x1 x2 y1]" && fmt.Sprint(bodies) != "[y1 x1 x2]" {
		t.Fatalf("bodies %q", bodies)
	}
	for _, n := range []string{"1.log.COMPLETED", "2.log.COMPLETED", ".hidden", "0.log.COMPLETED"} {
		if _, err := os.Stat(filepath.Join(spool, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

func TestFailureKeepsFileAndExitsNonZero(t *testing.T) {
	s := startSource(t)
	s.mu.Lock()
	s.fail = 1
	s.mu.Unlock()
	spool := t.TempDir()
	os.WriteFile(filepath.Join(spool, "a.log"), []byte("x\n"), 0o644)
	code, _, stderr := runMain(t, "", "-H", s.host, "-p", s.port, "--dirname", spool)
	if code == 0 || !strings.Contains(stderr, "FAILED") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(spool, "a.log")); err != nil {
		t.Fatalf("the unsent file was renamed: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "either --rpcProps or both --host and --port"},
		{[]string{"-H", "h"}, "--port"},
		{[]string{"-p", "1"}, "--host"},
		{[]string{"-H", "h", "-p", "1", "-F", "f", "--dirname", "d"}, "cannot be used simultaneously"},
		{[]string{"--bogus"}, "unrecognized option"},
		{[]string{"-H"}, "missing argument"},
		{[]string{"-H", "h", "-p", "x"}, "invalid port"},
		{[]string{"-H", "h", "-p", "1", "-b", "0"}, "invalid batch size"},
		{[]string{"-P", "/nonexistent.properties"}, "RPC client properties file"},
	} {
		code, _, stderr := runMain(t, "", tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
	code, stdout, _ := runMain(t, "", "--help")
	if code != 0 || !strings.Contains(stdout, "--headerFile") {
		t.Fatalf("help: %d %q", code, stdout)
	}
}
