package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// hdfsOutput returns the lines of the HDFS sink's files under dir, and
// the files still in use.
func hdfsOutput(t *testing.T, dir string) (lines []string, inUse []string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if strings.HasSuffix(p, ".tmp") {
			inUse = append(inUse, p)
		}
		data, _ := os.ReadFile(p)
		if s := strings.TrimSuffix(string(data), "\n"); s != "" {
			lines = append(lines, strings.Split(s, "\n")...)
		}
		return nil
	})
	return lines, inUse
}

// TestHDFSSinkSurvivesKill is the HDFS sink's crash test: an agent (avro
// source → file channel → HDFS sink on the local file system, files
// rolled only at stop) is killed with SIGKILL while its sink has a file in
// use, and restarted: the file the crash left in use is renamed to its
// final name by the new run, which writes what the channel still held to
// new files; once it is stopped, every event acknowledged to the client is
// in a final file, at most one batch twice, and no file is left in use.
func TestHDFSSinkSurvivesKill(t *testing.T) {
	work := t.TempDir()
	out := filepath.Join(work, "out")
	cfg := write(t, "a1.properties", fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = avro
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = %[1]s/checkpoint
a1.channels.c1.dataDirs = %[1]s/data
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.hdfs.path = %[2]s/%%Y%%m%%d
a1.sinks.k1.hdfs.useLocalTimeStamp = true
a1.sinks.k1.hdfs.filePrefix = events-%%{host}
a1.sinks.k1.hdfs.fileType = DataStream
a1.sinks.k1.hdfs.rollInterval = 0
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollCount = 0
a1.sinks.k1.hdfs.batchSize = 100
a1.sinks.k1.hdfs.recoveryDir = %[1]s/recovery
`, work, out))
	start := func() (*exec.Cmd, *flumetest.LogBuffer) {
		cmd := exec.Command(binary, "agent", "-n", "a1", "-f", cfg, "--no-reload-conf", "-Dflume.root.logger=INFO,console")
		logs := &flumetest.LogBuffer{}
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd, logs
	}

	a, logs := start()
	addr := logValue(t, logs, "avro source listening", "address")
	const n = 20000
	var input []string
	for i := range n {
		input = append(input, "event-"+strconv.Itoa(i))
	}
	file := write(t, "input.txt", strings.Join(input, "\n")+"\n")
	host, port, _ := strings.Cut(addr, ":")
	if out, code := run(t, "avro-client", "-H", host, "-p", port, "-F", file, "-b", "100"); code != 0 {
		t.Fatalf("avro-client: exit %d\n%s", code, out) // every batch is acknowledged, or this fails
	}
	flumetest.WaitFor(t, 20*time.Second, "the sink to write to its file", func() bool {
		lines, inUse := hdfsOutput(t, out)
		return len(lines) > 0 && len(inUse) == 1
	})
	_ = a.Process.Signal(syscall.SIGKILL)
	_ = a.Wait()
	_, crashed := hdfsOutput(t, out)
	if len(crashed) != 1 {
		t.Fatalf("files in use at the kill: %v", crashed)
	}

	b, logs := start()
	flumetest.WaitFor(t, 20*time.Second, "the crashed file renamed", func() bool {
		_, err := os.Stat(strings.TrimSuffix(crashed[0], ".tmp"))
		return err == nil
	})
	if !strings.Contains(logs.String(), "closing and renaming the files a previous run left in use") {
		t.Fatalf("no recovery in the log:\n%s", logs.String())
	}
	flumetest.WaitFor(t, 30*time.Second, "every event written", func() bool {
		lines, _ := hdfsOutput(t, out)
		return len(lines) >= n
	})
	if err := b.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(); err != nil {
		t.Fatalf("agent exit: %v\n%s", err, logs.String())
	}
	lines, inUse := hdfsOutput(t, out)
	if len(inUse) != 0 {
		t.Fatalf("files left in use after a clean stop: %v (crashed: %v)\n%s", inUse, crashed, logs.String())
	}
	seen := map[string]int{}
	odd := 0
	for _, l := range lines {
		if _, err := strconv.Atoi(strings.TrimPrefix(l, "event-")); err != nil || !strings.HasPrefix(l, "event-") {
			odd++ // the kill may cut the last line of the crashed file
			continue
		}
		seen[l]++
	}
	dups := 0
	for i := range n {
		c := seen["event-"+strconv.Itoa(i)]
		if c == 0 {
			t.Fatalf("event-%d was acknowledged but is in no file\n%s", i, logs.String())
		}
		dups += c - 1
	}
	if dups > 100 || odd > 1 {
		t.Fatalf("%d events twice (more than one batch of 100), %d cut lines", dups, odd)
	}
	t.Logf("%d events in %d lines: %d written twice, %d cut by the kill", n, len(lines), dups, odd)
}
