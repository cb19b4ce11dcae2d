package demo

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTallyReport(t *testing.T) {
	tl := NewTally()
	for _, seq := range []int64{1, 2, 2, 4, 5, 6, 9, 12} {
		tl.Add("a", seq)
	}
	tl.Add("b", 1)
	r := tl.Report("a", 10)
	if r.Complete() {
		t.Fatal("incomplete report says complete")
	}
	if got, want := r.String(), "a: 6 of 10 arrived, 4 missing, 1 duplicates (missing 3, 7-8, 10), 1 unexpected numbers (12)"; got != want {
		t.Errorf("report\n got %q\nwant %q", got, want)
	}
	if r.Delivered != 8 || tl.Distinct("a") != 7 {
		t.Errorf("delivered %d, distinct %d", r.Delivered, tl.Distinct("a"))
	}
	if r := tl.Report("b", 1); !r.Complete() || r.Duplicates != 0 {
		t.Errorf("b: %v", r)
	}
	if r := tl.Report("none", 2); r.Complete() || len(r.Missing) != 2 {
		t.Errorf("none: %v", r)
	}
}

func TestRanges(t *testing.T) {
	var many []int64
	for i := int64(0); i < 30; i += 2 {
		many = append(many, i)
	}
	for _, c := range []struct {
		in   []int64
		want string
	}{
		{[]int64{5}, "5"},
		{[]int64{1, 2, 3, 7, 9, 10}, "1-3, 7, 9-10"},
		{many, "0, 2, 4, 6, 8, 10, 12, 14, 16, 18, ..."},
	} {
		if got := ranges(c.in); got != c.want {
			t.Errorf("ranges(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLogValue(t *testing.T) {
	line := `time=2025-01-02T03:04:05Z level=INFO msg="avro source listening" address=127.0.0.1:4545 note="a b" n=3`
	for key, want := range map[string]string{"address": "127.0.0.1:4545", "note": "a b", "n": "3", "msg": "avro source listening", "missing": ""} {
		if got := LogValue(line, key); got != want {
			t.Errorf("LogValue(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestLogWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	w, err := NewLogWriter(path, func(seq int64) string { return "line " + strconv.FormatInt(seq, 10) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(3); err != nil {
		t.Fatal(err)
	}
	w.Start(2000)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := Wait(ctx, "background lines", func() (bool, error) { return w.Written() >= 50, nil }); err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}
	n := w.Written()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if int64(len(lines)) != n {
		t.Fatalf("%d lines in the file, Written says %d", len(lines), n)
	}
	for i, l := range lines {
		if want := "line " + strconv.Itoa(i+1); l != want {
			t.Fatalf("line %d = %q, want %q", i+1, l, want)
		}
	}
}

func TestFreePort(t *testing.T) {
	seen := map[int]bool{}
	for range 5 {
		p, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if p < portLow || p >= portHigh || seen[p] {
			t.Fatalf("port %d (seen before: %v)", p, seen[p])
		}
		seen[p] = true
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		ln.Close()
	}
}

// A session runs a command, waits for its output, stops it with SIGTERM,
// and at Close kills a process left running in its directory.
func TestSessionProcess(t *testing.T) {
	s := NewTestSession(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := s.Start(ctx, AgentSpec{Label: "p", Env: []string{"GREETING=ready"},
		Command: []string{"/bin/sh", "-c", `trap 'echo bye; exit 0' TERM; echo "msg=$GREETING address=x:1"; while true; do sleep 0.05; done`}})
	if err != nil {
		t.Fatal(err)
	}
	line, err := p.WaitLog(ctx, "msg=ready")
	if err != nil {
		t.Fatal(err)
	}
	if LogValue(line, "address") != "x:1" {
		t.Errorf("line %q", line)
	}
	if err := p.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := p.WaitLog(ctx, "bye"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitLog(ctx, "never printed"); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("waiting on an exited process: %v", err)
	}

	// A stray: a process started in the session's directory but not by
	// the session (as an exec source's command whose agent was killed).
	stray, err := os.StartProcess("/bin/sleep", []string{"sleep", "60"}, &os.ProcAttr{Dir: p.Dir})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _, _ = stray.Wait(); close(done) }()
	s.Close()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = stray.Signal(syscall.SIGKILL)
		t.Fatal("Close left a process running in the session's directory")
	}
}
