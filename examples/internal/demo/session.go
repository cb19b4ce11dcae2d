package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Session is one run of an example: a scratch directory with one working
// directory per agent process, and a progress log. Close stops everything
// the session started.
type Session struct {
	Dir string // scratch directory; agent <label> works in Dir/<label>

	out   io.Writer
	start time.Time

	mu      sync.Mutex
	agents  []*Agent
	closers []func()
	closed  bool
}

// NewSession returns a session working in dir (created if needed) that
// prints its progress to out.
func NewSession(dir string, out io.Writer) (*Session, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Session{Dir: dir, out: out, start: time.Now()}, nil
}

// Printf prints one progress line, stamped with the time since the
// session started.
func (s *Session) Printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.out, "[%6.1fs] %s\n", time.Since(s.start).Seconds(), fmt.Sprintf(format, args...))
}

// Defer registers f to run at Close, before the agents are stopped (in
// reverse order of registration).
func (s *Session) Defer(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closers = append(s.closers, f)
}

// Close stops every agent still running (SIGTERM, then SIGKILL after 20 s),
// kills any process still working in the session's directory (an exec
// source's command orphaned by a killed agent) and runs the Defer
// functions. It is safe to call more than once.
func (s *Session) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	agents := append([]*Agent(nil), s.agents...)
	closers := s.closers
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = a.Stop(ctx)
		}()
	}
	wg.Wait()
	killStrays(s.Dir)
	for i := len(closers) - 1; i >= 0; i-- {
		closers[i]()
	}
}

// LogTails returns the last n lines of every agent's log, for a report
// after a failure.
func (s *Session) LogTails(n int) string {
	s.mu.Lock()
	agents := append([]*Agent(nil), s.agents...)
	s.mu.Unlock()
	var b strings.Builder
	seen := map[string]bool{}
	for _, a := range agents {
		if seen[a.LogPath] {
			continue
		}
		seen[a.LogPath] = true
		data, _ := os.ReadFile(a.LogPath)
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		fmt.Fprintf(&b, "--- last %d lines of %s\n", n, a.LogPath)
		b.WriteString(strings.Join(lines[max(0, len(lines)-n):], "\n"))
		b.WriteString("\n")
	}
	return b.String()
}

// AgentSpec says how to run one agent process.
type AgentSpec struct {
	Label   string   // process label, unique in the session: its working directory and log file are named after it
	Name    string   // the agent name (-n)
	Files   []string // -f files (absolute paths, see Files), in order: later files override earlier keys
	Env     []string // extra environment, "KEY=value" (for ${env:KEY} in the files)
	Monitor bool     // serve Flume's JSON metrics on a free loopback port (Agent.Metrics)

	// Command, when set, is run instead of `flume-ng agent` (an
	// application that sends to the agents): the program and its
	// arguments; Name and Files are then not used, and Monitor says that
	// the command serves Flume's JSON metrics itself and logs where as
	// flume-ng does ("monitoring server listening address=...").
	Command []string
}

// Agent is a running (or exited) `flume-ng agent` process.
type Agent struct {
	Spec    AgentSpec
	Dir     string // working directory: relative paths in the files resolve here
	LogPath string // its standard output and error

	logStart int64 // offset in LogPath where this run's output starts
	cmd      *exec.Cmd
	done     chan struct{}
	exitErr  error

	mu         sync.Mutex
	metricsURL string
}

// Start runs `flume-ng agent` (or spec.Command) for spec in Dir/<label>
// and returns once the process runs; wait for what it logs with WaitLog. Starting a label again
// (a restart) reuses its directory and appends to its log.
func (s *Session) Start(ctx context.Context, spec AgentSpec) (*Agent, error) {
	var bin string
	var args []string
	if len(spec.Command) > 0 {
		bin, args = spec.Command[0], spec.Command[1:]
	} else {
		var err error
		if bin, err = FlumeNG(ctx); err != nil {
			return nil, err
		}
		args = agentArgs(spec)
	}
	a := &Agent{Spec: spec, Dir: filepath.Join(s.Dir, spec.Label), LogPath: filepath.Join(s.Dir, spec.Label+".log"), done: make(chan struct{})}
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(a.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child holds its own descriptor
	if fi, err := logf.Stat(); err == nil {
		a.logStart = fi.Size()
	}
	a.cmd = exec.Command(bin, args...)
	a.cmd.Dir = a.Dir
	a.cmd.Env = append(os.Environ(), spec.Env...)
	a.cmd.Stdout, a.cmd.Stderr = logf, logf
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("session closed")
	}
	if err := a.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start agent %s: %w", spec.Label, err)
	}
	go func() {
		a.exitErr = a.cmd.Wait()
		close(a.done)
	}()
	s.agents = append(s.agents, a)
	return a, nil
}

// agentArgs returns the flume-ng command line for spec: the files (which
// Files made absolute), INFO logs on the console and, with Monitor, the
// JSON metrics on a free port of 127.0.0.1.
func agentArgs(spec AgentSpec) []string {
	args := []string{"agent", "-n", spec.Name}
	for _, f := range spec.Files {
		args = append(args, "-f", f)
	}
	args = append(args, "-Dflume.root.logger=INFO,console")
	if spec.Monitor {
		args = append(args, "-Dflume.monitoring.type=http", "-Dflume.monitoring.port=0", "-Dflume.monitoring.bind=127.0.0.1")
	}
	return args
}

// Pid returns the process id.
func (a *Agent) Pid() int { return a.cmd.Process.Pid }

