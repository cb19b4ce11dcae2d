package syslog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads every message of stream with a reader over chunks of at
// most chunk bytes.
func readAll(stream []byte, max, chunk int, lines bool) ([]Message, error) {
	return readAllFramed(stream, max, chunk, lines, true)
}

func readAllFramed(stream []byte, max, chunk int, lines, frames bool) ([]Message, error) {
	var src io.Reader = bytes.NewReader(stream)
	if chunk == 1 {
		src = iotest.OneByteReader(src)
	} else {
		src = &chunkReader{b: stream, n: chunk}
	}
	rd := newReader(bufio.NewReaderSize(src, 16), max, lines)
	rd.noFrames = !frames
	var out []Message
	for {
		m, err := rd.next()
		if err != nil {
			return out, err
		}
		m.Raw = append([]byte{}, m.Raw...)
		out = append(out, m)
	}
}

type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[n:]
	return n, nil
}

// scanAll is the reference: Flume's byte-by-byte framing, message after
// message, of a newline-framed stream (no octet counts).
func scanAll(stream []byte, max int) []Message {
	var out []Message
	for len(stream) > 0 {
		m, n, ended := scan(stream, max, false)
		stream = stream[n:]
		if !ended {
			break // cut short by the end of the stream: discarded
		}
		out = append(out, m)
	}
	return out
}

func sameMessages(t *testing.T, what string, got, want []Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d messages, want %d\n got %+v\nwant %+v", what, len(got), len(want), got, want)
	}
	for i := range got {
		if !bytes.Equal(got[i].Raw, want[i].Raw) || got[i].Bad != want[i].Bad || got[i].Incomplete != want[i].Incomplete {
			t.Fatalf("%s: message %d is %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// checkReader compares the stream reader, octet counting off, with the
// byte-by-byte reference.
func checkReader(t *testing.T, stream []byte, max int) {
	want := scanAll(stream, max)
	for _, chunk := range []int{1, 3, 7, 4096} {
		got, err := readAllFramed(stream, max, chunk, false, false)
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("chunks of %d: %v", chunk, err)
		}
		sameMessages(t, "syslogtcp framing", got, want)
	}
}

// TestReaderFramesAsFlume: the stream reader cuts messages exactly as
// Flume's byte-by-byte state machine, whatever the reads' sizes.
func TestReaderFramesAsFlume(t *testing.T) {
	checkReader(t, []byte("<13>one\n\n\n<14>two\nbad line\n<1\nx\n<>e\n<1234>f\n<13>"+
		"exactly-twenty-bytes\n<13>short\npartial"), 24)
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte("<<<>>>\n\n\n13ab \x00\xff")
	for i := 0; i < 2000; i++ {
		b := make([]byte, rng.Intn(80))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
		}
		checkReader(t, b, 1+rng.Intn(20))
	}
}

// TestOctetCounting: RFC 6587 octet-counted frames (what rsyslog sends with
// TCP_Framing="octet-counted"), mixed with newline-framed messages.
func TestOctetCounting(t *testing.T) {
	frame := func(s string) string { return fmt.Sprintf("%d %s", len(s), s) }
	stream := frame("<13>1 - h one line") + // no newline after a frame
		frame("<13>1 - h two\nlines\n") + // a newline inside and a trailing one
		"<13>1 - h plain\n" +
		frame("<13>1 - h 34") +
		"9x not a frame\n" + // not a frame length
		"5 <13>"
	got, err := readAll([]byte(stream), 100, 3, false)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("a frame cut by the end of the stream: %v", err)
	}
	sameMessages(t, "frames", got, []Message{
		{Raw: []byte("<13>1 - h one line")},
		{Raw: []byte("<13>1 - h two\nlines")},
		{Raw: []byte("<13>1 - h plain")},
		{Raw: []byte("<13>1 - h 34")},
		{Raw: []byte("9x not a frame"), Bad: true},
	})
	got, _ = readAll([]byte("20 <13>1 - h 0123456789<13>x\n"), 12, 5, false)
	sameMessages(t, "a frame over eventSize", got, []Message{
		{Raw: []byte("<13>1 - h 01"), Incomplete: true},
		{Raw: []byte("<13>x")},
	})
	got, _ = readAll([]byte("1234567890 <13>x\n"), 100, 5, false)
	sameMessages(t, "ten digits", got, []Message{{Raw: []byte("1234567890 <13>x"), Bad: true}})
}

// TestLines: multiport_syslogtcp's line splitting: every newline ends a
// line, a line ends at eventSize bytes counting its newline.
func TestLines(t *testing.T) {
	got, err := readAll([]byte("<13>a\n\nbcdefgh\nbcdefghi\n<1\nx\n"), 8, 2, true)
	if !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	sameMessages(t, "lines", got, []Message{
		{Raw: []byte("<13>a")}, {Raw: []byte("")}, {Raw: []byte("bcdefgh")},
		{Raw: []byte("bcdefghi"), Incomplete: true}, {Raw: []byte("")},
		{Raw: []byte("<1")}, {Raw: []byte("x")},
	})
}

// TestHasMessage: the reader tells when the buffered bytes hold a whole
// message, so that a connection's batch is committed before it waits.
func TestHasMessage(t *testing.T) {
	for _, c := range []struct {
		buf  string
		want bool
	}{{"", false}, {"<13>partial", false}, {"<13>x\n", true}, {"5 <13>", false}, {"5 <13>x", true},
		{"5 <13>xy", true}, {"12 <13>\n", false}, {"1234567890 x\n", true}} {
		r := bufio.NewReader(bytes.NewReader([]byte(c.buf)))
		if c.buf != "" {
			_, _ = r.Peek(1)
		}
		if got := newReader(r, 100, false).hasMessage(); got != c.want {
			t.Errorf("%q: %v, want %v", c.buf, got, c.want)
		}
	}
}

// FuzzReader: the stream reader agrees with Flume's byte-by-byte framing on
// any input (octet counting off), and holds at most eventSize bytes of a
// message (octet counting on).
func FuzzReader(f *testing.F) {
	for _, s := range []string{"<13>one\n<14>two\n", "bad\n\n<1\nx\n", "<>\n<1234>\n", "\x00\xff<\n>"} {
		f.Add([]byte(s), uint8(10))
	}
	f.Fuzz(func(t *testing.T, b []byte, size uint8) {
		m := int(size%64) + 1
		checkReader(t, b, m)
		got, _ := readAll(b, m, 5, false)
		for _, msg := range got {
			if len(msg.Raw) > max(m, 6) { // a priority of up to five bytes, then one of data
				t.Fatalf("a message of %d bytes with eventSize %d", len(msg.Raw), m)
			}
		}
	})
}

// TestGrow: a larger buffer keeps what was buffered.
func TestGrow(t *testing.T) {
	src := bytes.NewReader([]byte("<13>one\n<13>two\n<13>three\n"))
	rd := newReader(bufio.NewReaderSize(src, 16), 100, false)
	m, _ := rd.next()
	first := string(m.Raw)
	rd.grow(src, 4096)
	var got []string
	for {
		m2, err := rd.next()
		if err != nil {
			break
		}
		got = append(got, string(m2.Raw))
	}
	if first != "<13>one" || strings.Join(got, "|") != "<13>two|<13>three" || rd.r.Size() != 4096 {
		t.Fatalf("%q then %q, buffer %d", first, got, rd.r.Size())
	}
}
