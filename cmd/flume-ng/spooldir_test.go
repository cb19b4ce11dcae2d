package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// spoolAgent is a flume-ng agent process reading a spooling directory.
type spoolAgent struct {
	cmd  *exec.Cmd
	logs *flumetest.LogBuffer
	done chan struct{}
	err  error
}

func startSpoolAgent(t *testing.T, cfg string, cred *syscall.Credential) *spoolAgent {
	t.Helper()
	return startAgentBinary(t, binary, cfg, cred)
}

func startAgentBinary(t *testing.T, bin, cfg string, cred *syscall.Credential) *spoolAgent {
	t.Helper()
	cmd := exec.Command(bin, "agent", "-n", "a1", "-f", cfg, "--no-reload-conf", "-Dflume.root.logger=INFO,console")
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	a := &spoolAgent{cmd: cmd, logs: &flumetest.LogBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = a.logs, a.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { a.err = cmd.Wait(); close(a.done) }()
	t.Cleanup(func() { a.kill() })
	return a
}

func (a *spoolAgent) kill() {
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
}

// stop sends SIGTERM and waits for a clean exit.
func (a *spoolAgent) stop(t *testing.T) {
	t.Helper()
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the agent did not stop\n%s", a.logs.String())
	}
	if a.err != nil {
		t.Fatalf("agent exit: %v\n%s", a.err, a.logs.String())
	}
}

// dropFile writes a spooled file as a well-behaved producer does: under a
// hidden name, then renamed into place.
func dropFile(t testing.TB, dir, name, content string) {
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Error(err)
		return
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Error(err)
	}
}

// numbered returns file f's lines: "f<f>-l<l>".
func numbered(f, lines int) string {
	var b strings.Builder
	for l := 0; l < lines; l++ {
		fmt.Fprintf(&b, "f%04d-l%03d\n", f, l)
	}
	return b.String()
}

// outputCounts counts the complete lines of every file in dir.
func outputCounts(dir string) map[string]int {
	counts := map[string]int{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
			data = data[:i+1]
		} else {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			counts[sc.Text()]++
		}
	}
	return counts
}

// missing returns the lines of files [from, to) not in counts.
func missing(counts map[string]int, from, to, lines int) []string {
	var out []string
	for f := from; f < to; f++ {
		for l := 0; l < lines; l++ {
			if k := fmt.Sprintf("f%04d-l%03d", f, l); counts[k] == 0 {
				out = append(out, k)
			}
		}
	}
	return out
}

// completed counts the files of dir renamed with .COMPLETED and the other
// (not hidden) files.
func completed(t *testing.T, dir string) (done, left int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case strings.HasSuffix(e.Name(), ".COMPLETED"):
			done++
		default:
			left++
		}
	}
	return done, left
}

