package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Params are the knobs every scenario reads.
type Params struct {
	Events    int    // number of events
	EventSize int    // body bytes per event (a line of EventSize-1 characters plus '\n')
	Headers   int    // headers per event (loadevent.Names: timestamp, host, seq, ...)
	Batch     int    // batch size of sources, channels and sinks
	Capacity  int    // capacity of the memory channels; 0: 10 batches
	Binary    string // the flume-ng binary to run agents with
	Dir       string // scratch directory
	Input     string // pre-generated input file (optional)
}

// capacity returns the memory channels' capacity.
func (p Params) capacity() int {
	if p.Capacity > 0 {
		return p.Capacity
	}
	return 10 * p.Batch
}

// Result is one measured run.
type Result struct {
	Scenario string
	Events   int64
	Bytes    int64
	Elapsed  time.Duration
	PeakRSS  int64 // bytes; 0 when not measured
	// CPU is the CPU time (user and system) the agent processes used
	// during the run; 0 when not measured. On a shared machine CPU per
	// event varies much less than events per second.
	CPU  time.Duration
	Note string
}

// CPUPerEvent returns the agents' CPU time per event.
func (r Result) CPUPerEvent() time.Duration {
	if r.Events == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Events)
}

// EventsPerSecond returns the throughput in events per second.
func (r Result) EventsPerSecond() float64 { return float64(r.Events) / r.Elapsed.Seconds() }

// MBPerSecond returns the throughput in MB (10^6 bytes) per second.
func (r Result) MBPerSecond() float64 { return float64(r.Bytes) / 1e6 / r.Elapsed.Seconds() }

// Scenario is a named benchmark.
type Scenario struct {
	Name string
	Desc string
	Run  func(ctx context.Context, p Params) (Result, error)
}

var scenarios = map[string]Scenario{}

// Register adds a scenario; packages with more scenarios call it from init.
func Register(s Scenario) { scenarios[s.Name] = s }

// Scenarios returns the registered scenarios by name.
func Scenarios() []Scenario {
	out := make([]Scenario, 0, len(scenarios))
	for _, s := range scenarios {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns a scenario by name.
func Lookup(name string) (Scenario, bool) {
	s, ok := scenarios[name]
	return s, ok
}

// Median returns the result with the median elapsed time, its CPU time
// replaced by the median CPU time per event of all the runs.
func Median(rs []Result) Result {
	s := append([]Result(nil), rs...)
	sort.Slice(s, func(i, j int) bool { return s[i].Elapsed < s[j].Elapsed })
	m := s[len(s)/2]
	sort.Slice(s, func(i, j int) bool { return s[i].CPUPerEvent() < s[j].CPUPerEvent() })
	m.CPU = s[len(s)/2].CPUPerEvent() * time.Duration(m.Events)
	return m
}

// Format renders a result as one table row.
func Format(r Result) string {
	rss := "-"
	if r.PeakRSS > 0 {
		rss = fmt.Sprintf("%.1f MB", float64(r.PeakRSS)/1e6)
	}
	cpu := "-"
	if r.CPU > 0 {
		cpu = fmt.Sprintf("%d ns/event", r.CPUPerEvent().Nanoseconds())
	}
	return fmt.Sprintf("%-22s %10d events %9.3f s %12.0f events/s %9.1f MB/s  peak RSS %s  agent CPU %s  %s",
		r.Scenario, r.Events, r.Elapsed.Seconds(), r.EventsPerSecond(), r.MBPerSecond(), rss, cpu, r.Note)
}

// LinesFile writes n lines of size bytes each (newline included), numbered,
// and returns its path and byte count. An existing file of the right size
// is reused.
func LinesFile(dir string, n, size int) (string, int64, error) {
	path := filepath.Join(dir, fmt.Sprintf("lines-%d-%d.txt", n, size))
	want := int64(n) * int64(size)
	if fi, err := os.Stat(path); err == nil && fi.Size() == want {
		return path, want, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return "", 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	pad := strings.Repeat("x", size)
	for i := 0; i < n; i++ {
		num := strconv.Itoa(i + 1)
		line := num + " " + pad
		w.WriteString(line[:max(size-1, len(num))])
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", 0, err
	}
	fi, _ := f.Stat()
	return path, fi.Size(), f.Close()
}

// Agent is a flume-ng agent process started by a scenario.
type Agent struct {
	cmd   *exec.Cmd
	start time.Time
	logs  *os.File
}

// StartAgent writes props to a file and starts `flume-ng agent -n a1` on
// it. Its logs go to a file in dir.
func StartAgent(p Params, name, props string, extraArgs ...string) (*Agent, error) {
	conf := filepath.Join(p.Dir, name+".properties")
	if err := os.WriteFile(conf, []byte(props), 0o644); err != nil {
		return nil, err
	}
	logs, err := os.Create(filepath.Join(p.Dir, name+".log"))
	if err != nil {
		return nil, err
	}
	args := append([]string{"agent", "-n", name, "-f", conf, "-Dflume.root.logger=WARN,console"}, extraArgs...)
	cmd := exec.Command(p.Binary, args...)
	cmd.Stdout, cmd.Stderr = logs, logs
	a := &Agent{cmd: cmd, start: time.Now(), logs: logs}
	if err := cmd.Start(); err != nil {
		logs.Close()
		return nil, err
	}
	return a, nil
}

// Since returns the time since the process was started.
func (a *Agent) Since() time.Duration { return time.Since(a.start) }

// RSS returns the process's current resident set size in bytes.
func (a *Agent) RSS() int64 { return a.status("VmRSS:") }

// PeakRSS returns the process's peak resident set size so far (VmHWM).
// This is the agent's own figure: the rusage a parent gets from wait4 also
// counts the parent's memory at the time of the fork, which would charge the
// benchmark's own load generator to the agent.
func (a *Agent) PeakRSS() int64 { return a.status("VmHWM:") }

func (a *Agent) status(field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", a.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// CPU returns the CPU time (user and system, all threads) the process has
// used so far, in clock ticks of 10 ms (Linux's USER_HZ).
func (a *Agent) CPU() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", a.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	return statCPU(data)
}

// statCPU returns the user plus system time of a /proc/<pid>/stat line.
func statCPU(data []byte) time.Duration {
	// The command name (field 2) is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// Stop sends SIGTERM, waits for the process and returns its peak RSS, read
// just before the signal (the drain that follows is not measured).
func (a *Agent) Stop() (int64, error) {
	defer a.logs.Close()
	peak := a.PeakRSS()
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return 0, fmt.Errorf("agent: %w (log: %s)", err, a.logs.Name())
		}
	case <-time.After(60 * time.Second):
		_ = a.cmd.Process.Kill()
		<-done
		return 0, fmt.Errorf("agent did not stop within 60 s (log: %s)", a.logs.Name())
	}
	return peak, nil
}

// Kill stops the process without waiting for a graceful stop.
func (a *Agent) Kill() {
	_ = a.cmd.Process.Kill()
	_, _ = a.cmd.Process.Wait()
	a.logs.Close()
}

// WaitForBytes polls the total size of the files in dir until it reaches
// want, or ctx ends.
func WaitForBytes(ctx context.Context, dir string, want int64) error {
	for {
		var total int64
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				total += fi.Size()
			}
		}
		if total >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("output reached %d of %d bytes: %w", total, want, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}
