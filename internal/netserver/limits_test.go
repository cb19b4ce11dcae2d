package netserver_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
)

// lineEcho answers each line with the same line; with tc set it speaks
// TLS.
func lineEcho(tc *tls.Config) netserver.Handler {
	return func(ctx context.Context, c *netserver.Conn) {
		var rw io.ReadWriter = c
		if tc != nil {
			t, err := c.ServerTLS(ctx, c, tc)
			if err != nil {
				return
			}
			rw = t
		}
		r := bufio.NewReader(rw)
		for {
			if r.Buffered() > 0 {
				c.Started()
			}
			line, err := r.ReadString('\n')
			if err != nil || !c.Begin() {
				return
			}
			_, err = io.WriteString(rw, line)
			if !c.End() || err != nil {
				return
			}
		}
	}
}

type served struct {
	srv       *netserver.Server
	addr      string
	conns     atomic.Int64
	bad       atomic.Int64
	refused   atomic.Int64
	lastError atomic.Value
}

func serve(t *testing.T, lim netserver.Limits, h netserver.Handler) *served {
	t.Helper()
	s := &served{}
	s.srv = netserver.New(netserver.Config{Name: "test server", Limits: lim, Hooks: netserver.Hooks{
		Connections:   &s.conns,
		OnConnRefused: func(net.Addr) { s.refused.Add(1) },
		OnBadRequest: func(err error) {
			s.bad.Add(1)
			s.lastError.Store(err)
		},
	}}, h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Start(ln)
	s.addr = ln.Addr().String()
	t.Cleanup(s.srv.Close)
	return s
}

func connect(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	return c
}

func echoes(t *testing.T, c net.Conn, r *bufio.Reader, line string) {
	t.Helper()
	if _, err := io.WriteString(c, line); err != nil {
		t.Fatal(err)
	}
	if got, err := r.ReadString('\n'); err != nil || got != line {
		t.Fatalf("echo of %q: %q, %v", line, got, err)
	}
}

// TestHalfRequestsAreClosed: 500 connections that send half a request and
// go silent are closed once the request timeout passes, each counted as a
// bad request, and the server holds no connection afterwards.
func TestHalfRequestsAreClosed(t *testing.T) {
	const n = 500
	s := serve(t, netserver.Limits{RequestTimeout: 300 * time.Millisecond}, lineEcho(nil))
	conns := flumetest.Stalled(t, s.addr, n, []byte("half a li"))
	flumetest.WaitFor(t, 30*time.Second, "the half requests' connections to be closed", func() bool {
		return s.bad.Load() == n && s.conns.Load() == 0
	})
	for i, c := range conns {
		if !flumetest.ClosedByPeer(t, c) {
			t.Fatalf("connection %d is still open", i)
		}
	}
	if err, _ := s.lastError.Load().(error); !errors.Is(err, netserver.ErrRequestTimeout) {
		t.Fatalf("bad request reported as %v", err)
	}
}

// TestIdleConnectionsAreNotTimedOut: a connection idle between requests
// for longer than the request timeout keeps working, in plain TCP and TLS
// (after its handshake).
func TestIdleConnectionsAreNotTimedOut(t *testing.T) {
	const timeout = 200 * time.Millisecond
	files := tlstest.Generate(t)
	cert, err := tls.LoadX509KeyPair(files.ServerCertPEM, files.ServerKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		srv  *tls.Config
	}{{"plain", nil}, {"tls", &tls.Config{Certificates: []tls.Certificate{cert}}}} {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, netserver.Limits{RequestTimeout: timeout}, lineEcho(tc.srv))
			c := connect(t, s.addr)
			if tc.srv != nil {
				tlc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
				if err := tlc.Handshake(); err != nil {
					t.Fatal(err)
				}
				c = tlc
				time.Sleep(3 * timeout) // idle after the handshake, before the first request
			}
			r := bufio.NewReader(c)
			echoes(t, c, r, "first\n")
			time.Sleep(3 * timeout) // the point of the test: idle longer than the timeout
			echoes(t, c, r, "after a long pause\n")
			if s.bad.Load() != 0 || s.conns.Load() != 1 {
				t.Fatalf("bad requests %d, connections %d", s.bad.Load(), s.conns.Load())
			}
		})
	}
}

