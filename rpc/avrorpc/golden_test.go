package avrorpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/flumetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// readHexSections parses a testdata file of "name:" lines followed by hex
// bytes; '#' starts a comment.
func readHexSections(t *testing.T, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	var cur string
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if name, ok := strings.CutSuffix(line, ":"); ok {
			cur = name
			continue
		}
		b, err := hex.DecodeString(strings.Join(strings.Fields(line), ""))
		if err != nil {
			t.Fatalf("%s: %q: %v", path, line, err)
		}
		out[cur] = append(out[cur], b...)
	}
	return out
}

func payloadOf(t *testing.T, frame []byte) (int32, []byte) {
	t.Helper()
	serial, p, err := NewFrameReader(bytes.NewReader(frame), 0).ReadFrame(nil)
	if err != nil {
		t.Fatalf("frame %x: %v", frame, err)
	}
	return serial, p
}

// checkGolden compares got with testdata/name byte by byte (hex dump), or
// rewrites the file with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(hex.Dump(got)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if hex.Dump(got) != string(want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%swant:\n%s", name, hex.Dump(got), want)
	}
}

// TestJavaFirstAppend feeds our server the exact bytes Java Flume's client
// sends and checks our answer carries exactly the bytes Java's source sends
// (Java splits the answer into three buffers, we send one; the
// concatenation is what Avro reads).
func TestJavaFirstAppend(t *testing.T) {
	java := readHexSections(t, "testdata/java_first_append.txt")
	rec := &recorder{}
	_, addr := startServer(t, ServerConfig{}, rec.handle)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(java["request"]); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	serial, payload, err := NewFrameReader(c, 0).ReadFrame(nil)
	if err != nil {
		t.Fatal(err)
	}
	wantSerial, wantPayload := payloadOf(t, java["response"])
	if serial != wantSerial || !bytes.Equal(payload, wantPayload) {
		t.Fatalf("answer serial %d payload % x; Java sends serial %d payload % x", serial, payload, wantSerial, wantPayload)
	}
	_, got := rec.snapshot()
	if len(got) != 1 || flumetest.Headers(got[0])["a"] != "b" || got[0].HeaderCount() != 1 || string(got[0].Body) != "hi" {
		t.Fatalf("server received %+v", got)
	}
}

// TestClientAgainstJavaAnswer checks our client's first call is, once its
// buffers are concatenated, exactly what Java's client sends, and that it
// reads Java's three-buffer answer.
func TestClientAgainstJavaAnswer(t *testing.T) {
	java := readHexSections(t, "testdata/java_first_append.txt")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	captured := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			captured <- nil
			return
		}
		defer c.Close()
		var raw bytes.Buffer
		_, _, err = NewFrameReader(io.TeeReader(c, &raw), 0).ReadFrame(nil)
		if err != nil {
			captured <- nil
			return
		}
		_, _ = c.Write(java["response"])
		captured <- raw.Bytes()
	}()
	conn, err := Dial(context.Background(), ln.Addr().String(), ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st, err := conn.Append(context.Background(), flumetest.Event("hi", "a", "b"))
	if err != nil || st != OK {
		t.Fatalf("append: %v %v", st, err)
	}
	frame := <-captured
	checkGolden(t, "handshake_append_request.golden", frame)
	_, ours := payloadOf(t, frame)
	_, theirs := payloadOf(t, java["request"])
	if !bytes.Equal(ours, theirs) {
		t.Fatalf("request payload\n% x\nJava sends\n% x", ours, theirs)
	}
}

// TestGoldenFrames pins our own frames byte by byte: the handshake answer
// of our server and an appendBatch call on an established connection.
func TestGoldenFrames(t *testing.T) {
	events := []flume.Event{
		flumetest.Event("line one", "host", "web1"),
		{Body: []byte("line two")},
	}
	call := EncodeAppendBatch(events)
	var frame bytes.Buffer
	fw := &frameWriter{w: &frame, bw: nil}
	fw.bw = nil
	fw.w = &frame
	if err := fw.write(7, nil, call); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "appendbatch_request.golden", frame.Bytes())
	// The same call must decode to the same events.
	_, payload := payloadOf(t, frame.Bytes())
	name, params, err := parseCallHeader(payload)
	if err != nil || name != MessageAppendBatch {
		t.Fatalf("call header: %q %v", name, err)
	}
	got, rest, err := avroevent.DecodeEvents(params, nil, 0)
	if err != nil || len(rest) != 0 || len(got) != 2 || flumetest.Headers(got[0])["host"] != "web1" || string(got[1].Body) != "line two" {
		t.Fatalf("decoded %+v rest %x err %v", got, rest, err)
	}

	// Our server's answers to a handshake whose server hash is wrong
	// (CLIENT, with our protocol) and to one it knows (BOTH).
	s := NewServer(ServerConfig{}, func(context.Context, bool, []flume.Event) (Status, error) { return OK, nil })
	defer s.Close()
	for _, tc := range []struct {
		name       string
		serverHash MD5
	}{{"handshake_both_response.golden", ProtocolHash}, {"handshake_client_response.golden", MD5{1, 2, 3}}} {
		req, err := AppendHandshakeRequest(nil, HandshakeRequest{ClientHash: ProtocolHash, ServerHash: tc.serverHash, Meta: map[string][]byte{}})
		if err != nil {
			t.Fatal(err)
		}
		req = append(req, EncodeAppendBatch(events)...)
		resp, _, err := s.handle(context.Background(), &serverSession{}, req, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, tc.name, AppendFrame(nil, 1, resp))
	}
}

// TestProtocolHash pins Flume's protocol text: 1334 bytes whose MD5 is
// what Java Flume sends (flume-reference §3.1.2).
func TestProtocolHash(t *testing.T) {
	if len(ProtocolJSON) != 1334 || ProtocolHash.String() != "86aadae2c45474c0fe93ffd0f2350a65" {
		t.Fatalf("protocol text of %d bytes hashes to %s", len(ProtocolJSON), ProtocolHash)
	}
	if err := compatibleProtocol(ProtocolJSON); err != nil {
		t.Fatal(err)
	}
}
