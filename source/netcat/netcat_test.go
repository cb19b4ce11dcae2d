package netcat

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
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

// TestOverLongLineIsAnsweredAtOnce is finding 6 of issue 19: 600 bytes
// without a newline, with max-line-length 512, got no answer until 4 KB or
// a newline arrived. The answer now comes as soon as the limit is passed,
// the connection ends cleanly after it, and the event is logged, once per
// interval however many clients do it.
func TestOverLongLineIsAnsweredAtOnce(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ch := flumetest.MemoryChannel(t, 10, 10, 0)
	src, err := Factory(flume.Settings{Name: "r1", Logger: log},
		flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0", "max-line-length": "512"}), flumetest.Processor(ch))
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*Source)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	for i := range 3 {
		c, r := dial(t, s)
		if _, err := c.Write(bytes.Repeat([]byte("x"), 600)); err != nil {
			t.Fatal(err)
		}
		// The client keeps the connection open and sends nothing more.
		if l, err := r.ReadString('\n'); l != "FAILED: Event exceeds the maximum length (512 chars, including newline)\n" {
			t.Fatalf("connection %d: reply %q, %v", i, l, err)
		}
		if _, err := r.ReadByte(); err != io.EOF {
			t.Fatalf("connection %d: after the reply: %v, want the end of the stream", i, err)
		}
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Fatalf("%d warnings for 3 over-long lines within the interval, want 1:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "longer than max-line-length"); n != 3 {
		t.Fatalf("%d log lines (warning and debug) for 3 over-long lines:\n%s", n, logs.String())
	}
}

// TestHugeLineGetsTheReplyNotAReset is finding 6 of issue 19: a 100 MB line
// ended in a connection reset, which discards Flume's FAILED reply at the
// client. The source now replies, shuts its side down and reads what the
// client still sends, so every write succeeds and the client reads the reply
// and a clean end of stream.
func TestHugeLineGetsTheReplyNotAReset(t *testing.T) {
	s, ch := start(t, map[string]string{"max-line-length": "512"}, 10)
	c, r := dial(t, s)
	const total = 64 << 20
	wrote := make(chan error, 1)
	go func() {
		chunk := bytes.Repeat([]byte("y"), 1<<20)
		for n := 0; n < total; n += len(chunk) {
			if _, err := c.Write(chunk); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- c.(*net.TCPConn).CloseWrite()
	}()
	if l, err := r.ReadString('\n'); l != "FAILED: Event exceeds the maximum length (512 chars, including newline)\n" {
		t.Fatalf("reply %q, %v", l, err)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("after the reply: %v, want the end of the stream", err)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("sending the rest of the line: %v (the source reset the connection)", err)
	}
	if got := bodies(t, ch); len(got) != 0 {
		t.Fatalf("%d events from an over-long line", len(got))
	}
}

// TestLongLinesAreScannedLinearly is finding 6 of issue 19: with a large
// max-line-length, every 4 KB read recounted the characters of the whole
// line so far, quadratic in the line (a 16 MB line of two-byte characters
// meant counting about 30 GB). The line is now examined once; the conn
// deadline of dial only guards against a hang.
func TestLongLinesAreScannedLinearly(t *testing.T) {
	s, ch := start(t, map[string]string{"max-line-length": "100000000"}, 10)
	c, r := dial(t, s)
	line := strings.Repeat("é", 8<<20) // 16 MB, 8 M characters
	go func() { _, _ = c.Write([]byte(line + "\n")) }()
	if l, err := r.ReadString('\n'); l != "OK\n" {
		t.Fatalf("reply %q, %v", l, err)
	}
	got := bodies(t, ch)
	if len(got) != 1 || got[0] != line {
		t.Fatalf("%d events, want the one line", len(got))
	}
}

// TestLineReaderSplitsAnywhere feeds lines through reads of every size,
// cutting multi-byte characters, and checks each line and the limit.
func TestLineReaderSplitsAnywhere(t *testing.T) {
	input := "héllo\n€€€€\nabcd\n€€€€€€\nok\n" // a limit of 6 characters with the newline
	want := []string{"héllo", "€€€€", "abcd", "too long"}
	for size := 1; size <= len(input); size++ {
		lr := newLineReader(&chunkReader{data: []byte(input), size: size}, 6, true)
		var got []string
		for {
			l, err := lr.next()
			if errors.Is(err, errTooLong) {
				got = append(got, "too long")
				break
			}
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			got = append(got, string(l))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("reads of %d bytes: %q, want %q", size, got, want)
		}
	}
}

type chunkReader struct {
	data []byte
	size int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.size)], c.data)
	c.data = c.data[n:]
	return n, nil
}