// TestPipelinedHalfRequestIsTimedOut: a peer that sends a whole request
// and half of the next in one go, then goes silent, gets the first one
// answered and is closed after the timeout although the second request's
// start was read together with the first.
func TestPipelinedHalfRequestIsTimedOut(t *testing.T) {
	s := serve(t, netserver.Limits{RequestTimeout: 200 * time.Millisecond}, lineEcho(nil))
	c := connect(t, s.addr)
	if _, err := io.WriteString(c, "whole\nhal"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	if got, err := r.ReadString('\n'); err != nil || got != "whole\n" {
		t.Fatalf("answer %q, %v", got, err)
	}
	if !flumetest.ClosedByPeer(t, c) {
		t.Fatal("the connection with a half request is still open")
	}
	flumetest.WaitFor(t, 10*time.Second, "the bad request to be counted", func() bool { return s.bad.Load() == 1 })
}

// TestSlowTLSHandshakeIsTimedOut: a peer that starts a TLS handshake and
// stops is closed after the timeout.
func TestSlowTLSHandshakeIsTimedOut(t *testing.T) {
	files := tlstest.Generate(t)
	cert, err := tls.LoadX509KeyPair(files.ServerCertPEM, files.ServerKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	s := serve(t, netserver.Limits{RequestTimeout: 200 * time.Millisecond}, lineEcho(&tls.Config{Certificates: []tls.Certificate{cert}}))
	c := connect(t, s.addr)
	if _, err := c.Write([]byte{0x16, 0x03, 0x01, 0x00, 0x50, 0x01}); err != nil { // the start of a ClientHello
		t.Fatal(err)
	}
	if !flumetest.ClosedByPeer(t, c) {
		t.Fatal("a stalled TLS handshake kept its connection")
	}
	flumetest.WaitFor(t, 10*time.Second, "the stalled handshake's connection to end", func() bool { return s.conns.Load() == 0 })
}

// TestMaxConnections: connections over the cap are closed at once and
// counted while the open ones keep working; a freed slot is taken again.
func TestMaxConnections(t *testing.T) {
	s := serve(t, netserver.Limits{MaxConnections: 3}, lineEcho(nil))
	var open []net.Conn
	var readers []*bufio.Reader
	for range 3 {
		c := connect(t, s.addr)
		r := bufio.NewReader(c)
		echoes(t, c, r, "hello\n")
		open, readers = append(open, c), append(readers, r)
	}
	for range 2 {
		extra := connect(t, s.addr)
		_, _ = io.WriteString(extra, "me too\n")
		if !flumetest.ClosedByPeer(t, extra) {
			t.Fatal("a connection over max-connections was served")
		}
	}
	if s.refused.Load() != 2 || s.conns.Load() != 3 {
		t.Fatalf("refused %d, open %d", s.refused.Load(), s.conns.Load())
	}
	for i, c := range open {
		echoes(t, c, readers[i], "still here\n")
	}
	_ = open[0].Close()
	flumetest.WaitFor(t, 10*time.Second, "the closed connection's slot to free", func() bool { return s.conns.Load() == 2 })
	c := connect(t, s.addr)
	echoes(t, c, bufio.NewReader(c), "in the freed slot\n")
}

// TestWriteTimeout: a peer that does not read its answers loses its
// connection once a write blocks longer than the request timeout.
func TestWriteTimeout(t *testing.T) {
	big := strings.Repeat("x", 1<<20) + "\n"
	done := make(chan error, 1)
	s := serve(t, netserver.Limits{RequestTimeout: 200 * time.Millisecond}, func(_ context.Context, c *netserver.Conn) {
		var err error
		for err == nil {
			_, err = io.WriteString(c, big)
		}
		done <- err
	})
	connect(t, s.addr) // and never read
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("write ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the write to a peer that does not read never timed out")
	}
}

func TestParseLimits(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  netserver.Limits
		err   string
	}{
		{props: map[string]string{}, want: netserver.Limits{RequestTimeout: netserver.DefaultRequestTimeout}},
		{props: map[string]string{"max-connections": "100", "request-read-timeout": "5000"}, want: netserver.Limits{MaxConnections: 100, RequestTimeout: 5 * time.Second}},
		{props: map[string]string{"request-read-timeout": "0"}, want: netserver.Limits{RequestTimeout: -1}},
		{props: map[string]string{"max-connections": "-1"}, err: "max-connections"},
		{props: map[string]string{"request-read-timeout": "soon"}, err: "request-read-timeout"},
	} {
		cfg := flume.ContextFromMap(tc.props)
		got := netserver.ParseLimits(cfg)
		if err := cfg.Err(); tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want one about %s", tc.props, err, tc.err)
			}
			continue
		} else if err != nil {
			t.Errorf("%v: %v", tc.props, err)
		}
		if got != tc.want {
			t.Errorf("%v: %+v, want %+v", tc.props, got, tc.want)
		}
	}
}
