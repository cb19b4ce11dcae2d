package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	osexec "os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/background"
	"github.com/flumego/flume/internal/ratelog"
)

// Config holds the exec source's settings.
type Config struct {
	Command         string
	Shell           string
	Restart         bool
	RestartThrottle time.Duration
	LogStdErr       bool
	BatchSize       int
	BatchTimeout    time.Duration
	Charset         string
}

// MinRestartThrottle is the least pause before a command is restarted:
// Flume restarts at once with restartThrottle 0, which for a command that
// exits at once means hundreds of processes and log lines a second.
const MinRestartThrottle = 100 * time.Millisecond

// restartLogInterval is the least time between two logged restarts; the
// restarts in between are logged at debug level and counted in the next.
const restartLogInterval = 10 * time.Second

// ParseConfig reads the source's properties with Flume's defaults.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{
		Command:         cfg.Required("command"),
		Shell:           cfg.String("shell", ""),
		Restart:         cfg.Bool("restart", false),
		RestartThrottle: cfg.MillisAtLeast("restartThrottle", 10*time.Second, 0),
		LogStdErr:       cfg.Bool("logStdErr", false),
		BatchSize:       cfg.Positive("batchSize", 20),
		BatchTimeout:    cfg.MillisAtLeast("batchTimeout", 3*time.Second, time.Millisecond),
		Charset:         cfg.String("charset", "UTF-8"),
	}
	if c.RestartThrottle < MinRestartThrottle {
		if c.Restart {
			cfg.Warnf("restartThrottle", "below the minimum of %d ms; using %d ms, so that a command that exits at once is not restarted hundreds of times a second",
				MinRestartThrottle.Milliseconds(), MinRestartThrottle.Milliseconds())
		}
		c.RestartThrottle = MinRestartThrottle
	}
	if c.Command != "" && len(c.argv()) == 0 {
		cfg.Errorf("command", "empty command")
	}
	return c
}

// argv returns the program and its arguments.
func (c Config) argv() []string {
	if c.Shell != "" {
		return append(strings.Fields(c.Shell), c.Command)
	}
	return strings.Fields(c.Command)
}

// Source is an exec source.
type Source struct {
	name    string
	cfg     Config
	out     flume.ChannelProcessor
	log     *slog.Logger
	counter flume.SourceCounter

	// restartLog and startLog keep a command that keeps exiting to one
	// restart and one start line per restartLogInterval.
	restartLog, startLog ratelog.Limiter
	refused              ratelog.Streak // the channels refuse the command's output

	task background.Task
}

var (
	_ flume.Source  = (*Source)(nil)
	_ flume.Batcher = (*Source)(nil)
)

// New returns an exec source that hands its lines to out.
func New(set flume.Settings, cfg Config, out flume.ChannelProcessor) *Source {
	s := &Source{name: set.Name, cfg: cfg, out: out, log: set.Log(),
		restartLog: ratelog.Limiter{Interval: restartLogInterval}, startLog: ratelog.Limiter{Interval: restartLogInterval}}
	set.Publish(&s.counter)
	return s
}

// Factory builds an exec source from its properties.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, out), nil
}

// Register adds the exec source to r.
func Register(r *flume.Registry) error {
	return r.RegisterSource("exec", Factory, "org.apache.flume.source.ExecSource")
}

// BatchSize returns the configured batchSize.
func (s *Source) BatchSize() (int, string) { return s.cfg.BatchSize, "batchSize" }

// Start launches the command on a goroutine the source owns.
func (s *Source) Start(context.Context) error {
	// The counters restart from 0 (as Flume's do at each start) on the
	// goroutine, before it counts anything: reset after Start returned,
	// they would lose what the goroutine counted in between.
	_, err := s.task.Start(func(ctx, abort context.Context) {
		s.counter.Started()
		s.run(ctx, abort)
	})
	if err != nil {
		return fmt.Errorf("exec source %q: %w", s.name, err)
	}
	return nil
}

// Stop commits the lines already read, terminates the command and waits
// for the source's goroutines. When ctx ends first, the commit is
// abandoned (those lines are lost, as in Flume), the command's process
// group is killed and an error wrapping ctx.Err() is returned.
func (s *Source) Stop(ctx context.Context) error {
	ended, err := s.task.Stop(ctx)
	if ended {
		s.counter.Stopped()
	}
	if err != nil {
		return fmt.Errorf("exec source %q: %w", s.name, err)
	}
	return nil
}

