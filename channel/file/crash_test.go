package file

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
)

// The crash test runs a child process (this test binary, re-executed with
// crashChildEnv set) that puts, takes, commits and rolls back on a file
// channel and reports on stdout what it is about to commit and what was
// acknowledged. The parent SIGKILLs it, at a random moment or at an
// injected point (the child kills itself from a test hook), reopens the
// channel and checks the queue against what the child reported: every
// acknowledged put is present exactly once unless an acknowledged take
// removed it, no put whose commit never started appears, no acknowledged
// take comes back, and each producer's events are in order.

const (
	crashChildEnv = "FLUMEGO_FILECHANNEL_CRASH_CHILD" // base directory
	crashSeqEnv   = "FLUMEGO_FILECHANNEL_CRASH_SEQ"   // first sequence number
	crashKillEnv  = "FLUMEGO_FILECHANNEL_CRASH_KILL"  // hook:n, kill at the n-th call of a hook
	crashSeedEnv  = "FLUMEGO_FILECHANNEL_CRASH_SEED"  // seed of the parent test
	crashProducer = 1_000_000                         // sequence numbers per producer per round
)

func crashConfig(dir string) Config {
	return Config{
		CheckpointDir:        filepath.Join(dir, "checkpoint"),
		UseDualCheckpoints:   true,
		BackupCheckpointDir:  filepath.Join(dir, "backup"),
		DataDirs:             []string{filepath.Join(dir, "data1"), filepath.Join(dir, "data2")},
		Capacity:             3000,
		TransactionCapacity:  3000,
		CheckpointInterval:   15 * time.Millisecond,
		MaxFileSize:          48 << 10,
		MinimumRequiredSpace: 0,
		KeepAlive:            5 * time.Millisecond,
		CheckpointOnClose:    true,
		FsyncPerTransaction:  true,
		FsyncInterval:        time.Second,
	}
}

// TestCrashChild is the child process of TestCrashRecovery; it does nothing
// in a normal test run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("child process of TestCrashRecovery")
	}
	base, _ := strconv.Atoi(os.Getenv(crashSeqEnv))
	if kill := os.Getenv(crashKillEnv); kill != "" {
		name, n, _ := strings.Cut(kill, ":")
		left, _ := strconv.Atoi(n)
		var mu sync.Mutex
		hook := func() {
			mu.Lock()
			defer mu.Unlock()
			if left--; left == 0 {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
		switch name {
		case "append":
			hookAfterAppend = hook
		case "checkpoint":
			hookCheckpointWrite = hook
		case "backup":
			hookBackupCopy = hook
		}
	}
	c, err := New(flume.Settings{Name: "crash"}, crashConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var outMu sync.Mutex
	report := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(os.Stdout, "@@"+format+"\n", args...)
	}
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second) // the parent kills us long before
	var wg sync.WaitGroup
	for p := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(base), uint64(p)))
			seq := base + p*crashProducer
			for time.Now().Before(deadline) {
				n := 1 + rng.IntN(20)
				tx, err := c.Begin()
				if err != nil {
					t.Error(err)
					return
				}
				if err := tx.Put(ctx, channeltest.Events(seq, seq+n)...); err != nil {
					_ = tx.Rollback() // full: try again later
					seq += n
					continue
				}
				if rng.IntN(8) == 0 {
					_ = tx.Rollback()
					seq += n
					continue
				}
				report("B %d %d", seq, seq+n)
				if err := tx.Commit(ctx); err == nil {
					report("C %d %d", seq, seq+n)
				} else {
					_ = tx.Rollback()
				}
				seq += n
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(uint64(base), 7))
		for time.Now().Before(deadline) {
			tx, err := c.Begin()
			if err != nil {
				t.Error(err)
				return
			}
			evs, err := tx.Take(ctx, 1+rng.IntN(60))
			if err != nil || len(evs) == 0 || rng.IntN(5) == 0 {
				_ = tx.Rollback()
				continue
			}
			s := make([]string, len(evs))
			for i, e := range evs {
				s[i] = strconv.Itoa(channeltest.Seq(e))
			}
			report("t %s", strings.Join(s, ","))
			if err := tx.Commit(ctx); err == nil {
				report("T")
			} else {
				_ = tx.Rollback()
			}
		}
	}()
	wg.Wait()
	t.Error("child was not killed")
}

// crashModel is what the parent knows about the channel's content.
type crashModel struct {
	queue []int // content at the last verification, in order

	mu       sync.Mutex
	put      map[int]bool // true: acknowledged; false: commit started (in doubt)
	taken    map[int]bool // true: acknowledged; false: commit started (in doubt)
	lastTake []int
}