// Exited is closed when the process has exited.
func (a *Agent) Exited() <-chan struct{} { return a.done }

// ExitErr returns how the process ended (nil for exit status 0); call it
// after Exited is closed.
func (a *Agent) ExitErr() error { return a.exitErr }

// Log returns what this run of the process logged so far.
func (a *Agent) Log() string {
	f, err := os.Open(a.LogPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, _ := io.ReadAll(io.NewSectionReader(f, a.logStart, 1<<40))
	return string(data)
}

// WaitLog waits until this run of the process logged a line containing
// substr and returns the line. It fails if the process exits first or ctx
// ends.
func (a *Agent) WaitLog(ctx context.Context, substr string) (string, error) {
	var line string
	err := a.poll(ctx, "log a line with "+strconv.Quote(substr), func() (bool, error) {
		for _, l := range strings.Split(a.Log(), "\n") {
			if strings.Contains(l, substr) {
				line = l
				return true, nil
			}
		}
		return false, nil
	})
	return line, err
}

// LogValue returns the value of key=value in a text log line ("" if
// absent); quoted values are unquoted.
func LogValue(line, key string) string {
	_, rest, ok := strings.Cut(line, " "+key+"=")
	if !ok {
		return ""
	}
	if strings.HasPrefix(rest, `"`) {
		if v, err := strconv.QuotedPrefix(rest); err == nil {
			u, _ := strconv.Unquote(v)
			return u
		}
	}
	v, _, _ := strings.Cut(rest, " ")
	return v
}

// poll calls cond every 20 ms until it returns true, the process exits or
// ctx ends.
func (a *Agent) poll(ctx context.Context, what string, cond func() (bool, error)) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("agent %s (pid %d) did not %s: %w (log: %s)", a.Spec.Label, a.Pid(), what, ctx.Err(), a.LogPath)
		case <-a.done:
			if ok, err := cond(); ok || err != nil {
				return err
			}
			return fmt.Errorf("agent %s (pid %d) exited (%v) before it would %s (log: %s)", a.Spec.Label, a.Pid(), a.exitErr, what, a.LogPath)
		case <-tick.C:
		}
	}
}

// Metrics returns the agent's monitoring JSON (Spec.Monitor must be set):
// counter group ("SOURCE.r1", "SINK.k1", ...) → attribute → value.
func (a *Agent) Metrics(ctx context.Context) (map[string]map[string]string, error) {
	a.mu.Lock()
	url := a.metricsURL
	a.mu.Unlock()
	if url == "" {
		if !a.Spec.Monitor {
			return nil, fmt.Errorf("agent %s runs without monitoring", a.Spec.Label)
		}
		line, err := a.WaitLog(ctx, "monitoring server listening")
		if err != nil {
			return nil, err
		}
		url = "http://" + LogValue(line, "address") + "/metrics"
		a.mu.Lock()
		a.metricsURL = url
		a.mu.Unlock()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("agent %s metrics: %w", a.Spec.Label, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("agent %s metrics: %s: %s", a.Spec.Label, resp.Status, bytes.TrimSpace(body))
	}
	var m map[string]map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("agent %s metrics: %w", a.Spec.Label, err)
	}
	return m, nil
}

// Counter returns one counter of the monitoring JSON, e.g.
// Counter(ctx, "SINK.k1", "EventDrainSuccessCount"); a group not yet
// published counts 0.
func (a *Agent) Counter(ctx context.Context, group, attr string) (int64, error) {
	m, err := a.Metrics(ctx)
	if err != nil {
		return 0, err
	}
	v, ok := m[group][attr]
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("agent %s: %s.%s = %q: %w", a.Spec.Label, group, attr, v, err)
	}
	return n, nil
}

// WaitCounter waits until a counter reaches at least min and returns its
// value.
func (a *Agent) WaitCounter(ctx context.Context, group, attr string, min int64) (int64, error) {
	var n int64
	err := a.poll(ctx, fmt.Sprintf("count %s.%s >= %d", group, attr, min), func() (bool, error) {
		var err error
		n, err = a.Counter(ctx, group, attr)
		if err != nil && ctx.Err() == nil {
			return false, nil // not serving yet, or stopping: look again
		}
		return n >= min, nil
	})
	return n, err
}

// Stop sends SIGTERM (a graceful stop: flume-ng stops the sources and lets
// the sinks drain the channels), waits for the process to exit (SIGKILL
// when ctx ends first) and returns its exit error.
func (a *Agent) Stop(ctx context.Context) error {
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-ctx.Done():
		_ = a.Kill()
	}
	return a.exitErr
}

// Kill sends SIGKILL to the process (and its process group) and waits for
// it to exit: a crash, nothing is drained.
func (a *Agent) Kill() error {
	_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
	_ = a.cmd.Process.Kill()
	<-a.done
	return nil
}

// Wait waits for cond to hold, calling it every 20 ms, until ctx ends;
// what describes the condition in the error.
func Wait(ctx context.Context, what string, cond func() (bool, error)) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
}

// killStrays kills the processes whose working directory is inside dir:
// commands an exec source started whose agent was killed (they run in
// their own process group). Linux only (/proc); elsewhere a no-op.
func killStrays(dir string) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil {
			continue
		}
		if cwd == dir || strings.HasPrefix(cwd, dir+string(filepath.Separator)) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// Progress prints status() every interval, when it changed, until the
// returned stop function is called.
func (s *Session) Progress(interval time.Duration, status func() string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		last := ""
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if line := status(); line != "" && line != last {
					s.Printf("%s", line)
					last = line
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-finished }) }
}
