package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/buildinfo"
)

// TestVersionStamped builds flume-ng as make build does (-trimpath, the
// -ldflags -X stamps) and checks that flume-ng version names exactly that
// version, commit and build date.
func TestVersionStamped(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "flume-ng")
	const commit = "0123456789abcdef0123456789abcdef01234567"
	ldflags := "-X " + buildinfo.VersionVar + "=v9.8.7 -X " + buildinfo.CommitVar + "=" + commit +
		" -X " + buildinfo.DateVar + "=2026-12-01T10:00:00Z"
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as make build and make dist: their build cache serves this one
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Flume " + buildinfo.FlumeVersion + "\n", "flumego 9.8.7 (go", "Revision: " + commit, // then " (modified)" in a work tree with changes
		"Compiled by go", " on 2026-12-01T10:00:00Z\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("flume-ng version lacks %q:\n%s", want, out)
		}
	}
}
