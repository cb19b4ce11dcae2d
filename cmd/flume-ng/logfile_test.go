package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

var loggedSeq = regexp.MustCompile(`msg="Event: \{ headers:\{\} body: [0-9A-F ]+ (\d+) \}"`)

// loggedSeqs returns the seq bodies the logger sink logged in the given
// files, in order.
func loggedSeqs(t *testing.T, files ...string) []int {
	t.Helper()
	var out []int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range loggedSeq.FindAllStringSubmatch(string(data), -1) {
			n, _ := strconv.Atoi(m[1])
			out = append(out, n)
		}
	}
	return out
}

// TestLogFileRotation runs an agent with -Dflume.root.logger=INFO,LOGFILE
// and a small flumego.log.maxFileSize: the log rolls into
// <dir>/archive/<file>.<yyyyMMdd>-<i> as Flume's log4j2.xml does, at most
// flumego.log.maxBackupIndex old files are kept, the kept files hold every
// line of their span (no line lost at a rotation), and SIGHUP reopens the
// file after an external logrotate moved it, without stopping the agent.
func TestLogFileRotation(t *testing.T) {
	const events, keep = 3000, 3
	dir := t.TempDir()
	cfg := write(t, "a1.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = `+strconv.Itoa(events)+`
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.sinks.k1.type = logger
a1.sinks.k1.channel = c1
`)
	cmd := exec.Command(binary, "agent", "-n", "a1", "-f", cfg, "--no-reload-conf",
		"-Dflume.root.logger=INFO,LOGFILE", "-Dflume.log.dir="+dir, "-Dflume.log.file=a1.log",
		"-Dflumego.log.maxFileSize=8KB", "-Dflumego.log.maxBackupIndex="+strconv.Itoa(keep))
	var stderr flumetest.LogBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	live := filepath.Join(dir, "a1.log")
	flumetest.WaitFor(t, 30*time.Second, "the last event in the log", func() bool {
		data, _ := os.ReadFile(live)
		return strings.Contains(string(data), " "+strconv.Itoa(events-1)+` }"`)
	})

	archived, _ := filepath.Glob(filepath.Join(dir, "archive", "a1.log.*"))
	if len(archived) != keep {
		t.Fatalf("archive holds %v, want %d files", archived, keep)
	}
	slices.SortFunc(archived, func(a, b string) int {
		da, ia := archiveName(t, a)
		db, ib := archiveName(t, b)
		if c := strings.Compare(da, db); c != 0 {
			return c
		}
		return ia - ib
	})
	got := loggedSeqs(t, append(archived, live)...)
	if len(got) < 2*keep || got[len(got)-1] != events-1 {
		t.Fatalf("kept %d events, the last %v", len(got), got[len(got)-1:])
	}
	if got[0] == 0 {
		t.Fatalf("the first event is still kept: older files were not deleted (%v)", archived)
	}
	for i := 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("event %d follows %d in the kept files: a line was lost or repeated at a rotation", got[i], got[i-1])
		}
	}

	// logrotate's way: move the file, then SIGHUP; the agent reopens its
	// path and keeps running.
	if err := os.Rename(live, live+".1"); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 10*time.Second, "SIGHUP to reopen "+live, func() bool {
		_, err := os.Stat(live)
		return err == nil
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agent exit after SIGHUP and SIGTERM: %v\n%s", err, stderr.String())
	}
	data, _ := os.ReadFile(live)
	if !strings.Contains(string(data), `msg="agent stopped"`) {
		t.Errorf("the reopened log lacks the agent's last lines:\n%s", data)
	}
	if stderr.String() != "" {
		t.Errorf("stderr: %s", stderr.String())
	}
}

var archiveNameRE = regexp.MustCompile(`^a1\.log\.(\d{8})-(\d+)$`)

// archiveName splits an archived file's name, a1.log.<yyyyMMdd>-<i>.
func archiveName(t *testing.T, path string) (string, int) {
	t.Helper()
	m := archiveNameRE.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		t.Fatalf("archived file %s is not named a1.log.<yyyyMMdd>-<i>", path)
	}
	n, _ := strconv.Atoi(m[2])
	return m[1], n
}

// TestConsoleSIGHUPStopsGracefully: logging to the console, a SIGHUP stops
// the agent as the JVM's shutdown hook stops Flume: a graceful stop that
// logs "agent stopped" and exits 0 (Go's default would end the process at
// once, losing what a memory channel holds).
func TestConsoleSIGHUPStopsGracefully(t *testing.T) {
	cfg := write(t, "a1.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`)
	cmd := exec.Command(binary, "agent", "-n", "a1", "-f", cfg, "--no-reload-conf")
	var stderr flumetest.LogBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	stderr.WaitLine(t, "agent started", 10*time.Second)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agent after SIGHUP: %v (want exit 0 after a graceful stop)\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "agent stopped") {
		t.Fatalf("no graceful stop logged:\n%s", stderr.String())
	}
}
