package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
)

// TestConfigFiltersEndToEnd runs an agent whose configuration takes values
// from both config filters, with Flume's syntax: the file_roll sink's
// directory from ${f1['HOME']} (the env filter) and the exec source's
// command from an external-process filter (a script that receives the key
// as its last argument). check resolves the same references, and reports a
// filter that fails.
func TestConfigFiltersEndToEnd(t *testing.T) {
	home := t.TempDir()
	secrets := filepath.Join(t.TempDir(), "secrets.sh")
	if err := os.WriteFile(secrets, []byte(`#!/bin/sh
case "$2" in
  greeting) echo "echo hello from $1" ;;
  *) echo "no secret $2" >&2; exit 1 ;;
esac
`), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := write(t, "a1.properties", `a1.configfilters = f1 f2
a1.configfilters.f1.type = env
a1.configfilters.f2.type = org.apache.flume.configfilter.ExternalProcessConfigFilter
a1.configfilters.f2.command = `+secrets+` vault
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.command = ${f2['greeting']}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${f1['HOME']}
a1.sinks.k1.sink.rollInterval = 0
`)
	env := append(os.Environ(), "HOME="+home)

	check := exec.Command(binary, "check", "-n", "a1", "-f", cfg)
	check.Env = env
	out, err := check.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "0 errors, 0 warnings") {
		t.Fatalf("check: %v\n%s", err, out)
	}

	agent := exec.Command(binary, "agent", "-n", "a1", "-f", cfg, "--no-reload-conf")
	agent.Env = env
	var logs flumetest.LogBuffer
	agent.Stderr = &logs
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = agent.Process.Kill() })
	waitLines(t, home, 1, &logs)
	if err := agent.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := agent.Wait(); err != nil {
		t.Fatalf("agent exit: %v\n%s", err, logs.String())
	}
	entries, _ := os.ReadDir(home)
	data, _ := os.ReadFile(filepath.Join(home, entries[0].Name()))
	if string(data) != "hello from vault\n" {
		t.Fatalf("the sink wrote %q into $HOME; want the line of the filtered command", data)
	}

	// A key the script refuses: check names the property, the command and
	// the script's complaint, and fails.
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bad := write(t, "bad.properties", strings.Replace(string(text), "${f2['greeting']}", "${f2['db-pass']}", 1))
	check = exec.Command(binary, "check", "-n", "a1", "-f", bad)
	check.Env = env
	out, err = check.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `a1.sources.r1.command: "${f2['db-pass']}": config filter "f2": command "`+secrets+` vault db-pass": exit status 1 (stderr: no secret db-pass)`) {
		t.Fatalf("check of a failing filter: %v\n%s", err, out)
	}
}
