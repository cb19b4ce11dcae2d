package netcat

import (
	"bufio"
	"io"
	"net"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
)

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
	conns := flumetest.Stalled(t, s.Addr().String(), n, []byte("half a li"))
	for i, c := range conns {
		if !flumetest.ClosedByPeer(t, c) {
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
	if !flumetest.ClosedByPeer(t, extra) {
		t.Fatal("a connection over max-connections was served")
	}
	lineOK(t, a, ar, "a again")
	lineOK(t, b, br, "b again")
}
