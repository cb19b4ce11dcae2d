package datahub

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume/internal/javaregex"
)

// TestRegexSerializerJavaOnlyPatterns stores lines through a REGEX
// serializer whose pattern RE2 cannot run (a lookahead and a
// backreference), and splits a DELIMITED line on a lookbehind: the
// backtracking engine runs them with the plugin's semantics (whole line,
// DOTALL).
func TestRegexSerializerJavaOnlyPatterns(t *testing.T) {
	t.Cleanup(javaregex.StopTimeoutClock) // no goroutine outlives the test
	srv, url, _ := fake(t, "flume_proj", "logs", "q:STRING,key:STRING,val:STRING", 1)
	ch := newChannel(t, 100)
	dirty := filepath.Join(t.TempDir(), "dirty")
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "REGEX", "serializer.regex": `(['"])(\w+)\1=(?!-)(.*)`, "serializer.fieldnames": "q,key,val",
		"datahub.dirtyDataFile": dirty,
	}), ch)
	if e := s.cfg.Serializer.Regex.Engine(); e != javaregex.Backtracking {
		t.Fatalf("engine %s", e)
	}
	putLines(t, ch, `'user'=ann`, `"user'=bob`, `'n'=-1`, "\"msg\"=two\nlines")
	drain(t, s, ch)
	recs := srv.Records("flume_proj", "logs")
	if len(recs) != 2 || !reflect.DeepEqual(values(recs[0]), []string{"'", "user", "ann"}) ||
		!reflect.DeepEqual(values(recs[1]), []string{`"`, "msg", "two\nlines"}) {
		t.Fatalf("stored %v", recs)
	}
	if b, _ := os.ReadFile(dirty); strings.Count(string(b), "\n") != 2 {
		t.Errorf("dirty file = %q, want the two lines that do not match", b)
	}

	srv2, url2, _ := fake(t, "flume_proj", "logs", "a:STRING,b:STRING,c:STRING", 1)
	ch2 := newChannel(t, 100)
	s2, _ := newSink(t, props2x(url2, map[string]string{
		"serializer": "DELIMITED", "serializer.delimiter": `(?<=\d),`, "serializer.fieldnames": "a,b,c",
	}), ch2)
	putLines(t, ch2, "1,x,2,y")
	drain(t, s2, ch2)
	if recs := srv2.Records("flume_proj", "logs"); len(recs) != 1 || !reflect.DeepEqual(values(recs[0]), []string{"1", "x,2", "y"}) {
		t.Fatalf("lookbehind delimiter stored %v", recs)
	}
}

// TestRegexSerializerCatastrophicPattern: a line on which the REGEX
// serializer's pattern backtracks exponentially gives up after the match
// time bound and becomes a dirty line with a reason that names the pattern;
// the other lines of the batch are stored.
func TestRegexSerializerCatastrophicPattern(t *testing.T) {
	t.Cleanup(javaregex.StopTimeoutClock) // no goroutine outlives the test
	srv, url, _ := fake(t, "flume_proj", "logs", "w:STRING", 1)
	ch := newChannel(t, 100)
	dirty := filepath.Join(t.TempDir(), "dirty")
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "REGEX", "serializer.regex": `(\w+\s?)+(?=$)`, "serializer.fieldnames": "w",
		"datahub.dirtyDataFile": dirty,
	}), ch)
	bad := strings.Repeat("word ", 6) + strings.Repeat("x", 40) + "!"
	putLines(t, ch, "hello world", bad, "bye")
	start := time.Now()
	drain(t, s, ch)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("delivery took %v: the match time bound did not hold", elapsed)
	}
	recs := srv.Records("flume_proj", "logs")
	if len(recs) != 2 || values(recs[0])[0] != "world" || values(recs[1])[0] != "bye" {
		t.Fatalf("stored %v", recs)
	}
	b, _ := os.ReadFile(dirty)
	if !strings.Contains(string(b), bad) {
		t.Errorf("dirty file = %q, want the line the regex gave up on", b)
	}
	if n := s.counter.DirtyEventCount.Load(); n != 1 {
		t.Errorf("%d dirty events counted, want 1", n)
	}

	// With dirtyDataContinue off, the batch fails with a reason that names
	// the pattern and the time bound.
	_, url2, _ := fake(t, "flume_proj", "logs", "w:STRING", 1)
	ch2 := newChannel(t, 100)
	s2, _ := newSink(t, props2x(url2, map[string]string{
		"serializer": "REGEX", "serializer.regex": `(\w+\s?)+(?=$)`, "serializer.fieldnames": "w",
		"datahub.dirtyDataContinue": "false",
	}), ch2)
	putLines(t, ch2, bad)
	_, err := s2.Process(t.Context())
	if err == nil || !strings.Contains(err.Error(), "serializer.regex") || !strings.Contains(err.Error(), "ran longer than 250ms") {
		t.Fatalf("Process: %v", err)
	}
	if ch2.Len() != 1 {
		t.Errorf("the failed batch must stay in the channel (%d events)", ch2.Len())
	}
}
