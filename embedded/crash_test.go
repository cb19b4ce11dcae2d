package embedded_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume/embedded"
)

// crashAppEnv makes the test binary run crashApp instead of the tests.
const crashAppEnv = "FLUMEGO_EMBEDDED_CRASH_APP"

// crashApp is the application of TestKilledApplicationLosesNothing, run
// as a child process of the test: a file-channel embedded agent with a
// failover pair of avro sinks. It puts the events numbered $APP_FROM to
// $APP_TO in Puts of 10 and prints "acked FIRST LAST" once each Put
// returned, then waits until the channel is empty, prints "delivered" and
// closes the agent. At start it prints "replayed N", the events its file
// channel held.
func crashApp() int {
	env := func(k string) string { return os.Getenv(k) }
	from, _ := strconv.Atoi(env("APP_FROM"))
	to, _ := strconv.Atoi(env("APP_TO"))
	ports := strings.Split(env("APP_PORTS"), ",")
	dir := env("APP_DIR")
	ctx := context.Background()
	a, err := embedded.New(ctx, embedded.Config{Name: "app", RunnerBackoff: fastBackoff, Properties: props(
		"channel.type", "file",
		"channel.checkpointDir", filepath.Join(dir, "checkpoint"),
		"channel.dataDirs", filepath.Join(dir, "data"),
		"channel.minimumRequiredSpace", "1048576",
		"sinks", "k1 k2",
		"k1.type", "avro", "k1.hostname", "127.0.0.1", "k1.port", ports[0], "k1.batch-size", "50",
		"k2.type", "avro", "k2.hostname", "127.0.0.1", "k2.port", ports[1], "k2.batch-size", "50",
		"processor.type", "failover", "processor.priority.k1", "10", "processor.priority.k2", "5",
		"processor.maxpenalty", "200")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("replayed %d\n", a.Counters().Pending)
	for n := from; n <= to; n += 10 {
		last := min(n+9, to)
		if err := a.Put(ctx, numbered(n, last)...); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("acked %d %d\n", n, last)
	}
	for a.Counters().Pending > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("delivered")
	if err := a.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// app is a running crashApp process.
type app struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  []string
	more chan struct{} // closed and replaced on each line
	done chan struct{} // closed at end of output
}

func startApp(t *testing.T, dir string, from, to int, ports ...int) *app {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashAppEnv+"=1", "APP_DIR="+dir, "APP_FROM="+strconv.Itoa(from), "APP_TO="+strconv.Itoa(to),
		fmt.Sprintf("APP_PORTS=%d,%d", ports[0], ports[1]))
	cmd.Stderr = testWriter{t}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &app{cmd: cmd, more: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			a.mu.Lock()
			a.out = append(a.out, sc.Text())
			close(a.more)
			a.more = make(chan struct{})
			a.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-a.done
		_ = cmd.Wait()
	})
	return a
}

// waitLine waits until the app printed a line for which match holds and
// returns it.
func (a *app) waitLine(t *testing.T, timeout time.Duration, what string, match func(string) bool) string {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	seen := 0
	for {
		a.mu.Lock()
		lines, more := a.out[seen:], a.more
		a.mu.Unlock()
		for _, l := range lines {
			seen++
			if match(l) {
				return l
			}
		}
		select {
		case <-more:
		case <-a.done:
			a.mu.Lock()
			n := len(a.out)
			a.mu.Unlock()
			if n == seen {
				t.Fatalf("the application ended without printing %s", what)
			}
		case <-timer.C:
			t.Fatalf("the application did not print %s within %s", what, timeout)
		}
	}
}

// acked returns the numbers the app printed as acknowledged.
func (a *app) acked() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []int
	for _, l := range a.out {
		var first, last int
		if _, err := fmt.Sscanf(l, "acked %d %d", &first, &last); err == nil {
			out = append(out, seq(first, last)...)
		}
	}
	return out
}

// An application is killed with SIGKILL while its file-channel embedded
// agent holds events the collectors refused; restarted, it delivers them:
// every event a Put acknowledged before the kill arrives, and so do the
// ones the restarted application puts.
func TestKilledApplicationLosesNothing(t *testing.T) {
	const total = 3000
	dir := t.TempDir()
	primary, secondary := newCollector(t, "avro"), newCollector(t, "avro")
	primary.Refuse.Store(true) // a collector outage: the events stay in the app's file channel
	secondary.Refuse.Store(true)

	first := startApp(t, dir, 1, total, primary.port, secondary.port)
	first.waitLine(t, 30*time.Second, "1000 acknowledged events", func(l string) bool {
		var a, b int
		_, err := fmt.Sscanf(l, "acked %d %d", &a, &b)
		return err == nil && b >= 1000
	})
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	_ = first.cmd.Wait()
	acked := first.acked()
	last := acked[len(acked)-1]
	t.Logf("killed the application after %d acknowledged events", len(acked))
	if primary.Received()+secondary.Received() != 0 {
		t.Fatal("the collectors took events during the outage")
	}

	// Restarted while the outage lasts, the application finds its backlog
	// on disk; then the collectors take events again.
	second := startApp(t, dir, last+1, total, primary.port, secondary.port)
	line := second.waitLine(t, 30*time.Second, "what it replayed", func(l string) bool { return strings.HasPrefix(l, "replayed ") })
	if replayed, _ := strconv.Atoi(strings.TrimPrefix(line, "replayed ")); replayed < len(acked) {
		t.Errorf("the restarted application replayed %d events; %d were acknowledged before the kill", replayed, len(acked))
	}
	primary.Refuse.Store(false)
	secondary.Refuse.Store(false)
	second.waitLine(t, 60*time.Second, "delivered", func(l string) bool { return l == "delivered" })
	<-second.done
	if err := second.cmd.Wait(); err != nil {
		t.Fatalf("the restarted application: %v", err)
	}
	all := append(acked, second.acked()...)
	if got := missing(all, primary, secondary); len(got) != 0 {
		t.Fatalf("%d acknowledged events never arrived: %v", len(got), got[:min(len(got), 20)])
	}
	deliveries := map[string]int{}
	for _, c := range []*collector{primary, secondary} {
		for body, n := range c.Counts() {
			deliveries[body] += n
		}
	}
	dups := 0
	for _, n := range deliveries {
		dups += n - 1
	}
	t.Logf("%d events acknowledged in all (%d before the kill), all delivered; %d duplicates", len(all), len(acked), dups)
}
