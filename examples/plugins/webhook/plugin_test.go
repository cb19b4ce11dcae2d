package webhook_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// These tests build real binaries with the same toolchain: the plugin as a
// .so loaded from plugins.d, and a custom flume-ng with the plugin compiled
// in. Both need the go command and, for the .so, cgo.

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func goBuild(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", args, err, out)
	}
}

// collector is the webhook endpoint: it records the bodies it receives and
// signals when it has want of them.
type collector struct {
	mu     sync.Mutex
	bodies []string
	want   int
	done   chan struct{}
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	var batch []struct{ Body string }
	if err := json.Unmarshal(data, &batch); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range batch {
		c.bodies = append(c.bodies, e.Body)
	}
	if len(c.bodies) >= c.want {
		select {
		case <-c.done:
		default:
			close(c.done)
		}
	}
}

func config(t *testing.T, endpoint string, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a1.properties")
	text := `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = ` + strconv.Itoa(n) + `
a1.sources.r1.batchSize = 50
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.sinks.k1.type = com.example.flume.WebhookSink
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = ` + endpoint + `
a1.sinks.k1.batchSize = 50
`
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runAgent runs an agent until the collector has n events, then stops it
// with SIGTERM and checks every sequence number arrived once.
func runAgent(t *testing.T, binary string, extra ...string) string {
	t.Helper()
	const n = 1000
	c := &collector{want: n, done: make(chan struct{})}
	srv := httptest.NewServer(c)
	defer srv.Close()
	args := append([]string{"agent", "-n", "a1", "-f", config(t, srv.URL, n)}, extra...)
	cmd := exec.Command(binary, args...)
	var logs flumetest.LogBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
		c.mu.Lock()
		got := len(c.bodies)
		c.mu.Unlock()
		t.Fatalf("the webhook received %d of %d events\n%s", got, n, logs.String())
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agent: %v\n%s", err, logs.String())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	for _, b := range c.bodies {
		seen[b] = true
	}
	for i := 0; i < n; i++ {
		if !seen[strconv.Itoa(i)] {
			t.Fatalf("event %d missing", i)
		}
	}
	return logs.String()
}

func TestPluginFromPluginsDir(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	root, bin := moduleRoot(t), t.TempDir()
	goBuild(t, root, "-o", filepath.Join(bin, "flume-ng"), "./cmd/flume-ng")
	pluginsDir := filepath.Join(t.TempDir(), "plugins.d")
	goBuild(t, root, "-buildmode=plugin", "-o", filepath.Join(pluginsDir, "webhook", "lib", "webhook.so"), "./examples/plugins/webhook/plugin")
	logs := runAgent(t, filepath.Join(bin, "flume-ng"), "--plugins-path", pluginsDir)
	if !strings.Contains(logs, "plugin loaded") || !strings.Contains(logs, "sink com.example.flume.WebhookSink") {
		t.Fatalf("the agent did not log what the plugin registered:\n%s", logs)
	}

	// A plugin built from a different version of a package the agent also
	// has (here: package net built with the netgo tag) cannot be
	// loaded; the
	// agent says which plugin and why, and does not crash.
	bad := filepath.Join(t.TempDir(), "plugins.d")
	goBuild(t, root, "-tags=netgo", "-buildmode=plugin", "-o", filepath.Join(bad, "webhook", "lib", "webhook.so"), "./examples/plugins/webhook/plugin")
	cmd := exec.Command(filepath.Join(bin, "flume-ng"), "check", "-n", "a1", "-f", config(t, "http://127.0.0.1:1/x", 10), "--plugins-path", bad)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("check passed with an unloadable plugin:\n%s", out)
	}
	if !strings.Contains(string(out), `plugin \"webhook\"`) || !strings.Contains(string(out), "cannot be loaded") ||
		!strings.Contains(string(out), `unknown sink type "com.example.flume.WebhookSink"`) {
		t.Fatalf("unclear report for a mismatched plugin:\n%s", out)
	}
}

func TestPluginInCustomBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	root, bin := moduleRoot(t), t.TempDir()
	goBuild(t, root, "-o", filepath.Join(bin, "flume-ng-webhook"), "./examples/plugins/webhook/cmd/flume-ng-webhook")
	runAgent(t, filepath.Join(bin, "flume-ng-webhook"))
}