func (m *crashModel) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "@@")
		if !ok {
			continue
		}
		f := strings.Fields(line)
		m.mu.Lock()
		switch f[0] {
		case "B", "C":
			from, _ := strconv.Atoi(f[1])
			to, _ := strconv.Atoi(f[2])
			for s := from; s < to; s++ {
				m.put[s] = f[0] == "C"
			}
		case "t":
			m.lastTake = m.lastTake[:0]
			for _, s := range strings.Split(f[1], ",") {
				n, _ := strconv.Atoi(s)
				m.lastTake = append(m.lastTake, n)
				m.taken[n] = false
			}
		case "T":
			for _, s := range m.lastTake {
				m.taken[s] = true
			}
			m.lastTake = m.lastTake[:0]
		}
		m.mu.Unlock()
	}
}

// check compares the recovered queue with the model and adopts it.
func (m *crashModel) check(t *testing.T, got []int) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	known := make(map[int]bool, len(m.queue))
	for _, s := range m.queue {
		known[s] = true
	}
	seen := make(map[int]bool, len(got))
	last := map[int]int{}
	for _, s := range got {
		if seen[s] {
			t.Fatalf("event %d is in the channel twice", s)
		}
		seen[s] = true
		if ack, ok := m.taken[s]; ok && ack {
			t.Fatalf("event %d came back after its take was committed", s)
		}
		if _, ok := m.put[s]; !ok && !known[s] {
			t.Fatalf("event %d is in the channel but its put never committed", s)
		}
		p := s / crashProducer % 2
		if prev, ok := last[p]; ok && prev > s {
			t.Fatalf("producer %d's events out of order: %d before %d", p, prev, s)
		}
		last[p] = s
	}
	must := func(s int) {
		if _, takenAtAll := m.taken[s]; !takenAtAll && !seen[s] {
			t.Fatalf("event %d was committed but is missing", s)
		}
	}
	for _, s := range m.queue {
		must(s)
	}
	for s, ack := range m.put {
		if ack {
			must(s)
		}
	}
	m.queue = got
	m.put, m.taken = map[int]bool{}, map[int]bool{}
}

// drain opens the channel over dir, reads its whole content with a take
// that is rolled back, and stops it again.
func drain(t *testing.T, dir string, wantSource string) []int {
	t.Helper()
	c, err := New(flume.Settings{Name: "verify"}, crashConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if wantSource != "" && c.Counters().RecoverySource() != wantSource {
		t.Errorf("recovered from %q, want %q", c.Counters().RecoverySource(), wantSource)
	}
	tx, _ := c.Begin()
	var got []int
	for {
		evs, err := tx.Take(context.Background(), c.cfg.TransactionCapacity-len(got))
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if string(e.Body) != "e"+strconv.Itoa(channeltest.Seq(e)) {
				t.Fatalf("event %d has body %q", channeltest.Seq(e), e.Body)
			}
			got = append(got, channeltest.Seq(e))
		}
	}
	_ = tx.Rollback()
	checkAndStop(t, c)
	return got
}

func TestCrashRecovery(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set %s to repeat)", seed, crashSeedEnv)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	kills := []string{"", "append:1", "", "checkpoint:2", "", "backup:2", "append:9", "", "checkpoint:5", "backup:1", "", "append:40"}
	if testing.Short() {
		kills = kills[:4]
	}
	m := &crashModel{put: map[int]bool{}, taken: map[int]bool{}}
	for round, kill := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashSeqEnv+"="+strconv.Itoa((round+1)*10*crashProducer), crashKillEnv+"="+kill)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		read := make(chan struct{})
		go func() { m.read(out); close(read) }()
		if kill == "" {
			// A random point in the child's life: the delay chooses where,
			// it synchronises nothing.
			time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
			_ = cmd.Process.Kill()
		} else {
			timer := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
			defer timer.Stop()
		}
		<-read
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d (kill %q): child did not die of SIGKILL: %v", round, kill, err)
		}
		got := drain(t, dir, "")
		m.check(t, got)
		t.Logf("round %d (kill %q): %d events queued", round, kill, len(got))
	}

	// The acceptance scenario: garbage over the primary checkpoint.
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	if err := os.WriteFile(filepath.Join(dir, "checkpoint", checkpointName), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("garbage over the primary checkpoint: recovery from the backup")
	m.check(t, drain(t, dir, "backup"))
	t.Log("both checkpoints deleted: recovery from the data logs")
	// Both checkpoints gone: the data logs alone rebuild the queue.
	for _, d := range []string{"checkpoint", "backup"} {
		if err := os.Remove(filepath.Join(dir, d, checkpointName)); err != nil {
			t.Fatal(err)
		}
	}
	m.check(t, drain(t, dir, "logs"))

	// Old log files were deleted along the way: what is left is about
	// what the queue needs, not everything ever written.
	files := 0
	for _, d := range []string{"data1", "data2"} {
		entries, _ := os.ReadDir(filepath.Join(dir, d))
		for _, e := range entries {
			if _, ok := parseLogName(e.Name()); ok {
				files++
			}
		}
	}
	t.Logf("%d log files left for %d queued events", files, len(m.queue))
	if max := len(m.queue)*64/(48<<10) + 2*len(kills) + 10; files > max {
		t.Errorf("%d log files left, want at most %d: old files are not deleted", files, max)
	}
}
