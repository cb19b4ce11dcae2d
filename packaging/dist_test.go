package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireTool returns the path of a tool the test needs: a missing one
// skips the test on a developer's machine and fails it in CI
// (FLUMEGO_REQUIRE_PEERS=1, where .ci/setup.d/packaging.sh installs it).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("FLUMEGO_REQUIRE_PEERS") == "1" {
			t.Fatalf("%s is required (FLUMEGO_REQUIRE_PEERS=1) but not installed: %v", name, err)
		}
		t.Skipf("%s is not installed (.ci/setup.d/packaging.sh installs it)", name)
	}
	return path
}

// testCommit is the commit the test artifacts are stamped with: the
// checkout's HEAD, or a made-up one outside git.
func testCommit() string {
	out, err := exec.Command("git", "-C", "..", "rev-parse", "HEAD").Output()
	if c := strings.TrimSpace(string(out)); err == nil && len(c) == 40 {
		return c
	}
	return "0123456789abcdef0123456789abcdef01234567"
}

type artifacts struct {
	dir, tarball, deb, rpm, sums, bin, commit, version string
}

var (
	distOnce sync.Once
	dist     artifacts
	distErr  error
)

// amd64Dist runs Dist once for this machine's architecture, as make dist
// does for every one (the arm64 cross-compilation costs a full build and
// adds nothing these tests could check, so only make dist does it).
func amd64Dist(t *testing.T) artifacts {
	t.Helper()
	distOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flumego-dist-test-")
		if err != nil {
			distErr = err
			return
		}
		commit := testCommit()
		start := time.Now()
		var log strings.Builder
		written, err := Dist(context.Background(), Options{Root: "..", Out: dir, Arches: []string{"amd64"},
			Formats: []string{"tar", "deb", "rpm"}, Commit: commit, Date: "2026-12-01T10:00:00Z", Log: &log})
		if err != nil {
			distErr = err
			os.RemoveAll(dir)
			return
		}
		t.Logf("Dist for amd64 took %s:\n%s", time.Since(start).Round(time.Millisecond), log.String())
		o := Options{Root: ".."}
		version, _ := o.release()
		dist = artifacts{dir: dir, tarball: written[0], deb: written[1], rpm: written[2], sums: written[3],
			bin: filepath.Join(dir, "build", "linux-amd64", "flume-ng"), commit: commit, version: version}
	})
	if distErr != nil {
		t.Fatal(distErr)
	}
	return dist
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dist.dir != "" {
		os.RemoveAll(dist.dir)
	}
	os.Exit(code)
}

func TestArtifactNames(t *testing.T) {
	a := amd64Dist(t)
	for _, c := range []struct{ got, want string }{
		{filepath.Base(a.tarball), "flumego-" + a.version + "-linux-amd64.tar.gz"},
		{filepath.Base(a.deb), "flume-ng_" + a.version + "-1_amd64.deb"},
		{filepath.Base(a.rpm), "flume-ng-" + a.version + "-1.x86_64.rpm"},
	} {
		if c.got != c.want {
			t.Errorf("artifact %s, want %s", c.got, c.want)
		}
	}
	sums, err := os.ReadFile(a.sums)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{a.tarball, a.deb, a.rpm} {
		data, _ := os.ReadFile(f)
		h := sha256.Sum256(data)
		if line := hex.EncodeToString(h[:]) + "  " + filepath.Base(f) + "\n"; !strings.Contains(string(sums), line) {
			t.Errorf("SHA256SUMS lacks %q", line)
		}
	}
}

// TestVersionNamesTheCommit: the binary says exactly what it is.
func TestVersionNamesTheCommit(t *testing.T) {
	a := amd64Dist(t)
	out, err := exec.Command(a.bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"flumego " + a.version + " (go", "Revision: " + a.commit, " on 2026-12-01T10:00:00Z"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("flume-ng version lacks %q:\n%s", want, out)
		}
	}
}

// TestTarballLayout: Flume's binary release layout, root-owned, with the
// binary executable and a configuration template flume-ng accepts.
func TestTarballLayout(t *testing.T) {
	a := amd64Dist(t)
	f, err := os.Open(a.tarball)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	top := "flumego-" + a.version + "-bin/"
	extract := t.TempDir()
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h.Name, top) || h.Uname != "root" || h.Uid != 0 {
			t.Errorf("entry %s owned by %s/%d", h.Name, h.Uname, h.Uid)
		}
		names = append(names, strings.TrimPrefix(h.Name, top))
		dst := filepath.Join(extract, h.Name)
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, _ := io.ReadAll(tr)
		if err := os.WriteFile(dst, data, os.FileMode(h.Mode)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"", "LICENSE", "NOTICE", "bin/", "bin/flume-ng", "conf/", "conf/flume-conf.properties.template",
		"conf/flume-env.sh.template", "docs/", "docs/README.md", "docs/flume-ng@.service", "docs/plugins.md",
		"plugins.d/", "plugins.d/README.md"}
	if !slices.Equal(names, want) {
		t.Fatalf("tarball holds\n%q\nwant\n%q", names, want)
	}
	home := filepath.Join(extract, top)
	out, err := exec.Command(filepath.Join(home, "bin", "flume-ng"), "check", "-n", "agent",
		"-f", filepath.Join(home, "conf", "flume-conf.properties.template")).CombinedOutput()
	if err != nil {
		t.Errorf("flume-ng check of conf/flume-conf.properties.template: %v\n%s", err, out)
	}
	// The env template's -D settings are all commented out: it sets nothing
	// until the user says so.
	env, _ := os.ReadFile(filepath.Join(home, "conf", "flume-env.sh.template"))
	for _, line := range strings.Split(string(env), "\n") {
		if strings.Contains(line, "JAVA_OPTS") && !strings.HasPrefix(line, "#") {
			t.Errorf("flume-env.sh.template sets %q", line)
		}
	}
}

