package thrifttest

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

//go:embed all:py
var scripts embed.FS

// processTimeout is how long a peer process lives at most.
const processTimeout = 120

var (
	pythonOnce sync.Once
	pythonPath string
	pythonErr  error
)

// Python returns a python3 interpreter that can import thrift. It skips
// the test when there is none (fails under FLUMEGO_REQUIRE_PEERS=1).
func Python(t testing.TB) string {
	t.Helper()
	pythonOnce.Do(func() {
		// Debian's python3-thrift lives in the system interpreter's
		// dist-packages; a python3 earlier on PATH (pyenv, venv) may not
		// see it, so try the system one first.
		var tried []string
		for _, cand := range []string{"/usr/bin/python3", "python3"} {
			p, err := exec.LookPath(cand)
			if err != nil {
				continue
			}
			tried = append(tried, p)
			if exec.Command(p, "-c", "import thrift.protocol.TCompactProtocol").Run() == nil {
				pythonPath = p
				return
			}
		}
		pythonErr = fmt.Errorf("no python3 with the thrift module (tried %v); install Debian's python3-thrift (.ci/setup.d/thrift.sh)", tried)
	})
	flumetest.RequirePeer(t, pythonErr, "see .ci/setup.d/thrift.sh")
	return pythonPath
}

// scriptDir writes the embedded scripts to a temporary directory.
func scriptDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(scripts, "py", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, path)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := scripts.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "py")
}

// proc is a running peer process speaking JSON lines.
type proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan []byte
	stderr *lockedWriter
	done   chan struct{}
}

func start(t testing.TB, script string, args ...string) *proc {
	t.Helper()
	py := Python(t)
	dir := scriptDir(t)
	cmd := exec.Command(py, append([]string{"-u", filepath.Join(dir, script)}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, stdin: stdin, lines: make(chan []byte, 1024), stderr: &lockedWriter{w: new(bytes.Buffer)}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", script, err)
	}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			p.lines <- append([]byte(nil), sc.Bytes()...)
		}
	}()
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = stdin.Close()
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s stderr:\n%s", script, p.stderr.String())
		}
	})
	return p
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func (p *proc) send(v any) {
	p.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		p.t.Fatalf("write to peer: %v", err)
	}
}

// next returns the next JSON line, or an error after timeout or when the
// process ended.
func (p *proc) next(v any, timeout time.Duration) error {
	select {
	case line, ok := <-p.lines:
		if !ok {
			return fmt.Errorf("peer exited: %s", p.stderr.String())
		}
		if err := json.Unmarshal(line, v); err != nil {
			return fmt.Errorf("peer printed %q: %v", line, err)
		}
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("no answer from the peer within %v", timeout)
	}
}

// wireEvent is an event as the scripts exchange it.
type wireEvent struct {
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func toWire(events []flume.Event) []wireEvent {
	out := make([]wireEvent, len(events))
	for i, e := range events {
		out[i] = wireEvent{Body: base64.StdEncoding.EncodeToString(e.Body)}
		if e.HeaderCount() > 0 {
			out[i].Headers = maps.Collect(e.AllHeaders())
		}
	}
	return out
}

func fromWire(ws []wireEvent) ([]flume.Event, error) {
	out := make([]flume.Event, len(ws))
	for i, w := range ws {
		b, err := base64.StdEncoding.DecodeString(w.Body)
		if err != nil {
			return nil, err
		}
		out[i] = flume.Event{Body: b}
		for k, v := range w.Headers {
			out[i].SetHeader(k, v)
		}
	}
	return out, nil
}

// Client is a python3-thrift client connected to a thrift source.
type Client struct{ p *proc }

// StartClient connects a Python client to addr ("127.0.0.1:port") speaking
// protocol ("compact" or "binary").
func StartClient(t testing.TB, addr, protocol string) *Client {
	t.Helper()
	host, port := splitAddr(t, addr)
	return &Client{p: start(t, "client.py", host, port, protocol, strconv.Itoa(processTimeout))}
}

// Append sends one event with append and returns the status name ("OK",
// "FAILED", ...) or the error the Python client raised.
func (c *Client) Append(e flume.Event) (string, error) {
	return c.call("append", []flume.Event{e})
}

// AppendBatch sends events with appendBatch.
func (c *Client) AppendBatch(events []flume.Event) (string, error) {
	return c.call("appendBatch", events)
}

func (c *Client) call(op string, events []flume.Event) (string, error) {
	c.p.t.Helper()
	c.p.send(map[string]any{"op": op, "events": toWire(events)})
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	if err := c.p.next(&out, 60*time.Second); err != nil {
		return "", err
	}
	if out.Error != "" {
		return "", fmt.Errorf("python client: %s", out.Error)
	}
	return out.Status, nil
}

// Server is a python3-thrift server (the generated Processor over a framed
// transport) that records every call.
type Server struct {
	// Addr is "127.0.0.1:port".
	Addr string
	p    *proc
	acks chan string
	recv chan Call
}

// Call is one call the Python server received.
type Call struct {
	Method string
	// Answer is what the server answered: a status name or "EXCEPTION".
	Answer string
	Events []flume.Event
}

// StartServer starts a Python server speaking protocol ("compact" or
// "binary") on a free port of 127.0.0.1.
func StartServer(t testing.TB, protocol string) *Server {
	t.Helper()
	p := start(t, "server.py", protocol, strconv.Itoa(processTimeout))
	var hello struct {
		Port int `json:"port"`
	}
	if err := p.next(&hello, 30*time.Second); err != nil || hello.Port == 0 {
		t.Fatalf("python thrift server did not start: %v", err)
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(hello.Port), p: p, acks: make(chan string, 16), recv: make(chan Call, 1<<16)}
	go s.read()
	return s
}

func (s *Server) read() {
	defer close(s.recv)
	for line := range s.p.lines {
		var m struct {
			Ack    string      `json:"ack"`
			Method string      `json:"method"`
			Answer string      `json:"answer"`
			Events []wireEvent `json:"events"`
		}
		if json.Unmarshal(line, &m) != nil {
			continue
		}
		if m.Ack != "" {
			s.acks <- m.Ack
			continue
		}
		evs, err := fromWire(m.Events)
		if err != nil {
			continue
		}
		s.recv <- Call{Method: m.Method, Answer: m.Answer, Events: evs}
	}
}

// SetAnswer makes the server answer the following calls with answer: "OK",
// "FAILED", "ERROR", "UNKNOWN", or "EXCEPTION" (the handler raises, and the
// generated processor answers with a TApplicationException).
func (s *Server) SetAnswer(t testing.TB, answer string) {
	t.Helper()
	s.p.send(map[string]string{"answer": answer})
	select {
	case a := <-s.acks:
		if a != answer {
			t.Fatalf("python server acknowledged %q, want %q", a, answer)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("python server did not acknowledge the new answer")
	}
}

// Next returns the next call the server received, or fails the test after
// timeout.
func (s *Server) Next(t testing.TB, timeout time.Duration) Call {
	t.Helper()
	select {
	case c, ok := <-s.recv:
		if !ok {
			t.Fatalf("python server exited: %s", s.p.stderr.String())
		}
		return c
	case <-time.After(timeout):
		t.Fatalf("python server received no call within %v", timeout)
	}
	return Call{}
}

// Calls returns the channel of received calls, for select loops.
func (s *Server) Calls() <-chan Call { return s.recv }

func splitAddr(t testing.TB, addr string) (string, string) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	return host, port
}
