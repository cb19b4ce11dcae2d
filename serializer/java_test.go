package serializer_test

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// TestHeaderAndTextMatchesJava writes random events with header_and_text
// and compares the bytes with what a JDK writes for the same events the way
// Flume's HeaderAndBodyTextEventSerializer does (testdata/HeaderAndText.java:
// a HashMap filled by put, Map.toString, the body, "\n"). The headers are put
// in sorted order, the tie-break flumego uses for keys sharing a bucket. It
// needs a JDK (java running a single source file); CI installs one
// (.ci/setup.d/datahub-java.sh).
func TestHeaderAndTextMatchesJava(t *testing.T) {
	java := flumetest.Peer(t, "install a JDK, see .ci/setup.d/datahub-java.sh", "java")
	rng := rand.New(rand.NewPCG(1, 2))
	// Keys that collide in pairs (Aa/BB, AaAa/BBBB/AaBB/BBAa), Flume's usual
	// headers, Unicode (a surrogate pair too), separators Java does not escape.
	alphabet := []string{"Aa", "BB", "AaAa", "BBBB", "AaBB", "BBAa", "timestamp", "host", "topic", "key", "partition",
		"flume.selector.header", "é", "日本", "\U0001F600", "a", "b", "z", "0", "=", ",", " ", "{}", ""}
	var in strings.Builder
	var events []flume.Event
	var newlines []bool
	for i := range 400 {
		e := flume.NewEvent([]byte("body " + strings.Repeat("é", i%3) + string(rune('a'+i%26))))
		n := rng.IntN(30)
		if i%50 == 0 {
			n = 0
		}
		for range n {
			var k strings.Builder
			for range 1 + rng.IntN(3) {
				k.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			e.SetHeader(k.String(), alphabet[rng.IntN(len(alphabet))]+"v")
		}
		nl := i%7 != 0
		events, newlines = append(events, e), append(newlines, nl)
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range e.AllHeaders() {
				if !yield(k) {
					return
				}
			}
		})
		var kv []string
		for _, k := range keys {
			v, _ := e.Header(k)
			kv = append(kv, hex.EncodeToString([]byte(k))+"="+hex.EncodeToString([]byte(v)))
		}
		flag := "0"
		if nl {
			flag = "1"
		}
		in.WriteString(flag + "\t" + hex.EncodeToString(e.Body) + "\t" + strings.Join(kv, ",") + "\n")
	}
	cmd := exec.Command(java, "-Dfile.encoding=UTF-8", "testdata/HeaderAndText.java")
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, stderr.String())
	}
	var got []byte
	text, _, _ := build(t, map[string]string{"sink.serializer": "header_and_text"})
	noNL, _, _ := build(t, map[string]string{"sink.serializer": "header_and_text", "sink.serializer.appendNewline": "false"})
	for i, e := range events {
		b := noNL
		if newlines[i] {
			b = text
		}
		got = append(got, serialize(t, b, e)...)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		from := max(0, i-80)
		t.Fatalf("the outputs differ at byte %d (go %d bytes, java %d):\n go:   %q\n java: %q",
			i, len(got), len(want), got[from:min(len(got), i+40)], want[from:min(len(want), i+40)])
	}
}