// TestRPMContents checks the .rpm with Debian's rpm (rpm -qpl).
func TestRPMContents(t *testing.T) {
	rpm := requireTool(t, "rpm")
	a := amd64Dist(t)
	out, err := exec.Command(rpm, "-qpl", a.rpm).CombinedOutput()
	if err != nil {
		t.Fatalf("rpm -qpl: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	want := []string{"/etc/default/flume-ng", "/etc/flume-ng", "/etc/flume-ng/flume-conf.properties.template",
		"/etc/flume-ng/flume-env.sh", "/usr/bin/flume-ng", "/usr/lib/systemd/system/flume-ng@.service",
		"/usr/share/doc/flume-ng/NOTICE", "/usr/share/doc/flume-ng/README.md", "/usr/share/doc/flume-ng/plugins.md",
		"/usr/share/licenses/flume-ng/LICENSE", "/var/lib/flume-ng", "/var/log/flume-ng"}
	if !slices.Equal(got, want) {
		t.Errorf("rpm -qpl:\n%q\nwant\n%q", got, want)
	}
	// Ownership, modes and configuration flags.
	out, err = exec.Command(rpm, "-qp", "--queryformat", "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]", a.rpm).CombinedOutput()
	if err != nil {
		t.Fatalf("rpm -qp --queryformat: %v\n%s", err, out)
	}
	for _, line := range []string{"-rwxr-xr-x root  /usr/bin/flume-ng", "drwxr-x--- flume  /var/lib/flume-ng",
		"drwxr-x--- flume  /var/log/flume-ng", "-rw-r--r-- root cn /etc/flume-ng/flume-env.sh"} {
		if !strings.Contains(string(out), line+"\n") {
			t.Errorf("rpm file list lacks %q:\n%s", line, out)
		}
	}
	out, err = exec.Command(rpm, "-qp", "--scripts", a.rpm).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"preinstall scriptlet", "useradd --system", "postinstall scriptlet", "preuninstall scriptlet", "postuninstall scriptlet"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("rpm scripts lack %q", s)
		}
	}
}

// unitDirectives reads a unit file's Key=Value lines.
func unitDirectives(t *testing.T, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			out[k] = append(out[k], v)
		}
	}
	return out
}

// agentStopBound is how long flume-ng agent takes at most to stop after
// SIGTERM: cmd/flume-ng/app's stop context (60 s), which bounds the drain
// (agent.Options.DrainTimeout, 10 s) and the components' Stop.
const agentStopBound = 60 * time.Second

// TestUnitFile checks the unit's promises and has systemd-analyze verify it.
func TestUnitFile(t *testing.T) {
	unit := "systemd/flume-ng@.service"
	d := unitDirectives(t, unit)
	one := func(k string) string {
		if len(d[k]) != 1 {
			t.Errorf("%s: %d values %q, want one", k, len(d[k]), d[k])
			return ""
		}
		return d[k][0]
	}
	if s := one("TimeoutStopSec"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || time.Duration(n)*time.Second <= agentStopBound {
			t.Errorf("TimeoutStopSec=%s must exceed the agent's stop bound %s", s, agentStopBound)
		}
	}
	for k, want := range map[string]string{"KillSignal": "SIGTERM", "KillMode": "mixed", "Restart": "on-failure", "User": "flume",
		"ProtectSystem": "strict", "NoNewPrivileges": "yes", "WorkingDirectory": "/var/lib/flume-ng"} {
		if got := one(k); got != want {
			t.Errorf("%s=%s, want %s", k, got, want)
		}
	}
	if rw := one("ReadWritePaths"); rw != "/var/lib/flume-ng /var/log/flume-ng" {
		t.Errorf("ReadWritePaths=%s", rw)
	}
	exec0 := one("ExecStart")
	for _, want := range []string{"/usr/bin/flume-ng agent -n %i ", " -c /etc/flume-ng ", " -f /etc/flume-ng/%i.properties ", "-Dflume.log.dir=/var/log/flume-ng"} {
		if !strings.Contains(exec0, want) {
			t.Errorf("ExecStart=%s lacks %q", exec0, want)
		}
	}

	analyze := requireTool(t, "systemd-analyze")
	a := amd64Dist(t)
	// verify wants ExecStart's binary to exist: point it at the one built.
	data, _ := os.ReadFile(unit)
	inst := filepath.Join(t.TempDir(), "flume-ng@a1.service")
	if err := os.WriteFile(inst, []byte(strings.ReplaceAll(string(data), "/usr/bin/flume-ng", a.bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", inst).CombinedOutput()
	if err != nil || regexp.MustCompile(`(?i)unknown|ignoring|invalid`).Match(out) {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func TestReleaseFromTheSource(t *testing.T) {
	o := Options{Root: ".."}
	v, err := o.release()
	if err != nil || !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(v) {
		t.Fatalf("release() = %q, %v", v, err)
	}
	o.Version = "v2.0.1"
	if v, _ := o.release(); v != "2.0.1" {
		t.Errorf("-version v2.0.1 gives %q", v)
	}
}
