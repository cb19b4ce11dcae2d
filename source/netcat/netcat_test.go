package netcat

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
)

func start(t *testing.T, props map[string]string, capacity int) (*Source, *memory.Channel) {
	t.Helper()
	ch := flumetest.MemoryChannel(t, capacity, capacity, 0)
	props["bind"], props["port"] = "127.0.0.1", "0"
	proc := flumetest.Processor(ch)
	src, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(props), proc)
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*Source)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s, ch
}

func dial(t *testing.T, s *Source) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

func bodies(t *testing.T, ch flume.Channel) []string {
	t.Helper()
	var out []string
	_ = flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		evs, err := tx.Take(context.Background(), 100)
		for _, e := range evs {
			out = append(out, string(e.Body))
		}
		return err
	})
	return out
}

func TestLinesAreAcked(t *testing.T) {
	s, ch := start(t, map[string]string{}, 10)
	c, r := dial(t, s)
	c.Write([]byte("hello\nwin\r\n"))
	for i := 0; i < 2; i++ {
		if l, err := r.ReadString('\n'); err != nil || l != "OK\n" {
			t.Fatalf("ack %d: %q, %v", i, l, err)
		}
	}
	if got := strings.Join(bodies(t, ch), "|"); got != "hello|win\r" {
		t.Fatalf("bodies %q", got)
	}
}

func TestFullChannelAnswersFailed(t *testing.T) {
	s, ch := start(t, map[string]string{}, 1)
	c, r := dial(t, s)
	c.Write([]byte("one\ntwo\n"))
	if l, _ := r.ReadString('\n'); l != "OK\n" {
		t.Fatalf("first line: %q", l)
	}
	if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "FAILED: ") {
		t.Fatalf("second line into a full channel: %q", l)
	}
	if got := bodies(t, ch); len(got) != 1 || got[0] != "one" {
		t.Fatalf("bodies %q", got)
	}
}

func TestTooLongLineClosesOnlyThatConnection(t *testing.T) {
	s, ch := start(t, map[string]string{"max-line-length": "5"}, 10)
	c, r := dial(t, s)
	c.Write([]byte("123456\n"))
	if l, _ := r.ReadString('\n'); l != "FAILED: Event exceeds the maximum length (5 chars, including newline)\n" {
		t.Fatalf("reply %q", l)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("connection still open after an over-long line")
	}
	c2, r2 := dial(t, s)
	c2.Write([]byte("1234\n")) // exactly 5 chars with the newline
	if l, _ := r2.ReadString('\n'); l != "OK\n" {
		t.Fatalf("other connection: %q", l)
	}
	if got := bodies(t, ch); len(got) != 1 || got[0] != "1234" {
		t.Fatalf("bodies %q", got)
	}
}

func TestBadPort(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "44x"})
	if _, err := Factory(flume.Settings{}, cfg, nil); err == nil || !strings.Contains(err.Error(), "not a port number") {
		t.Fatalf("err = %v", err)
	}
}
