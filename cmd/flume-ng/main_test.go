package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
	"go.uber.org/goleak"
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
	if code == 0 {
		if err := goleak.Find(); err != nil { // a goroutine outlived the tests
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
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
	var logs flumetest.LogBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	flumetest.WaitFor(t, 20*time.Second, "the sink to write 100 kB", func() bool {
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			return false
		}
		info, _ := entries[0].Info()
		return info != nil && info.Size() > 100000
	})
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

func countLines(dir string) int {
	n := 0
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		n += bytes.Count(data, []byte{'\n'})
	}
	return n
}

func waitLines(t *testing.T, dir string, n int, logs *flumetest.LogBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for countLines(dir) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %d lines, want %d\n%s", dir, countLines(dir), n, logs.String())
		}
		time.Sleep(20 * time.Millisecond) // another process writes the files: nothing to wait on
	}
}

// TestReloadOnFileChange edits the configuration of a running agent: a
// valid change is applied (the sink moves to another directory), an invalid
// one is refused and the agent keeps running.
func TestReloadOnFileChange(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	conf := func(dir string, sinkType string, events int) string {
		return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = ` + strconv.Itoa(events) + `
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = ` + sinkType + `
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ` + dir + `
`
	}
	cfg := write(t, "a1.properties", conf(dir1, "file_roll", 100))
	cmd := exec.Command(binary, "agent", "-n", "a1", "-f", cfg, "-i", "1")
	var logs flumetest.LogBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitLines(t, dir1, 100, &logs)
	os.WriteFile(cfg, []byte(conf(dir2, "file_rol", 200)), 0o644) // a typo: refused
	os.WriteFile(cfg+".next", []byte(conf(dir2, "file_roll", 200)), 0o644)
	logs.WaitLine(t, "the running agent is kept unchanged", 30*time.Second) // the invalid configuration is refused
	os.Rename(cfg+".next", cfg)
	waitLines(t, dir2, 200, &logs) // the changed source and sink restarted; the new sink writes to dir2
	if countLines(dir1) != 100 {
		t.Fatalf("dir1 holds %d lines after the reload", countLines(dir1))
	}
}

// TestMonitoringJSON runs an agent with Flume's HTTP monitoring switched on
// and checks /metrics against the counts of a known flow.
func TestMonitoringJSON(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, "a1.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 250
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = `+dir+`
a1.sinks.k1.sink.batchSize = 100
`)
	cmd := exec.Command(binary, "agent", "-n", "a1", "-f", cfg, "--no-reload-conf",
		"-Dflume.monitoring.type=http", "-Dflume.monitoring.port=0", "-Dflume.monitoring.bind=127.0.0.1")
	var logs flumetest.LogBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitLines(t, dir, 250, &logs)
	addr := logValue(t, &logs, "monitoring server listening", "address")
	var metrics map[string]map[string]string
	deadline := time.Now().Add(20 * time.Second)
	for { // the sink commits after writing: wait for its counter to settle
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&metrics)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if metrics["SINK.k1"]["EventDrainSuccessCount"] == "250" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for key, want := range map[string]map[string]string{
		"SOURCE.r1":  {"Type": "SOURCE", "EventAcceptedCount": "250", "AppendBatchAcceptedCount": "25"},
		"CHANNEL.c1": {"Type": "CHANNEL", "ChannelSize": "0", "ChannelCapacity": "1000", "EventPutSuccessCount": "250", "EventTakeSuccessCount": "250", "ChannelFillPercentage": "0.0"},
		"SINK.k1":    {"Type": "SINK", "EventDrainSuccessCount": "250", "ConnectionCreatedCount": "1"},
	} {
		for attr, v := range want {
			if metrics[key][attr] != v {
				t.Errorf("%s.%s = %q, want %q", key, attr, metrics[key][attr], v)
			}
		}
	}
}

// logValue returns the value of key= on the first log line containing
// marker, waiting for it to appear.
func logValue(t *testing.T, logs *flumetest.LogBuffer, marker, key string) string {
	t.Helper()
	v := flumetest.LogValue(logs.WaitLine(t, marker, 20*time.Second), key)
	if v == "" {
		t.Fatalf("no %s= on the %q line:\n%s", key, marker, logs.String())
	}
	return v
}