// run runs the command, and again while restart is set, until ctx ends.
// abort ends when a Stop gives up waiting: it bounds the final commit and
// kills the command at once.
func (s *Source) run(ctx, abort context.Context) {
	for {
		err := s.runOnce(ctx, abort)
		if ctx.Err() != nil {
			return
		}
		level, msg := slog.LevelInfo, "command exited"
		args := []any{"command", s.cfg.Command}
		if err != nil {
			level, msg = slog.LevelWarn, "command ended"
			args = append(args, "error", err)
		}
		if !s.cfg.Restart {
			s.log.Log(ctx, level, msg, args...)
			return // as Flume, the source stays started but idle
		}
		s.restartLog.Log(s.log, level, msg+"; restarting it after restartThrottle", append(args, "restart_throttle", s.cfg.RestartThrottle)...)
		if background.Sleep(ctx, s.cfg.RestartThrottle) != nil {
			return
		}
	}
}

// runOnce runs the command once, until it exits or ctx ends.
func (s *Source) runOnce(ctx, abort context.Context) error {
	argv := s.cfg.argv()
	// The command is not tied to ctx: on Stop the batcher first commits
	// what was read, then terminates the process group.
	cmd := osexec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdin = nil
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("exec source %q: %w", s.name, err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("exec source %q: %w", s.name, err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("exec source %q: start %q: %w", s.name, s.cfg.Command, err)
	}
	s.startLog.Log(s.log, slog.LevelInfo, "command started", "command", s.cfg.Command, "pid", cmd.Process.Pid)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.drainStderr(stderr)
	}()

	chunks := make(chan []flume.Event, 4)
	readErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		readErr <- readLines(stdout, chunks, s.cfg.BatchSize)
		close(chunks)
	}()

	// An abandoned Stop kills the process group and closes the pipes, so
	// that a reader cannot stay blocked on a descendant that escaped the
	// group and keeps them open.
	kill := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = stdout.Close()
		_ = stderr.Close()
	}
	killed := make(chan struct{})
	stopAbort := context.AfterFunc(abort, func() { kill(); close(killed) })
	defer func() {
		if !stopAbort() {
			<-killed // no goroutine of the source outlives Stop
		}
	}()

	stopped := s.batch(ctx, abort, chunks)
	if stopped {
		// Terminate the whole process group, then make sure the reader sees EOF.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range chunks { // discard what arrives after Stop
			}
		}()
	}
	killTimer := time.AfterFunc(5*time.Second, kill)
	wg.Wait()
	werr := cmd.Wait()
	killTimer.Stop()
	if rerr := <-readErr; rerr != nil && !errors.Is(rerr, os.ErrClosed) && !stopped {
		return rerr
	}
	if stopped {
		return nil
	}
	return werr
}

// batch collects chunks of lines into batches of BatchSize and hands them to
// the channel processor, flushing a partial batch after BatchTimeout. It
// returns true when ctx ended (the source is stopping) and false when the
// command's output ended. What was read before a stop is committed on
// abort.
func (s *Source) batch(ctx, abort context.Context, chunks <-chan []flume.Event) (stopped bool) {
	var pending []flume.Event
	timer := time.NewTimer(s.cfg.BatchTimeout)
	defer timer.Stop()
	flush := func(n int) bool {
		if !s.deliver(ctx, pending[:n]) {
			return false
		}
		pending = append(pending[:0], pending[n:]...)
		timer.Reset(s.cfg.BatchTimeout)
		return true
	}
	for {
		select {
		case chunk, ok := <-chunks:
			if !ok {
				if len(pending) > 0 {
					s.deliver(ctx, pending)
				}
				return ctx.Err() != nil
			}
			s.counter.EventReceivedCount.Add(int64(len(chunk)))
			pending = append(pending, chunk...)
			for len(pending) >= s.cfg.BatchSize {
				if !flush(s.cfg.BatchSize) {
					s.finalFlush(abort, pending)
					return true
				}
			}
		case <-timer.C:
			if len(pending) > 0 && !flush(len(pending)) {
				s.finalFlush(abort, pending)
				return true
			}
			timer.Reset(s.cfg.BatchTimeout)
		case <-ctx.Done():
			s.finalFlush(abort, pending)
			return true
		}
	}
}

