package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var binary string

// TestMain builds the flume-ng binary once; the tests run it as users do.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flume-ng-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "flume-ng")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckNamesFileLineAndKey(t *testing.T) {
	bad := write(t, "bad.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 44x
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = logger
a1.sinks.k1.channel = c1
`)
	out, code := run(t, "check", "-n", "a1", "-f", bad)
	if code == 0 {
		t.Fatalf("check exited 0 on a bad port:\n%s", out)
	}
	want := bad + `:6: a1.sources.r1.port: "44x": not a port number`
	if !strings.Contains(out, want) {
		t.Fatalf("output does not contain %q:\n%s", want, out)
	}
}

func TestCheckQuickstart(t *testing.T) {
	out, code := run(t, "check", "-n", "a1", "-f", "../../examples/quickstart/a1.properties")
	if code != 0 || !strings.Contains(out, "0 errors, 0 warnings") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestVersionAndUsage(t *testing.T) {
	out, code := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "Flume 1.11.0\nflumego ") {
		t.Fatalf("version: exit %d\n%s", code, out)
	}
	if out, code := run(t, "frobnicate"); code == 0 || !strings.Contains(out, "unknown command") {
		t.Fatalf("unknown command: exit %d\n%s", code, out)
	}
	if out, code := run(t, "agent", "-n", "a1", "-z", "zk:2181"); code == 0 || !strings.Contains(out, "not supported") {
		t.Fatalf("zookeeper: exit %d\n%s", code, out)
	}
	if out, code := run(t, "agent", "-f", "x"); code == 0 || !strings.Contains(out, "agent name is required") {
		t.Fatalf("missing name: exit %d\n%s", code, out)
	}
}

// TestSigtermDrains runs an agent process, stops it with SIGTERM while it
// moves a stream of numbered lines, and checks that it exits 0 and that the
// output is an unbroken prefix 1..k: what was read was delivered.
func TestSigtermDrains(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, "a1.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.command = seq 1 100000000
a1.sources.r1.batchSize = 100
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 100
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = `+dir+`
a1.sinks.k1.sink.rollInterval = 0
`)
	cmd := exec.Command(binary, "agent", "-n", "a1", "-f", cfg, "-Xmx20m", "-Dflume.root.logger=INFO,console")
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(20 * time.Second)
	for { // wait until the sink has written something
		entries, _ := os.ReadDir(dir)
		if len(entries) == 1 {
			if info, _ := entries[0].Info(); info != nil && info.Size() > 100000 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no output after 20 s:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agent exit: %v\n%s", err, logs.String())
	}
	entries, _ := os.ReadDir(dir)
	f, err := os.Open(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	i := 0
	for sc.Scan() {
		i++
		if sc.Text() != strconv.Itoa(i) {
			t.Fatalf("line %d = %q: a line was lost or reordered", i, sc.Text())
		}
	}
	if i == 0 {
		t.Fatal("no lines delivered")
	}
	if strings.Contains(logs.String(), "events left in channels at shutdown") {
		t.Fatalf("the memory channel was not drained:\n%s", logs.String())
	}
}
