package netcat

import (
	"bufio"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// closedByServer reports whether the server closed c: a read ends, and not
// by timing out.
func closedByServer(t *testing.T, c net.Conn) bool {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}

func lineOK(t *testing.T, c net.Conn, r *bufio.Reader, line string) {
	t.Helper()
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		t.Fatal(err)
	}
	if got, err := r.ReadString('\n'); err != nil || got != "OK\n" {
		t.Fatalf("%q answered %q, %v", line, got, err)
	}
}

// TestHalfLinesAreClosed (issue 19, finding 3): 500 connections that send
// part of a line and go silent are closed once request-read-timeout passes;
// a client idle between lines for longer than that keeps its connection.
func TestHalfLinesAreClosed(t *testing.T) {
	const n = 500
	s, ch := start(t, map[string]string{"request-read-timeout": "300"}, 10)
	idle, idleR := dial(t, s)
	lineOK(t, idle, idleR, "before")
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "half a li"); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	for i, c := range conns {
		if !closedByServer(t, c) {
			t.Fatalf("connection %d is still open", i)
		}
	}
	lineOK(t, idle, idleR, "after") // idle for longer than the timeout
	if got := bodies(t, ch); len(got) != 2 || got[0] != "before" || got[1] != "after" {
		t.Fatalf("channel holds %q", got)
	}
}

// TestMaxConnections: connections over max-connections are closed at once
// while the open ones keep working.
func TestMaxConnections(t *testing.T) {
	s, _ := start(t, map[string]string{"max-connections": "2"}, 10)
	a, ar := dial(t, s)
	b, br := dial(t, s)
	lineOK(t, a, ar, "a")
	lineOK(t, b, br, "b")
	extra, _ := dial(t, s)
	_, _ = io.WriteString(extra, "c\n")
	if !closedByServer(t, extra) {
		t.Fatal("a connection over max-connections was served")
	}
	lineOK(t, a, ar, "a again")
	lineOK(t, b, br, "b again")
}
