package main

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// run runs a command and fails the test with its output when it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// waitFor polls cond (another process does the work: there is nothing to
// wait on in-process) until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDebInstall installs the .deb on this machine as an operator would,
// runs the quickstart agent the way the unit does (as the package's user,
// from /etc/flume-ng), and removes and purges the package. It needs root
// and dpkg, and leaves the machine as it found it, also when it fails.
func TestDebInstall(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("FLUMEGO_REQUIRE_PEERS") == "1" {
			t.Fatal("the package test needs root (FLUMEGO_REQUIRE_PEERS=1)")
		}
		t.Skip("installing the .deb needs root")
	}
	dpkg := requireTool(t, "dpkg")
	setpriv := requireTool(t, "setpriv")
	if out, err := exec.Command("dpkg-query", "-W", "-f", "${Status}", "flume-ng").Output(); err == nil && strings.Contains(string(out), "installed") {
		t.Fatalf("flume-ng is already installed here (%s); the test will not replace it", out)
	}
	for _, p := range []string{"/etc/flume-ng", "/var/lib/flume-ng", "/var/log/flume-ng", "/usr/bin/flume-ng"} {
		if exists(p) {
			t.Fatalf("%s exists before the package is installed; the test will not touch it", p)
		}
	}
	_, lookupErr := user.Lookup("flume")
	userExisted := lookupErr == nil
	a := amd64Dist(t)

	t.Cleanup(func() {
		// Whatever happened: no package, no account we made, no directory.
		_ = exec.Command(dpkg, "--purge", "flume-ng").Run()
		if !userExisted {
			_ = exec.Command("userdel", "flume").Run()
			_ = exec.Command("groupdel", "flume").Run()
		}
		for _, p := range []string{"/etc/flume-ng", "/var/lib/flume-ng", "/var/log/flume-ng"} {
			_ = os.RemoveAll(p)
		}
	})

	start := time.Now()
	run(t, dpkg, "-i", a.deb)
	t.Logf("dpkg -i took %s", time.Since(start).Round(time.Millisecond))

	// The binary names the commit it was built from.
	if v := run(t, "/usr/bin/flume-ng", "version"); !strings.Contains(v, "Revision: "+a.commit+"\n") {
		t.Errorf("installed flume-ng version does not name commit %s:\n%s", a.commit, v)
	}
	// The system account and its directories.
	u, err := user.Lookup("flume")
	if err != nil {
		t.Fatalf("no flume account after install: %v", err)
	}
	if u.HomeDir != "/var/lib/flume-ng" {
		t.Errorf("flume's home is %s", u.HomeDir)
	}
	if pw := run(t, "getent", "passwd", "flume"); !strings.HasSuffix(strings.TrimSpace(pw), "nologin") {
		t.Errorf("flume can log in: %s", pw)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if uid >= 1000 {
		t.Errorf("flume has uid %d: not a system account", uid)
	}
	for _, d := range []string{"/var/lib/flume-ng", "/var/log/flume-ng"} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		sys := st.Sys().(*syscall.Stat_t)
		if int(sys.Uid) != uid || st.Mode().Perm() != 0o750 {
			t.Errorf("%s: uid %d mode %v, want flume's and 0750", d, sys.Uid, st.Mode().Perm())
		}
	}
	unit := "/usr/lib/systemd/system/flume-ng@.service"
	if analyze, err := exec.LookPath("systemd-analyze"); err == nil {
		inst := filepath.Join(t.TempDir(), "flume-ng@a1.service")
		data, _ := os.ReadFile(unit)
		if err := os.WriteFile(inst, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(analyze, "verify", inst).CombinedOutput(); err != nil {
			t.Errorf("systemd-analyze verify of the installed unit: %v\n%s", err, out)
		}
	}

	// The quickstart, dropped into /etc/flume-ng as an operator does, its
	// file_roll sink writing under the account's own directory.
	qs, err := os.ReadFile("../examples/quickstart/a1.properties")
	if err != nil {
		t.Fatal(err)
	}
	out := "/var/lib/flume-ng/quickstart"
	cfg := strings.ReplaceAll(string(qs), "/tmp/flumego-quickstart", out)
	if cfg == string(qs) {
		t.Fatal("the quickstart no longer writes to /tmp/flumego-quickstart; update this test")
	}
	if err := os.WriteFile("/etc/flume-ng/a1.properties", []byte(cfg), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown("/etc/flume-ng/a1.properties", 0, gid); err != nil {
		t.Fatal(err)
	}

	// The unit's own command line, for instance a1, with LOGFILE output
	// as FLUME_NG_OPTS in /etc/default/flume-ng would ask.
	d := unitDirectives(t, unit)
	line := strings.ReplaceAll(d["ExecStart"][0], "%i", "a1")
	line = strings.ReplaceAll(line, "$FLUME_NG_OPTS", "-Dflume.root.logger=INFO,LOGFILE")
	args := append([]string{"--reuid=flume", "--regid=flume", "--init-groups", "--"}, strings.Fields(line)...)
	cmd := exec.Command(setpriv, args...)
	cmd.Dir = d["WorkingDirectory"][0]
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/var/lib/flume-ng"}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := func() int {
		n := 0
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(out, e.Name()))
			n += strings.Count(string(data), "\n")
		}
		return n
	}
	waitFor(t, 30*time.Second, "the installed agent to write 3 quickstart lines to "+out, func() bool { return lines() >= 3 })
	entries, _ := os.ReadDir(out)
	st, err := os.Stat(filepath.Join(out, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	if owner := st.Sys().(*syscall.Stat_t).Uid; int(owner) != uid {
		t.Errorf("the sink's file is owned by uid %d, not flume (%d)", owner, uid)
	}
	start = time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agent after SIGTERM: %v\n%s", err, stderr.String())
	}
	t.Logf("the agent stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	logText, err := os.ReadFile("/var/log/flume-ng/a1.log")
	if err != nil || !strings.Contains(string(logText), `msg="agent started"`) || !strings.Contains(string(logText), `msg="agent stopped"`) {
		t.Errorf("/var/log/flume-ng/a1.log: %v\n%s\nstderr: %s", err, logText, stderr.String())
	}

	// dpkg -r: the program goes, configuration, data and account stay.
	run(t, dpkg, "-r", "flume-ng")
	for _, p := range []string{"/usr/bin/flume-ng", unit} {
		if exists(p) {
			t.Errorf("%s remains after dpkg -r", p)
		}
	}
	for _, p := range []string{"/etc/flume-ng/flume-env.sh", "/etc/flume-ng/a1.properties", out} {
		if !exists(p) {
			t.Errorf("%s was removed by dpkg -r; only a purge removes it", p)
		}
	}
	// dpkg --purge: the package's configuration files, data and logs go;
	// the operator's a1.properties stays, and so does the account (Debian
	// practice: uids are not recycled).
	run(t, dpkg, "--purge", "flume-ng")
	for _, p := range []string{"/etc/flume-ng/flume-env.sh", "/etc/default/flume-ng", "/var/lib/flume-ng", "/var/log/flume-ng"} {
		if exists(p) {
			t.Errorf("%s remains after dpkg --purge", p)
		}
	}
	if !exists("/etc/flume-ng/a1.properties") {
		t.Error("the operator's /etc/flume-ng/a1.properties was deleted by the purge")
	}
	if _, err := user.Lookup("flume"); err != nil {
		t.Errorf("the flume account was deleted by the purge: %v", err)
	}
	if st, _ := exec.Command("dpkg-query", "-W", "-f", "${Status}", "flume-ng").Output(); strings.Contains(string(st), "installed") {
		t.Errorf("dpkg still lists flume-ng: %s", st)
	}
}
