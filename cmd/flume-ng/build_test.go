package main

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// An external plugin module, as a plugin author writes one from
// docs/plugins.md: its own module path, flumego as a dependency, a sink
// registered from init.
const pluginGoMod = `module example.com/linesink

go 1.26

require github.com/flumego/flume v0.0.0-00010101000000-000000000000
`

const pluginSource = `// Package linesink is a test plugin: a sink appending each event body as a
// line to the file given by its path property.
package linesink

import (
	"context"
	"os"

	"github.com/flumego/flume"
	"github.com/flumego/flume/sink"
)

func init() {
	_ = flume.DefaultRegistry().RegisterSink("com.example.LineSink", factory, "linesink")
}

type lineSink struct {
	path string
	ch   flume.Channel
	f    *os.File
	n    flume.SinkCounter
}

func factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	s := &lineSink{path: cfg.Required("path"), ch: in}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	set.Publish(&s.n)
	return s, nil
}

func (s *lineSink) Start(context.Context) error {
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	s.f = f
	return err
}

func (s *lineSink) Stop(context.Context) error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

func (s *lineSink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: 100}, &s.n, func(_ context.Context, events []flume.Event) error {
		var b []byte
		for _, e := range events {
			b = append(append(b, e.Body...), '\n')
		}
		_, err := s.f.Write(b)
		return err
	})
	return res.Status, err
}
`

// TestBuildWithExternalPlugin is the plugin author's road: flume-ng build
// compiles a plugin from its own module (in a temporary directory, flumego
// replaced by this checkout) into a static binary, whose flume-ng version
// names the plugin and whose agent runs a configuration using it.
func TestBuildWithExternalPlugin(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("flume-ng build needs the go command")
	}
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	plugin := t.TempDir()
	for name, text := range map[string]string{"go.mod": pluginGoMod, "linesink.go": pluginSource} {
		if err := os.WriteFile(filepath.Join(plugin, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "flume-ng")
	start := time.Now()
	text, code := run(t, "build", "--with", "example.com/linesink="+plugin,
		"--replace", "github.com/flumego/flume="+checkout, "-o", out)
	if code != 0 {
		t.Fatalf("flume-ng build: exit %d\n%s", code, text)
	}
	t.Logf("flume-ng build took %s", time.Since(start).Round(time.Millisecond))

	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the built binary is dynamically linked; want a static binary")
		}
	}
	f.Close()

	version, err := exec.Command(out, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Plugin compiled in: example.com/linesink@v0.0.0-00010101000000-000000000000 (" + plugin + ")",
		"Built as module flume-ng-custom (flumego from a local directory)", "Flume 1.11.0"} {
		if !strings.Contains(string(version), want) {
			t.Errorf("version lacks %q:\n%s", want, version)
		}
	}

	sinkFile := filepath.Join(t.TempDir(), "lines")
	cfg := write(t, "a1.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 500
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = com.example.LineSink
a1.sinks.k1.path = `+sinkFile+`
a1.sinks.k1.channel = c1
`)
	cmd := exec.Command(out, "agent", "-n", "a1", "-f", cfg, "--no-reload-conf")
	var logs flumetest.LogBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	flumetest.WaitFor(t, 30*time.Second, "the plugin's sink to write 500 lines", func() bool {
		data, _ := os.ReadFile(sinkFile)
		return strings.Count(string(data), "\n") >= 500
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agent: %v\n%s", err, logs.String())
	}
	fh, err := os.Open(sinkFile)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for i := 0; sc.Scan(); i++ {
		if sc.Text() != strconv.Itoa(i) {
			t.Fatalf("line %d = %q", i, sc.Text())
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("agent logged errors:\n%s", logs.String())
	}
}
