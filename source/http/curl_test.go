package http

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/javatext"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
)

// curl posts file to u with curl and returns the status and the answer's
// body.
func curl(t *testing.T, u, file string, args ...string) (int, string) {
	t.Helper()
	bin := flumetest.Peer(t, "curl (.ci/setup.d/netpeers.sh)", "curl")
	out := filepath.Join(t.TempDir(), "answer")
	cmd := exec.Command(bin, append([]string{"-sS", "-o", out, "-w", "%{http_code}", "--data-binary", "@" + file}, append(args, u)...)...)
	code, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	status, err := strconv.Atoi(string(code))
	if err != nil {
		t.Fatalf("curl printed %q", code)
	}
	body, _ := os.ReadFile(out)
	return status, string(body)
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCurl: curl posts Flume JSON batches (UTF-8 and UTF-16, with headers
// in several scripts), a malformed body, a batch to a full channel and a
// body over max-request-size; the source answers 200, 400, 503 and 413 as
// Flume does, and the events arrive exactly.
func TestCurl(t *testing.T) {
	flumetest.Peer(t, "curl (.ci/setup.d/netpeers.sh)", "curl")
	ch := flumetest.MemoryChannel(t, 4, 4, 0)
	s := startHTTP(t, map[string]string{"max-request-size": "65536"}, flumetest.Processor(ch))
	doc := `[{"headers":{"host":"web-1","ключ":"значение","emoji":"😀"},"body":"first é"},` +
		`{"headers":{"timestamp":"1700000000000"},"body":"line\nbreak \"quoted\""}]`
	json := "application/json"
	if status, body := curl(t, url(s), writeFile(t, []byte(doc)), "-H", "Content-Type: "+json); status != 200 || body != "" {
		t.Fatalf("UTF-8 batch: %d %q", status, body)
	}
	got := flumetest.TakeAll(t, ch)
	want := []struct {
		body    string
		headers map[string]string
	}{
		{"first é", map[string]string{"host": "web-1", "ключ": "значение", "emoji": "😀"}},
		{"line\nbreak \"quoted\"", map[string]string{"timestamp": "1700000000000"}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d events", len(got))
	}
	for i, w := range want {
		if string(got[i].Body) != w.body || !maps.Equal(headerMap(got[i]), w.headers) {
			t.Errorf("event %d: %q %v, want %q %v", i, got[i].Body, headerMap(got[i]), w.body, w.headers)
		}
	}

	// UTF-16: the body bytes are the text in UTF-16, as Flume's getBytes
	// writes them (big-endian with a byte-order mark).
	if status, _ := curl(t, url(s), writeFile(t, javatext.Encode(javatext.UTF16, `[{"body":"é"}]`)),
		"-H", "Content-Type: application/json; charset=UTF-16"); status != 200 {
		t.Fatalf("UTF-16 batch: %d", status)
	}
	if got := flumetest.TakeAll(t, ch); len(got) != 1 || !bytes.Equal(got[0].Body, []byte{0xfe, 0xff, 0x00, 0xe9}) {
		t.Fatalf("UTF-16 event: %v", got)
	}

	// A malformed body: 400 with Flume's message, nothing committed.
	status, body := curl(t, url(s), writeFile(t, []byte(`[{"headers":{"a":"b"},"body":"x"`)), "-H", "Content-Type: "+json)
	if status != 400 || !strings.HasPrefix(body, "Bad request from client. Request has invalid JSON Syntax") {
		t.Fatalf("malformed: %d %q", status, body)
	}

	// A full channel: 503, the batch is not half committed, and the resend
	// is accepted once there is room.
	flumetest.Put(t, ch, flume.NewEvent([]byte("a")), flume.NewEvent([]byte("b")))
	batch := writeFile(t, []byte(`[{"body":"1"},{"body":"2"},{"body":"3"}]`))
	if status, body := curl(t, url(s), batch, "-H", "Content-Type: "+json); status != 503 || !strings.Contains(body, "Channel might be full") {
		t.Fatalf("full channel: %d %q", status, body)
	}
	if got := flumetest.TakeAll(t, ch); len(got) != 2 {
		t.Fatalf("after a refusal the channel holds %d events, want the 2 it had", len(got))
	}
	if status, _ := curl(t, url(s), batch, "-H", "Content-Type: "+json); status != 200 {
		t.Fatalf("resend: %d", status)
	}
	if got := flumetest.TakeAll(t, ch); len(got) != 3 || string(got[2].Body) != "3" {
		t.Fatalf("after the resend: %v", got)
	}

	// Over max-request-size: 413.
	if status, _ := curl(t, url(s), writeFile(t, bytes.Repeat([]byte(" "), 1<<17)), "-H", "Content-Type: "+json); status != 413 {
		t.Fatalf("128 KiB body over a 64 KiB limit: %d", status)
	}
	cn := s.Counters()
	if cn.AppendBatchAcceptedCount.Load() != 3 || cn.ChannelWriteFail.Load() != 1 || cn.EventReadFail.Load() != 2 {
		t.Errorf("counters %v", cn.Attributes())
	}
}

// TestCurlTLS: HTTPS with the keystore properties (and Flume's deprecated
// enableSSL), verified by curl against the test CA.
func TestCurlTLS(t *testing.T) {
	flumetest.Peer(t, "curl (.ci/setup.d/netpeers.sh)", "curl")
	files := tlstest.Generate(t)
	ch := flumetest.MemoryChannel(t, 10, 10, 0)
	s := startHTTP(t, map[string]string{"enableSSL": "true", "keystore": files.KeystoreJKS, "keystorePassword": tlstest.Password},
		flumetest.Processor(ch))
	u := "https://" + s.Addr().String() + "/"
	if status, _ := curl(t, u, writeFile(t, []byte(`[{"body":"secret"}]`)), "--cacert", files.CAPEM); status != 200 {
		t.Fatalf("HTTPS: %d", status)
	}
	if got := flumetest.TakeAll(t, ch); len(got) != 1 || string(got[0].Body) != "secret" {
		t.Fatalf("%v", got)
	}
}

func headerMap(e flume.Event) map[string]string {
	m := map[string]string{}
	for k, v := range e.AllHeaders() {
		m[k] = v
	}
	return m
}
