package envcheck

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume"
)

func need(kind flume.NeedKind, key, value string) flume.Need {
	return flume.Need{Kind: kind, Value: value, Property: flume.Property{Key: "a1.x." + key, Value: value, File: "a1.properties", Line: 7}}
}

// checkOne returns the single problem Check finds for n, or fails.
func checkOne(t *testing.T, n flume.Need) flume.Problem {
	t.Helper()
	ps := Check(context.Background(), []flume.Need{n})
	if len(ps) != 1 {
		t.Fatalf("%s %q: %d problems, want 1: %v", n.Kind, n.Value, len(ps), ps)
	}
	if ps[0].File != "a1.properties" || ps[0].Line != 7 || ps[0].Key != n.Property.Key || ps[0].Value != n.Value {
		t.Fatalf("problem not located at the need's property: %+v", ps[0])
	}
	return ps[0]
}

func wantProblem(t *testing.T, n flume.Need, sev flume.Severity, fragment string) {
	t.Helper()
	p := checkOne(t, n)
	if p.Severity != sev || !strings.Contains(p.Message, fragment) {
		t.Fatalf("%s %q: %s %q, want %s containing %q", n.Kind, n.Value, p.Severity, p.Message, sev, fragment)
	}
}

func wantNone(t *testing.T, n flume.Need) {
	t.Helper()
	if ps := Check(context.Background(), []flume.Need{n}); len(ps) != 0 {
		t.Fatalf("%s %q: %v", n.Kind, n.Value, ps)
	}
}

func TestWritableDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantNone(t, need(flume.NeedWritableDir, "dataDirs", dir))
	wantNone(t, need(flume.NeedWritableDir, "dataDirs", filepath.Join(dir, "new", "deeper")))
	wantProblem(t, need(flume.NeedWritableDir, "dataDirs", file), flume.Error, "is a regular file, not a directory")
	wantProblem(t, need(flume.NeedWritableDir, "dataDirs", filepath.Join(file, "sub")), flume.Error, "cannot be created: "+file+" is a regular file")
}

func TestExistingDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, k := range []flume.NeedKind{flume.NeedExistingDir, flume.NeedReadableDir} {
		wantNone(t, need(k, "spoolDir", dir))
		wantProblem(t, need(k, "spoolDir", filepath.Join(dir, "missing")), flume.Error, "does not exist (the component does not create it)")
		wantProblem(t, need(k, "spoolDir", file), flume.Error, "is a regular file, not a directory")
	}
}

// TestReadOnlyFileSystem mounts a read-only tmpfs (as root; otherwise a
// directory without write permission stands in for it).
func TestReadOnlyFileSystem(t *testing.T) {
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		wantProblem(t, need(flume.NeedWritableDir, "checkpointDir", dir), flume.Error, "is not writable by this process")
		wantProblem(t, need(flume.NeedWritableDir, "checkpointDir", filepath.Join(dir, "new")), flume.Error, "cannot be created: "+dir+" is not writable")
		t.Skip("not root: a read-only mount needs root; checked a read-only directory instead")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a read-only tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	wantProblem(t, need(flume.NeedWritableDir, "checkpointDir", dir), flume.Error, "is on a read-only file system")
	wantProblem(t, need(flume.NeedWritableDir, "checkpointDir", filepath.Join(dir, "checkpoint")), flume.Error, "is on a read-only file system")
	wantProblem(t, need(flume.NeedExistingDir, "spoolDir", dir), flume.Error, "is on a read-only file system")
	wantNone(t, need(flume.NeedReadableDir, "spoolDir", dir))
}

func TestListenHost(t *testing.T) {
	for _, ok := range []string{"127.0.0.1", "0.0.0.0", "::", "[::1]", "localhost", ""} {
		wantNone(t, need(flume.NeedListenHost, "bind", ok))
	}
	wantProblem(t, need(flume.NeedListenHost, "bind", "999.1.1.1"), flume.Error, "not a valid IPv4 address")
	wantProblem(t, need(flume.NeedListenHost, "bind", "192.0.2.7"), flume.Error, "not an address of this machine")
	wantProblem(t, need(flume.NeedListenHost, "bind", "bad host"), flume.Error, "not a valid host name")
	wantProblem(t, need(flume.NeedListenHost, "bind", "flumego-test.invalid"), flume.Error, "does not resolve")
}

func TestPeerHosts(t *testing.T) {
	wantNone(t, need(flume.NeedPeerHost, "hostname", "127.0.0.1"))
	wantNone(t, need(flume.NeedPeerHost, "hostname", "localhost"))
	wantNone(t, need(flume.NeedPeerAddress, "hosts.h1", "localhost:4141"))
	wantNone(t, need(flume.NeedPeerAddress, "hosts.h1", "[::1]:4141"))
	wantProblem(t, need(flume.NeedPeerHost, "hostname", "999.1.1.1"), flume.Error, "not a valid IPv4 address")
	wantProblem(t, need(flume.NeedPeerHost, "hostname", "flumego-test.invalid"), flume.Warning, "does not resolve now")
	wantProblem(t, need(flume.NeedPeerAddress, "hosts.h1", "localhost"), flume.Error, "not a host:port address")
	wantProblem(t, need(flume.NeedPeerAddress, "hosts.h1", "localhost:99999"), flume.Error, `port "99999" is not a port number`)
	wantProblem(t, need(flume.NeedPeerAddress, "hosts.h1", "exa mple:80"), flume.Error, "not a valid host name")
}

// TestNeedsFromContext declares needs through a component's context: the
// value's own property locates a set key, the component's anchor a default.
func TestNeedsFromContext(t *testing.T) {
	anchor := flume.Property{Key: "a1.channels.c1.type", Value: "file", File: "a1.properties", Line: 3}
	set := flume.Property{Key: "a1.channels.c1.dataDirs", Value: "/x", File: "a1.properties", Line: 5}
	cfg := flume.NewContext("a1.channels.c1.", anchor, []flume.Property{anchor, set})
	cfg.Need(flume.NeedWritableDir, "dataDirs", "/x")
	cfg.Need(flume.NeedWritableDir, "checkpointDir", "/home/u/.flume/file-channel/checkpoint")
	cfg.Need(flume.NeedWritableDir, "unset", "")
	got := cfg.Needs()
	if len(got) != 2 || got[0].Property != set ||
		got[1].Property != (flume.Property{Key: "a1.channels.c1.checkpointDir", File: "a1.properties", Line: 3}) {
		t.Fatalf("needs %+v", got)
	}
}