// TestAvroClientToAgent sends a file with flume-ng avro-client (including
// Flume's script-level options) to an agent's avro source.
func TestAvroClientToAgent(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, "a1.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = avro
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = `+dir+`
`)
	cmd := exec.Command(binary, "agent", "-n", "a1", "-f", cfg, "--no-reload-conf")
	var logs flumetest.LogBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := logValue(t, &logs, "avro source listening", "address")
	host, port, _ := strings.Cut(addr, ":")
	var lines []string
	for i := 1; i <= 1234; i++ {
		lines = append(lines, "line "+strconv.Itoa(i))
	}
	input := write(t, "input.txt", strings.Join(lines, "\n")+"\n")
	out, code := run(t, "avro-client", "-c", "conf", "-Dflume.root.logger=WARN,console", "-H", host, "-p", port, "-F", input)
	if code != 0 {
		t.Fatalf("avro-client exit %d:\n%s", code, out)
	}
	waitLines(t, dir, 1234, &logs)
}

// TestFileChannelSurvivesKillAndGarbageCheckpoint is the file channel's
// acceptance test: an agent (avro source → file channel with dual
// checkpoints → avro sink) acknowledges 50,000 events while its downstream
// is down, is killed with SIGKILL, gets its primary checkpoint overwritten
// with garbage, and is restarted with the downstream up: every event must
// arrive.
func TestFileChannelSurvivesKillAndGarbageCheckpoint(t *testing.T) {
	work := t.TempDir()
	downstream := flumetest.FreeAddr(t).Port
	sender := write(t, "sender.properties", fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = avro
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = %[1]s/checkpoint
a1.channels.c1.useDualCheckpoints = true
a1.channels.c1.backupCheckpointDir = %[1]s/backup
a1.channels.c1.dataDirs = %[1]s/data1,%[1]s/data2
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = avro
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = %[2]d
a1.sinks.k1.batch-size = 1000
a1.sinks.k1.channel = c1
`, work, downstream))
	receiver := write(t, "receiver.properties", fmt.Sprintf(`b1.sources = r1
b1.channels = c1
b1.sinks = k1
b1.sources.r1.type = avro
b1.sources.r1.bind = 127.0.0.1
b1.sources.r1.port = %[2]d
b1.sources.r1.channels = c1
b1.channels.c1.type = memory
b1.channels.c1.capacity = 100000
b1.channels.c1.transactionCapacity = 1000
b1.sinks.k1.type = file_roll
b1.sinks.k1.sink.directory = %[1]s/out
b1.sinks.k1.sink.rollInterval = 0
b1.sinks.k1.sink.batchSize = 1000
b1.sinks.k1.channel = c1
`, work, downstream))
	start := func(name, cfg string) (*exec.Cmd, *flumetest.LogBuffer) {
		cmd := exec.Command(binary, "agent", "-n", name, "-f", cfg, "--no-reload-conf")
		logs := &flumetest.LogBuffer{}
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd, logs
	}

	a, logs := start("a1", sender)
	addr := logValue(t, logs, "avro source listening", "address")
	const n = 50000
	var lines []string
	for i := 0; i < n; i++ {
		lines = append(lines, "event-"+strconv.Itoa(i))
	}
	input := write(t, "input.txt", strings.Join(lines, "\n")+"\n")
	host, port, _ := strings.Cut(addr, ":")
	if out, code := run(t, "avro-client", "-H", host, "-p", port, "-F", input, "-b", "1000"); code != 0 {
		t.Fatalf("avro-client: exit %d\n%s", code, out) // every batch acknowledged, or a failure here
	}
	_ = a.Process.Signal(syscall.SIGKILL)
	_ = a.Wait()
	entries, err := os.ReadDir(filepath.Join(work, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(i*131 + 7)
	}
	overwritten := 0
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != "in_use.lock" {
			if err := os.WriteFile(filepath.Join(work, "checkpoint", e.Name()), garbage, 0o644); err != nil {
				t.Fatal(err)
			}
			overwritten++
		}
	}
	if overwritten == 0 {
		t.Fatal("no checkpoint file to overwrite")
	}

	_, blogs := start("b1", receiver)
	logValue(t, blogs, "avro source listening", "address")
	_, alogs := start("a1", sender)
	out := filepath.Join(work, "out")
	waitLines(t, out, n, alogs)
	seen := map[string]bool{}
	entries, _ = os.ReadDir(out)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(out, e.Name()))
		for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			seen[l] = true
		}
	}
	for i := 0; i < n; i++ {
		if !seen["event-"+strconv.Itoa(i)] {
			t.Fatalf("event-%d was acknowledged but never arrived\n%s", i, alogs.String())
		}
	}
	if !strings.Contains(alogs.String(), "recovering from the backup checkpoint") || !strings.Contains(alogs.String(), "file channel recovered") {
		t.Fatalf("no recovery report in the log:\n%s", alogs.String())
	}
}

