package syslog

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// senderZone is the time zone the senders run in (POSIX TZ, nine hours
// ahead of UTC, no zone file needed): Flume reads their timestamps as the
// agent's local time, ignoring the offset RFC 5424 ones carry (they have
// a fraction), so the timestamp header is their wall-clock time read in
// the agent's zone.
const senderZone = "JST-9"

// wantTimestamp checks a timestamp header against Flume's reading of a
// message sent at about sent from senderZone: the sender's wall-clock time
// in the agent's time zone (time.Local), within a few seconds.
func wantTimestamp(t *testing.T, e flume.Event, sent time.Time) {
	t.Helper()
	wall := sent.In(time.FixedZone("JST", 9*3600))
	want := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.Local)
	got, err := strconv.ParseInt(hdr(e, HeaderTimestamp), 10, 64)
	if err != nil {
		t.Fatalf("timestamp header %q", hdr(e, HeaderTimestamp))
	}
	if d := time.UnixMilli(got).Sub(want); d < -3*time.Second || d > 3*time.Second {
		t.Errorf("timestamp %v, want about %v (the sender's wall clock read as local time)", time.UnixMilli(got), want)
	}
}

func shortHostname(t *testing.T) string {
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	short, _, _ := strings.Cut(h, ".")
	return short
}

func checkEvent(t *testing.T, what string, e flume.Event, sent time.Time, headers map[string]string, body string) {
	t.Helper()
	for k, v := range headers {
		if got := hdr(e, k); got != v {
			t.Errorf("%s: header %s = %q, want %q (headers %v)", what, k, got, v, headersOf(e))
		}
	}
	if string(e.Body) != body {
		t.Errorf("%s: body %q, want %q", what, e.Body, body)
	}
	wantTimestamp(t, e, sent)
}

// TestLogger: util-linux logger sends RFC 5424 and RFC 3164 messages over
// TCP (newline-framed and octet-counted) and UDP; the events carry the
// headers and bodies Flume's syslog sources make of them.
func TestLogger(t *testing.T) {
	logger := flumetest.Peer(t, "util-linux logger (Debian bsdutils; .ci/setup.d)", "logger")
	host := shortHostname(t)
	tcpCh := flumetest.MemoryChannel(t, 100, 100, 0)
	tcp := startSource(t, TCPFactory, map[string]string{}, flumetest.Processor(tcpCh))
	udpCh := flumetest.MemoryChannel(t, 100, 100, 0)
	udp := startSource(t, UDPFactory, map[string]string{}, flumetest.Processor(udpCh))
	send := func(addr string, args ...string) time.Time {
		h, p, _ := net.SplitHostPort(addr)
		cmd := exec.Command(logger, append([]string{"-n", h, "-P", p, "-t", "mytag", "-p", "user.notice"}, args...)...)
		cmd.Env = append(os.Environ(), "TZ="+senderZone)
		sent := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("logger %v: %v\n%s", args, err, out)
		}
		return sent
	}
	rfc5424 := map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "version": "1", "host": host}
	rfc3164 := map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "host": host}
	const sd = `[timeQuality tzKnown="1" isSynced="0"] `
	for _, c := range []struct {
		name    string
		udp     bool
		args    []string
		headers map[string]string
		body    string
	}{
		{"RFC 5424 over TCP", false, []string{"--rfc5424", "-T", "a 5424 message"}, rfc5424, "mytag - - " + sd + "a 5424 message"},
		{"RFC 5424 octet-counted", false, []string{"--rfc5424", "-T", "--octet-count", "counted"}, rfc5424, "mytag - - " + sd + "counted"},
		{"RFC 3164 over TCP", false, []string{"--rfc3164", "-T", "a 3164 message"}, rfc3164, "mytag: a 3164 message"},
		{"RFC 5424 over UDP", true, []string{"--rfc5424", "-d", "datagram"}, rfc5424, "mytag - - " + sd + "datagram"},
		{"RFC 3164 over UDP", true, []string{"--rfc3164", "-d", "old datagram"}, rfc3164, "mytag: old datagram"},
	} {
		src, ch := tcp, tcpCh
		if c.udp {
			src, ch = udp, udpCh
		}
		sent := send(src.Addr().String(), c.args...)
		e := waitEvents(t, ch, 1)[0]
		body := c.body
		if strings.Contains(string(e.Body), `isSynced="1"`) { // the machine's clock is NTP-synchronised
			body = strings.Replace(body, sd, string(e.Body[strings.Index(string(e.Body), "[timeQuality"):strings.Index(string(e.Body), "] ")+2]), 1)
		}
		checkEvent(t, c.name, e, sent, c.headers, body)
	}
}

