package taildir

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
)

// buildFlumeNG builds the flume-ng command into a temporary directory.
func buildFlumeNG(t *testing.T) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Fatal("go.mod not found")
		}
		root = parent
	}
	bin := filepath.Join(t.TempDir(), "flume-ng")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/flume-ng")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// agentProc is a flume-ng agent process.
type agentProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startAgent(t *testing.T, bin, conf, logPath string) *agentProc {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "agent", "-n", "a1", "-f", conf, "--no-reload-conf", "-Dflume.root.logger=INFO,console")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	a := &agentProc{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(a.done) }()
	t.Cleanup(func() { a.kill() })
	return a
}

// kill sends SIGKILL and waits for the process.
func (a *agentProc) kill() {
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
}

// TestKill9 runs a real flume-ng agent (TAILDIR → file channel → file_roll)
// while a writer appends numbered lines and the file is rotated, and kills
// it with SIGKILL several times: no line is lost, and each kill repeats at
// most the batches in flight (the source's and the sink's).
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds flume-ng and runs it")
	}
	bin := buildFlumeNG(t)
	dir := t.TempDir()
	logs, out := filepath.Join(dir, "logs"), filepath.Join(dir, "out")
	for _, d := range []string{logs, out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const batch = 100
	conf := filepath.Join(dir, "a1.properties")
	props := fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = TAILDIR
a1.sources.r1.filegroups = f1
a1.sources.r1.filegroups.f1 = %[1]s/app\\.log
a1.sources.r1.positionFile = %[2]s/pos/taildir_position.json
a1.sources.r1.batchSize = %[3]d
a1.sources.r1.channels = c1
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = %[2]s/checkpoint
a1.channels.c1.dataDirs = %[2]s/data
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = %[4]s
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = %[3]d
`, logs, dir, batch, out)
	if err := os.WriteFile(conf, []byte(props), 0o644); err != nil {
		t.Fatal(err)
	}
	agentLog := filepath.Join(dir, "agent.log")
	app := filepath.Join(logs, "app.log")
	w := startWriter(app, true)
	a := startAgent(t, bin, conf, agentLog)
	const kills = 4
	for i := range kills {
		// Let the agent deliver some lines, then kill it mid-stream.
		before := len(onDisk(t, out))
		flumetest.WaitFor(t, waitLong, "lines to reach the sink", func() bool { return len(onDisk(t, out)) > before+1000 })
		a.kill()
		if i == 1 {
			// Rotate while the agent is down: the writer reopens app.log.
			if err := os.Rename(app, app+".1"); err != nil {
				t.Fatal(err)
			}
		}
		a = startAgent(t, bin, conf, agentLog)
	}
	written := w.finish(t)
	flumetest.WaitFor(t, 2*waitLong, fmt.Sprintf("all %d lines in the sink's files", written), func() bool {
		got := onDisk(t, out)
		for n := 1; n <= written; n++ {
			if got[n] == 0 {
				return false
			}
		}
		return true
	})
	got := onDisk(t, out)
	repeats := 0
	for n, c := range got {
		if n < 1 || n > written {
			t.Fatalf("line %d was never written", n)
		}
		repeats += c - 1
	}
	// At most the source's batch in flight and the sink's per kill.
	if limit := kills * 2 * batch; repeats > limit {
		logData, _ := os.ReadFile(agentLog)
		t.Fatalf("%d lines repeated across %d kills (limit %d)\n%s", repeats, kills, limit, tail(string(logData), 3000))
	}
	t.Logf("%d lines, %d kills, none lost, %d repeated", written, kills, repeats)
	a.kill()
	if data, _ := os.ReadFile(agentLog); strings.Contains(string(data), "panic") {
		t.Fatalf("the agent panicked:\n%s", tail(string(data), 3000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