// TestBenchRuns runs small versions of the benchmark scenarios, so that
// `make bench` keeps working.
func TestBenchRuns(t *testing.T) {
	out, code := run(t, "bench", "-events", "20000", "-size", "100", "-batch", "100", "-runs", "1", "-dir", t.TempDir(),
		"exec-fileroll", "exec-null", "avro-null-1conn", "thrift-null", "avro-file-null-1conn", "exec-avro-fileroll", "seq-routed-null",
		"taildir-fileroll", "taildir-fileroll-100files", "exec-hdfs-sequencefile", "http-null-8conn", "syslogtcp-null",
		"kafka-source-null", "exec-kafkachannel-null")
	if code != 0 || strings.Count(out, "median") != 14 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// TestCheckFindsEnvironmentProblems is finding 8 of issue 19: a dataDirs
// that is a regular file, a checkpoint directory on a read-only file system
// and bind = 999.1.1.1 all passed check silently (the agent then failed to
// start them and retried). check now reports them as environment errors
// located at their keys (the exit status stays the configuration's
// verdict, which does not depend on the machine); the agent reports the
// same at start, with the configuration's warnings about ${} references
// (finding 5).
func TestCheckFindsEnvironmentProblems(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "ro")
	if err := os.Mkdir(readOnly, 0o755); err != nil {
		t.Fatal(err)
	}
	wantRO := "is on a read-only file system"
	if os.Geteuid() == 0 {
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", readOnly).CombinedOutput(); err != nil {
			t.Skipf("cannot mount a read-only tmpfs: %v: %s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("umount", readOnly).Run() })
	} else {
		if err := os.Chmod(readOnly, 0o555); err != nil { // as close as a user gets
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(readOnly, 0o755) })
		wantRO = "is not writable by this process"
	}
	cfg := write(t, "env.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 999.1.1.1
a1.sources.r1.port = 44444
a1.sources.r1.channels = c1
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = `+filepath.Join(readOnly, "checkpoint")+`
a1.channels.c1.dataDirs = `+file+`
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = `+dir+`/${loop}
loop = ${loop2}
loop2 = ${loop}
`)
	out, code := run(t, "check", "-n", "a1", "-f", cfg)
	if code != 1 {
		t.Fatalf("check exited %d on a configuration this machine cannot run; want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"environment error: " + cfg + `:5: a1.sources.r1.bind: "999.1.1.1": not a valid IPv4 address`,
		"environment error: " + cfg + `:10: a1.channels.c1.dataDirs: "` + file + `": is a regular file, not a directory`,
		"environment error: " + cfg + `:9: a1.channels.c1.checkpointDir: "` + filepath.Join(readOnly, "checkpoint") + `": does not exist and cannot be created: ` + readOnly + " " + wantRO,
		"warning: " + cfg + `:13: a1.sinks.k1.sink.directory: "` + dir + `/${loop}": ${loop} is left as written, as Flume does: circular reference loop → loop2 → loop`,
		"0 errors, 3 warnings; environment of this machine: 3 errors, 0 warnings",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	out, _ = run(t, "check", "-n", "a1", "-f", cfg, "--format", "json")
	var rep struct {
		OK            bool
		EnvironmentOK bool
		Environment   []struct{ Severity, Key, Message string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || !rep.OK || rep.EnvironmentOK || len(rep.Environment) != 3 || rep.Environment[0].Severity != "error" {
		t.Fatalf("JSON report (%v): %s", err, out)
	}
	if out, code := run(t, "check", "-n", "a1", "-f", cfg, "--no-environment"); strings.Contains(out, "environment error") || code != 0 {
		t.Fatalf("--no-environment still checked the machine (exit %d):\n%s", code, out)
	}
	// The agent reports the same at start (here a dry run: it stops there).
	out, code = run(t, "agent", "-n", "a1", "-f", cfg, "--dryrun")
	if code != 0 {
		t.Fatalf("dry run exited %d:\n%s", code, out)
	}
	for _, want := range []string{`environment: ` + cfg + `:5: a1.sources.r1.bind`, `environment: ` + cfg + `:10: a1.channels.c1.dataDirs`,
		`configuration: ` + cfg + `:13: a1.sinks.k1.sink.directory`} {
		if !strings.Contains(out, want) {
			t.Errorf("agent log lacks %q:\n%s", want, out)
		}
	}
}