// TestRsyslog: Debian's rsyslog, reading messages that logger writes to
// its private socket, forwards them to syslogtcp (octet-counted, RFC 5424
// through RSYSLOG_SyslogProtocol23Format; and newline-framed, RFC 3164,
// its default) and to syslogudp; each arrives as Flume makes it. rsyslog
// runs in a temporary directory with its own configuration, pid file and
// work directory, on no system socket, and is stopped by the test.
func TestRsyslog(t *testing.T) {
	rsyslogd := flumetest.Peer(t, "Debian rsyslog (.ci/setup.d)", "rsyslogd", "/usr/sbin/rsyslogd")
	logger := flumetest.Peer(t, "util-linux logger (Debian bsdutils; .ci/setup.d)", "logger")
	host := shortHostname(t)
	var chans []flume.Channel
	var ports []string
	for _, f := range []flume.SourceFactory{TCPFactory, TCPFactory, UDPFactory} {
		ch := flumetest.MemoryChannel(t, 100, 100, 0)
		src := startSource(t, f, map[string]string{}, flumetest.Processor(ch))
		chans = append(chans, ch)
		_, port, _ := net.SplitHostPort(src.Addr().String())
		ports = append(ports, port)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "log.sock")
	conf := filepath.Join(dir, "rsyslog.conf")
	if err := os.Mkdir(filepath.Join(dir, "work"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := os.WriteFile(conf, []byte(fmt.Sprintf(`global(workDirectory=%q)
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q)
action(type="omfwd" target="127.0.0.1" port=%q protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
action(type="omfwd" target="127.0.0.1" port=%q protocol="tcp")
action(type="omfwd" target="127.0.0.1" port=%q protocol="udp")
`, filepath.Join(dir, "work"), sock, ports[0], ports[1], ports[2])), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	var out flumetest.LogBuffer
	cmd := exec.Command(rsyslogd, "-n", "-f", conf, "-i", filepath.Join(dir, "rsyslogd.pid"))
	cmd.Env = append(os.Environ(), "TZ="+senderZone)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("rsyslogd did not stop on SIGTERM:\n%s", out.String())
		}
	})
	flumetest.WaitFor(t, 10*time.Second, "rsyslogd's socket", func() bool {
		_, err := os.Stat(sock)
		return err == nil
	})
	sent := time.Now()
	if b, err := exec.Command(logger, "-u", sock, "-t", "mytag", "-p", "local3.warning", "hello rsyslog").CombinedOutput(); err != nil {
		t.Fatalf("logger: %v\n%s", err, b)
	}
	headers := map[string]string{"Facility": "19", "Severity": "4", "priority": "156", "host": host}
	e := waitEvents(t, chans[0], 1)[0]
	checkEvent(t, "octet-counted RFC 5424", e, sent, map[string]string{"Facility": "19", "Severity": "4", "priority": "156", "version": "1", "host": host},
		"mytag - - -  hello rsyslog")
	e = waitEvents(t, chans[1], 1)[0]
	checkEvent(t, "newline-framed RFC 3164", e, sent, headers, "mytag: hello rsyslog")
	e = waitEvents(t, chans[2], 1)[0]
	checkEvent(t, "UDP", e, sent, headers, "mytag: hello rsyslog")
	if t.Failed() {
		t.Logf("rsyslogd said:\n%s", out.String())
	}
}