// finalFlush commits what was read before the source stopped: one attempt
// per batch (the channel waits up to its keep-alive for room), until ctx
// (the task's abort context) ends. Retrying a channel that stays full would
// hold the agent's whole shutdown; lines it still refuses are dropped with
// a warning, as Flume's exec source drops its pending batch.
func (s *Source) finalFlush(ctx context.Context, pending []flume.Event) {
	for start := 0; start < len(pending); start += s.cfg.BatchSize {
		batch := pending[start:min(start+s.cfg.BatchSize, len(pending))]
		if err := s.out.Process(ctx, batch); err != nil {
			s.counter.ChannelWriteFail.Add(1)
			s.log.Warn("lines read from the command could not be committed before stop; they are dropped",
				"lines", len(pending)-start, "error", err)
			return
		}
		s.counter.EventAcceptedCount.Add(int64(len(batch)))
		s.counter.AppendBatchAcceptedCount.Add(1)
	}
}

// deliver hands one batch to the channels, retrying with backoff while the
// channels refuse it. It returns false only when ctx ends first.
func (s *Source) deliver(ctx context.Context, batch []flume.Event) bool {
	backoff := 100 * time.Millisecond
	for {
		err := s.out.Process(ctx, batch)
		if err == nil {
			s.counter.EventAcceptedCount.Add(int64(len(batch)))
			s.counter.AppendBatchAcceptedCount.Add(1)
			s.refused.OK(s.log, "the channels accept the command's output again")
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		s.counter.ChannelWriteFail.Add(1)
		s.refused.Fail(s.log, "channel refused a batch; holding the command's output and retrying", "events", len(batch), "retry", backoff, "error", err)
		if background.Sleep(ctx, backoff) != nil {
			return false
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Source) drainStderr(r io.Reader) {
	if !s.cfg.LogStdErr {
		_, _ = io.Copy(io.Discard, r)
		return
	}
	lines := make(chan []flume.Event, 1)
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		for chunk := range lines {
			for _, e := range chunk {
				s.log.Info("command stderr", "line", string(e.Body))
			}
		}
	}()
	_ = readLines(r, lines, 1)
	close(lines)
	<-logged // no goroutine of the source outlives Stop
}

// readLines splits r into lines (\n, \r or \r\n) and sends them as events
// in chunks. Each chunk's bodies share one allocation.
func readLines(r io.Reader, out chan<- []flume.Event, hint int) error {
	buf := make([]byte, 64<<10)
	start, end := 0, 0
	skipLF := false // the previous chunk ended with \r: a leading \n belongs to it
	for {
		if start > 0 && start == end {
			start, end = 0, 0
		}
		if end == len(buf) {
			if start > 0 {
				end = copy(buf, buf[start:end])
				start = 0
			} else {
				nb := make([]byte, 2*len(buf)) // a line longer than the buffer
				copy(nb, buf[:end])
				buf = nb
			}
		}
		n, err := r.Read(buf[end:])
		end += n
		if n > 0 {
			if skipLF && buf[start] == '\n' {
				start++
			}
			skipLF = false
			chunk, consumed, endsCR := splitLines(buf[start:end], hint)
			start += consumed
			skipLF = endsCR
			if len(chunk) > 0 {
				out <- chunk
			}
		}
		if err != nil {
			if start < end { // an unterminated last line is still a line
				body := bytes.Clone(buf[start:end])
				out <- []flume.Event{{Body: body}}
			}
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// splitLines returns the complete lines of data as events (bodies copied
// into one new slice), how many bytes they used, and whether the last line
// ended with a \r that may be followed by \n in the next read.
func splitLines(data []byte, hint int) ([]flume.Event, int, bool) {
	hasCR := bytes.IndexByte(data, '\r') >= 0
	var last int
	if hasCR {
		last = bytes.LastIndexAny(data, "\r\n")
	} else {
		last = bytes.LastIndexByte(data, '\n')
	}
	if last < 0 {
		return nil, 0, false
	}
	consumed := last + 1
	endsCR := data[last] == '\r'
	own := bytes.Clone(data[:consumed])
	events := make([]flume.Event, 0, max(hint, bytes.Count(own, []byte{'\n'})))
	for i := 0; i < len(own); {
		var j int
		if hasCR {
			j = bytes.IndexAny(own[i:], "\r\n")
		} else {
			j = bytes.IndexByte(own[i:], '\n')
		}
		events = append(events, flume.Event{Body: own[i : i+j : i+j]})
		i += j + 1
		if own[i-1] == '\r' && i < len(own) && own[i] == '\n' {
			i++
		}
	}
	return events, consumed, endsCR
}