// spoolSetup makes <work>/spool and <work>/out and writes the agent's
// configuration in work: spooldir over spool, with the extra source
// properties, → a file channel (durable, for the tests that kill the
// agent) or a memory channel → file_roll into out.
func spoolSetup(t *testing.T, work, source string, durable bool) (cfg, spool, out string) {
	t.Helper()
	spool, out = filepath.Join(work, "spool"), filepath.Join(work, "out")
	for _, d := range []string{spool, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	channel := "a1.channels.c1.type = memory\n"
	if durable {
		channel = fmt.Sprintf(`a1.channels.c1.type = file
a1.channels.c1.checkpointDir = %[1]s/checkpoint
a1.channels.c1.dataDirs = %[1]s/data
a1.channels.c1.minimumRequiredSpace = 1048576
a1.channels.c1.transactionCapacity = 1000
`, work)
	}
	cfg = filepath.Join(work, "a1.properties")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = spooldir
a1.sources.r1.spoolDir = %[1]s
a1.sources.r1.channels = c1
%[2]s%[3]sa1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = %[4]s
a1.sinks.k1.sink.rollInterval = 0
`, spool, source, channel, out)), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, spool, out
}

// TestSpooldirThousandFilesAcrossKills is the acceptance test of the
// spooling directory source: 1,000 files of numbered lines are dropped
// while agents run (spooldir → file channel → file_roll). While one agent
// stays up, every line arrives exactly once; then files keep coming while
// agents are killed with SIGKILL three times, some dropped while no agent
// runs: every line arrives at least once and every file ends as
// .COMPLETED.
func TestSpooldirThousandFilesAcrossKills(t *testing.T) {
	cfg, spool, out := spoolSetup(t, t.TempDir(), `a1.sources.r1.batchSize = 10
a1.sources.r1.pollDelay = 100
`, true)
	const files, lines, firstPhase = 1000, 50, 300

	// Phase 1: one agent, 300 files: exactly once.
	a := startSpoolAgent(t, cfg, nil)
	for f := 0; f < firstPhase; f++ {
		dropFile(t, spool, fmt.Sprintf("f%04d.log", f), numbered(f, lines))
	}
	flumetest.WaitFor(t, 60*time.Second, "300 files done and their lines out", func() bool {
		done, _ := completed(t, spool)
		return done == firstPhase && len(missing(outputCounts(out), 0, firstPhase, lines)) == 0
	})
	counts := outputCounts(out)
	for k, n := range counts {
		if n != 1 {
			t.Fatalf("%s arrived %d times while the agent stayed up\n%s", k, n, a.logs.String())
		}
	}
	if len(counts) != firstPhase*lines {
		t.Fatalf("%d lines out, want %d", len(counts), firstPhase*lines)
	}

	// Phase 2: 700 more files while agents are killed and restarted.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for f := firstPhase; f < files; f++ {
			dropFile(t, spool, fmt.Sprintf("f%04d.log", f), numbered(f, lines))
			time.Sleep(time.Duration(1+f%4) * time.Millisecond)
		}
	}()
	rng := rand.New(rand.NewPCG(3, 5))
	agents := []*spoolAgent{a}
	for kill := 0; kill < 3; kill++ {
		time.Sleep(time.Duration(150+rng.IntN(300)) * time.Millisecond)
		a.kill() // SIGKILL: no goodbye
		time.Sleep(time.Duration(50+rng.IntN(150)) * time.Millisecond)
		a = startSpoolAgent(t, cfg, nil)
		agents = append(agents, a)
	}
	wg.Wait()
	flumetest.WaitFor(t, 120*time.Second, "every file done and every line out", func() bool {
		done, left := completed(t, spool)
		return done == files && left == 0 && len(missing(outputCounts(out), 0, files, lines)) == 0
	})
	a.stop(t)
	counts = outputCounts(out)
	if m := missing(counts, 0, files, lines); len(m) > 0 {
		t.Fatalf("%d lines lost, e.g. %v", len(m), m[:min(len(m), 10)])
	}
	dups, resumed := 0, 0
	for _, n := range counts {
		dups += n - 1
	}
	for _, ag := range agents {
		resumed += strings.Count(ag.logs.String(), "resuming a file where the last run stopped")
	}
	t.Logf("%d lines of %d files; %d repeated across the 3 kills (%d restarts resumed a half-read file)", files*lines, files, dups, resumed)
	if len(counts) != files*lines {
		t.Fatalf("%d distinct lines out, want %d", len(counts), files*lines)
	}
}

// TestSpooldirDeleteImmediatelyAcrossKill drops files with deletePolicy
// immediate around a kill: every file is deleted, every line arrives.
func TestSpooldirDeleteImmediatelyAcrossKill(t *testing.T) {
	cfg, spool, out := spoolSetup(t, t.TempDir(), `a1.sources.r1.deletePolicy = immediate
a1.sources.r1.pollDelay = 50
`, true)
	const files, lines = 100, 200
	a := startSpoolAgent(t, cfg, nil)
	for f := 0; f < files; f++ {
		dropFile(t, spool, fmt.Sprintf("f%04d.log", f), numbered(f, lines))
		if f == files/2 {
			a.kill()
		}
	}
	a = startSpoolAgent(t, cfg, nil)
	flumetest.WaitFor(t, 60*time.Second, "every file deleted and every line out", func() bool {
		done, left := completed(t, spool)
		return done == 0 && left == 0 && len(missing(outputCounts(out), 0, files, lines)) == 0
	})
	a.stop(t)
}

// TestSpooldirFileModifiedAfterPickUp freezes the agent (SIGSTOP) while it
// reads a large file, appends to the file, and lets it go on: the change
// is reported, and every line, the appended ones too, arrives exactly
// once before the file is marked done.
func TestSpooldirFileModifiedAfterPickUp(t *testing.T) {
	cfg, spool, out := spoolSetup(t, t.TempDir(), "a1.sources.r1.pollDelay = 50\n", false)
	const lines, more = 400000, 1000
	var b strings.Builder
	for l := 0; l < lines; l++ {
		fmt.Fprintf(&b, "big-%07d\n", l)
	}
	path := filepath.Join(spool, "big.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path, old, old)
	a := startSpoolAgent(t, cfg, nil)
	meta := filepath.Join(spool, ".flumespool", ".flumespool-main.meta")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(meta); err == nil {
			break // the file is picked up
		}
		if time.Now().After(deadline) {
			t.Fatalf("the file was not picked up\n%s", a.logs.String())
		}
	}
	if err := a.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		a.cmd.Process.Signal(syscall.SIGCONT)
		t.Skipf("the agent read the whole file before it could be stopped (%v): the machine is too fast for this test", err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for l := lines; l < lines+more; l++ {
		fmt.Fprintf(f, "big-%07d\n", l)
	}
	f.Close()
	if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	line := a.logs.WaitLine(t, "file changed after it was picked up", 60*time.Second)
	if !strings.Contains(line, "big.log") || !strings.Contains(line, "grew from") {
		t.Fatalf("report: %s", line)
	}
	flumetest.WaitFor(t, 60*time.Second, "big.log done", func() bool {
		_, err := os.Stat(path + ".COMPLETED")
		return err == nil
	})
	flumetest.WaitFor(t, 60*time.Second, "every line out", func() bool { return len(outputCounts(out)) >= lines+more })
	a.stop(t)
	counts := outputCounts(out)
	for l := 0; l < lines+more; l++ {
		if n := counts[fmt.Sprintf("big-%07d", l)]; n != 1 {
			t.Fatalf("big-%07d arrived %d times", l, n)
		}
	}
}

// TestSpooldirPermissions runs the agent as an unprivileged user (root
// reads everything) over a spooling directory it may not write in, then
// may, with a file it cannot read and a subdirectory it cannot list: each
// is reported by name, the rest is read, the agent keeps running, and once
// the permissions are fixed they are read too.
func TestSpooldirPermissions(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the agent as another user and change what it may read")
	}
	const nobody = 65534
	work, err := os.MkdirTemp("", "spooldir-perm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	bin := filepath.Join(work, "flume-ng")
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, spool, out := spoolSetup(t, work, `a1.sources.r1.recursiveDirectorySearch = true
a1.sources.r1.pollDelay = 50
`, false)
	if err := os.Mkdir(filepath.Join(spool, "locked"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for name, content := range map[string]string{"ok.log": "ok line\n", "secret.log": "secret line\n", "locked/inner.log": "inner line\n"} {
		p := filepath.Join(spool, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	for _, d := range []string{work, out} { // spool stays root's: the agent may list it, not write in it
		if err := os.Chown(d, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"ok.log", "secret.log", "locked/inner.log"} {
		os.Chown(filepath.Join(spool, p), nobody, nobody)
	}
	os.Chown(filepath.Join(spool, "locked"), 0, 0)
	os.Chown(filepath.Join(spool, "secret.log"), 0, 0)
	if err := os.Chmod(filepath.Join(spool, "secret.log"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(spool, "locked"), 0o700); err != nil {
		t.Fatal(err)
	}
	a := startAgentBinary(t, bin, cfg, &syscall.Credential{Uid: nobody, Gid: nobody}) // the copy the user may run
	logs := a.logs

	line := logs.WaitLine(t, "spooling directory cannot be used", 30*time.Second)
	if !strings.Contains(line, spool) || !strings.Contains(line, "permission denied") {
		t.Fatalf("report: %s", line)
	}
	if err := os.Chown(spool, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	logs.WaitLine(t, "spooling directory usable again", 30*time.Second)
	line = logs.WaitLine(t, "cannot open the file", 30*time.Second)
	if !strings.Contains(line, "secret.log") || !strings.Contains(line, "permission denied") {
		t.Fatalf("report: %s", line)
	}
	line = logs.WaitLine(t, "cannot list a subdirectory", 30*time.Second)
	if !strings.Contains(line, "locked") {
		t.Fatalf("report: %s", line)
	}
	flumetest.WaitFor(t, 30*time.Second, "ok.log done", func() bool {
		_, err := os.Stat(filepath.Join(spool, "ok.log.COMPLETED"))
		return err == nil && outputCounts(out)["ok line"] == 1
	})
	if _, err := os.Stat(filepath.Join(spool, "secret.log")); err != nil {
		t.Fatalf("secret.log was marked done: %v", err)
	}
	// Fixed: both are read.
	os.Chown(filepath.Join(spool, "secret.log"), nobody, nobody)
	os.Chown(filepath.Join(spool, "locked"), nobody, nobody)
	flumetest.WaitFor(t, 30*time.Second, "secret.log and locked/inner.log done", func() bool {
		_, err1 := os.Stat(filepath.Join(spool, "secret.log.COMPLETED"))
		_, err2 := os.Stat(filepath.Join(spool, "locked", "inner.log.COMPLETED"))
		c := outputCounts(out)
		return err1 == nil && err2 == nil && c["secret line"] == 1 && c["inner line"] == 1
	})
	select {
	case <-a.done:
		t.Fatalf("the agent exited: %v\n%s", a.err, logs.String())
	default:
	}
	a.stop(t)
}

// TestSpooldirBenchRuns runs small versions of the spooling directory
// benchmark scenarios, so that `make bench` keeps working.
func TestSpooldirBenchRuns(t *testing.T) {
	out, code := run(t, "bench", "-events", "20000", "-size", "100", "-batch", "100", "-runs", "1", "-dir", t.TempDir(),
		"spooldir-fileroll", "spooldir-fileroll-100")
	if code != 0 || strings.Count(out, "median") != 2 || !strings.Contains(out, "100 file(s)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
