package avsctest

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/rpc/avrorpc"
)

var (
	//go:embed client.js
	clientJS string
	//go:embed server.js
	serverJS string
)

// Protocols the peer can be given: FlumeProtocol is Flume's exact text
// (avsc then sends Flume's hash, as Java does, and the handshake answers
// BOTH); OtherProtocol is the same protocol without its doc (another hash:
// the handshake goes through NONE and CLIENT).
var (
	FlumeProtocol = avrorpc.ProtocolJSON
	OtherProtocol = `{"protocol":"AvroSourceProtocol","namespace":"org.apache.flume.source.avro","types":[{"type":"enum","name":"Status","symbols":["OK","FAILED","UNKNOWN"]},{"type":"record","name":"AvroFlumeEvent","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}],"messages":{"append":{"request":[{"name":"event","type":"AvroFlumeEvent"}],"response":"Status"},"appendBatch":{"request":[{"name":"events","type":{"type":"array","items":"AvroFlumeEvent"}}],"response":"Status"}}}`
)

// nodeModules returns the node_modules folder holding avsc, or skips the
// test (fails it under FLUMEGO_REQUIRE_PEERS=1).
func nodeModules(t testing.TB) string {
	t.Helper()
	missing := func(why string) string {
		flumetest.RequirePeer(t, errors.New("avsc: "+why), "run .ci/setup.d/avsc.sh")
		return ""
	}
	if _, err := exec.LookPath("node"); err != nil {
		return missing("no node on PATH")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return missing("module root not found")
		}
		dir = parent
	}
	nm := filepath.Join(dir, ".work", "node", "node_modules")
	if _, err := os.Stat(filepath.Join(nm, "avsc", "package.json")); err != nil {
		return missing(err.Error())
	}
	return nm
}

func script(t testing.TB, name, text string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Call is one call the avsc client makes.
type Call struct {
	Batch  bool // appendBatch; else append with Events[0]
	Events []flume.Event
}

// Result is the answer to one call: the status name or an error text.
type Result struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

type jsEvent struct {
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Call    int               `json:"call,omitempty"`
}

func toJS(events []flume.Event) []jsEvent {
	out := make([]jsEvent, len(events))
	for i, e := range events {
		out[i] = jsEvent{Body: base64.StdEncoding.EncodeToString(e.Body)}
		if e.HeaderCount() > 0 {
			out[i].Headers = maps.Collect(e.AllHeaders())
		}
	}
	return out
}

// RunClient makes calls with an avsc client over one connection to host:port
// and returns the answers.
func RunClient(t testing.TB, host string, port int, protocol string, calls []Call) []Result {
	t.Helper()
	nm := nodeModules(t)
	type jsCall struct {
		Message string    `json:"message"`
		Events  []jsEvent `json:"events"`
	}
	job := struct {
		Host     string   `json:"host"`
		Port     int      `json:"port"`
		Protocol string   `json:"protocol"`
		Calls    []jsCall `json:"calls"`
	}{Host: host, Port: port, Protocol: protocol}
	for _, c := range calls {
		m := "append"
		if c.Batch {
			m = "appendBatch"
		}
		job.Calls = append(job.Calls, jsCall{Message: m, Events: toJS(c.Events)})
	}
	in, _ := json.Marshal(job)
	cmd := exec.Command("node", script(t, "client.js", clientJS))
	cmd.Env = append(os.Environ(), "NODE_PATH="+nm)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	done := make(chan struct{})
	timer := time.AfterFunc(60*time.Second, func() {
		if cmd.Process != nil {
			cmd.Process.Kill()
		}
	})
	defer timer.Stop()
	out, err := cmd.Output()
	close(done)
	if err != nil {
		t.Fatalf("avsc client: %v\n%s", err, stderr.String())
	}
	var res []Result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("avsc client output %q: %v\n%s", out, err, stderr.String())
	}
	return res
}

// ServerOptions configures the avsc server.
type ServerOptions struct {
	Protocol   string `json:"protocol"`
	FailFirst  int    `json:"failFirst"`  // answer FAILED to the first calls
	ErrorFirst int    `json:"errorFirst"` // answer with an error first
	DelayMs    int    `json:"delayMs"`    // wait before each answer
}

// Received is one event an avsc server accepted, with the number of the call
// that brought it.
type Received struct {
	Call  int
	Event flume.Event
}

// Server is a running avsc server.
type Server struct {
	Port   int
	Events chan Received
}

// StartServer starts an avsc server on 127.0.0.1; it stops when the test
// ends.
func StartServer(t testing.TB, opts ServerOptions) *Server {
	t.Helper()
	nm := nodeModules(t)
	if opts.Protocol == "" {
		opts.Protocol = FlumeProtocol
	}
	arg, _ := json.Marshal(opts)
	cmd := exec.Command("node", script(t, "server.js", serverJS), string(arg))
	cmd.Env = append(os.Environ(), "NODE_PATH="+nm)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if s := strings.TrimSpace(stderr.String()); s != "" {
			t.Logf("avsc server stderr: %s", s)
		}
	})
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	s := &Server{Events: make(chan Received, 1<<16)}
	ready := make(chan int, 1)
	go func() {
		defer close(exited)
		defer cmd.Wait()
		first := true
		for sc.Scan() {
			if first {
				first = false
				var p struct {
					Port int `json:"port"`
				}
				_ = json.Unmarshal(sc.Bytes(), &p)
				ready <- p.Port
				continue
			}
			var e jsEvent
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				continue
			}
			body, _ := base64.StdEncoding.DecodeString(e.Body)
			ev := flume.Event{Body: body}
			for k, v := range e.Headers {
				ev.SetHeader(k, v)
			}
			s.Events <- Received{Call: e.Call, Event: ev}
		}
		if first {
			close(ready)
		}
	}()
	select {
	case p, ok := <-ready:
		if !ok || p == 0 {
			t.Fatalf("avsc server did not start: %s", stderr.String())
		}
		s.Port = p
	case <-time.After(30 * time.Second):
		t.Fatalf("avsc server did not start within 30 s: %s", stderr.String())
	}
	return s
}
