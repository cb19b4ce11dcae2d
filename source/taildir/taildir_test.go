package taildir

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// TestLines checks Flume's line splitting (TailFile.readLine): lines end at
// \n, one \r before it is removed, a lone \r is kept, empty lines are
// events, bodies are bytes as written, and a last line without newline
// waits for its newline.
func TestLines(t *testing.T) {
	for _, poll := range []bool{false, true} {
		t.Run(fmt.Sprintf("poll=%v", poll), func(t *testing.T) {
			h := newHarness(t, nil)
			h.poll = poll
			path := filepath.Join(h.dir, "a.log")
			write(t, path, "one\r\ntwo\rthree\n\n\r\nfour\r\r\n\xff\xfe latin-1 \xe9\n")
			h.start()
			h.waitEvents(6)
			write(t, path, "partial")
			fi, _ := os.Stat(path)
			h.waitPos(path, fi.Size()-int64(len("partial")))
			h.waitRound() // the partial line was seen and left waiting
			if n := h.counter("EventAcceptedCount"); n != 6 {
				t.Fatalf("accepted %d events before the line was complete", n)
			}
			if h.counter("EventAcceptedCount") != 6 {
				t.Fatalf("accepted %d events", h.counter("EventAcceptedCount"))
			}
			write(t, path, " line\r\nnext\n")
			h.waitEvents(8)
			want := []string{"one", "two\rthree", "", "", "four\r", "\xff\xfe latin-1 \xe9", "partial line", "next"}
			if got := h.bodies(); !reflect.DeepEqual(got, want) {
				t.Fatalf("bodies %q, want %q", got, want)
			}
		})
	}
}

// TestIdleFileDeliversPartialLine checks Flume's idle close: a file that
// has not grown for idleTimeout is closed, and its last line is delivered
// even without a newline; what is appended later is read on.
func TestIdleFileDeliversPartialLine(t *testing.T) {
	h := newHarness(t, map[string]string{"idleTimeout": "300"})
	path := filepath.Join(h.dir, "a.log")
	write(t, path, "first\nno newline\r")
	h.start()
	h.waitEvents(2)
	if got := h.bodies(); got[0] != "first" || got[1] != "no newline\r" {
		t.Fatalf("bodies %q", got)
	}
	flumetest.WaitFor(t, waitLong, "the idle file to be closed", func() bool { return h.src.Stats().Open == 0 })
	write(t, path, "more\n")
	h.waitEvents(3)
	if got := h.bodies()[2]; got != "more" {
		t.Fatalf("after reopening: %q", got)
	}
}

// TestHeaders checks the group headers, fileHeader/fileHeaderKey and
// byteOffsetHeader, over two groups of one directory.
func TestHeaders(t *testing.T) {
	h := newHarness(t, map[string]string{
		"filegroups":       "f1 f2",
		"filegroups.f1":    `$DIR/a\.log`,
		"filegroups.f2":    `$DIR/b.*`,
		"headers.f1.topic": "alpha",
		"headers.f1.kind":  "app",
		"headers.f2.topic": "beta",
		"fileHeader":       "true",
		"fileHeaderKey":    "path",
		"byteOffsetHeader": "true",
	})
	a, b := filepath.Join(h.dir, "a.log"), filepath.Join(h.dir, "b.txt")
	write(t, a, "a1\r\na2\n")
	write(t, b, "b1\n")
	write(t, filepath.Join(h.dir, "c.log"), "not in a group\n")
	h.start()
	h.waitEvents(3)
	byBody := map[string]map[string]string{}
	for _, e := range h.got {
		byBody[string(e.Body)] = headersOf(e)
	}
	want := map[string]map[string]string{
		"a1": {"topic": "alpha", "kind": "app", "path": a, "byteoffset": "0"},
		"a2": {"topic": "alpha", "kind": "app", "path": a, "byteoffset": "4"},
		"b1": {"topic": "beta", "path": b, "byteoffset": "0"},
	}
	if !reflect.DeepEqual(byBody, want) {
		t.Fatalf("headers %v, want %v", byBody, want)
	}
}

// TestPositionFileShape checks that the position file is Flume's JSON, one
// line, keys in Flume's order, with the committed positions.
func TestPositionFileShape(t *testing.T) {
	h := newHarness(t, map[string]string{"writePosInterval": "50"})
	a, b := filepath.Join(h.dir, "a.log"), filepath.Join(h.dir, "b.log")
	write(t, a, lines(1, 10))
	write(t, b, lines(1, 3)+"partial")
	h.start()
	h.waitEvents(13)
	want := fmt.Sprintf(`[{"inode":%d,"pos":21,"file":%q},{"inode":%d,"pos":6,"file":%q}]`, inode(t, a), a, inode(t, b), b)
	flumetest.WaitFor(t, waitLong, "the position file", func() bool {
		data, _ := os.ReadFile(h.pos)
		return string(data) == want
	})
	h.stop()
	if data, _ := os.ReadFile(h.pos); string(data) != want {
		t.Fatalf("position file after stop:\n%s\nwant\n%s", data, want)
	}
}

// TestFlumePositionFile honours a position file written by Apache Flume
// 1.11.0 (testdata/flume-1.11-taildir_position.json): the same files are
// rebuilt, and their new inodes written into a copy of the fixture. Nothing
// already read is delivered again; what is appended is.
func TestFlumePositionFile(t *testing.T) {
	fixture, err := os.ReadFile("testdata/flume-1.11-taildir_position.json")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := DecodePositions(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0] != (Position{9986222, 3893, "/var/log/app/a.log"}) || ps[1] != (Position{9986227, 1892, "/var/log/app/b.log"}) {
		t.Fatalf("fixture decoded as %+v", ps)
	}
	if got := EncodePositions(ps); string(got) != string(fixture) {
		t.Fatalf("re-encoded fixture:\n%s\nwant\n%s", got, fixture)
	}

	h := newHarness(t, nil)
	a, b := filepath.Join(h.dir, "a.log"), filepath.Join(h.dir, "b.log")
	write(t, a, lines(1, 1000)) // seq 1 1000: 3,893 bytes
	write(t, b, lines(1, 500))  // seq 1 500: 1,892 bytes
	rewritten := strings.NewReplacer(
		"9986222", strconv.FormatUint(inode(t, a), 10),
		"9986227", strconv.FormatUint(inode(t, b), 10),
		"/var/log/app", h.dir,
	).Replace(string(fixture))
	if err := os.MkdirAll(filepath.Dir(h.pos), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.pos, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	h.start()
	write(t, a, "1001\n")
	write(t, b, "501\n")
	h.waitEvents(2)
	h.settle(`.*\.log`)
	if got := h.bodies(); len(got) != 2 || !(got[0] == "1001" && got[1] == "501" || got[0] == "501" && got[1] == "1001") {
		t.Fatalf("delivered %q, want only the two new lines", got)
	}
	h.stop()
	// What we write is what Flume reads: the same shape, the new positions.
	want := strings.NewReplacer(`"pos":3893`, `"pos":3898`, `"pos":1892`, `"pos":1896`).Replace(rewritten)
	if data, _ := os.ReadFile(h.pos); string(data) != want {
		t.Fatalf("position file:\n%s\nwant\n%s", data, want)
	}
}

// TestSkipToEnd: files found at start-up that the position file does not
// know start at their end; files created later, and files whose path the
// position file knows, start at their beginning.
func TestSkipToEnd(t *testing.T) {
	h := newHarness(t, map[string]string{"skipToEnd": "true"})
	old := filepath.Join(h.dir, "old.log")
	write(t, old, "skipped\n")
	h.start()
	write(t, old, "after start\n")
	write(t, filepath.Join(h.dir, "new.log"), "new file\n")
	h.waitEvents(2)
	h.settle(`.*\.log`)
	h.stop()
	got := h.bodies()
	if len(got) != 2 || strings.Join(got, ",") != "after start,new file" && strings.Join(got, ",") != "new file,after start" {
		t.Fatalf("bodies %q", got)
	}
	// Rotated while stopped: the file now at old.log is read from its start.
	if err := os.Rename(old, old+".1"); err != nil {
		t.Fatal(err)
	}
	write(t, old, "replacement\n")
	h.got = nil
	h.start()
	h.waitEvents(1)
	h.settle(`.*\.log`)
	if got := h.bodies(); len(got) != 1 || got[0] != "replacement" {
		t.Fatalf("after restart: %q", got)
	}
}

// TestChannelFull: while the channel refuses batches the source retries
// them (ChannelWriteFail counts the refusals); no line is lost or repeated.
func TestChannelFull(t *testing.T) {
	h := newHarness(t, map[string]string{"batchSize": "50"})
	h.ch = flumetest.MemoryChannel(t, 60, 50, 10*time.Millisecond)
	write(t, filepath.Join(h.dir, "a.log"), lines(1, 500))
	h.start()
	flumetest.WaitFor(t, waitLong, "a refused batch", func() bool { return h.counter("ChannelWriteFail") > 0 })
	h.waitEvents(500)
	h.settle(`a\.log`)
	numbers(t, h.bodies(), 500)
}

// TestMaxBatchCount: with maxBatchCount 1, files take turns batch by batch.
func TestMaxBatchCount(t *testing.T) {
	h := newHarness(t, map[string]string{"batchSize": "10", "maxBatchCount": "1"})
	write(t, filepath.Join(h.dir, "a.log"), strings.Repeat("a\n", 100))
	write(t, filepath.Join(h.dir, "b.log"), strings.Repeat("b\n", 100))
	h.start()
	h.waitEvents(200)
	// Batches of 10 alternate: never more than 10 lines of a file in a row.
	run, prev := 0, ""
	for _, b := range h.bodies() {
		if b == prev {
			run++
		} else {
			run, prev = 1, b
		}
		if run > 10 {
			t.Fatalf("more than one batch of %q in a row: %q", b, h.bodies())
		}
	}
}

// TestConfig checks defaults, Flume's parsing and the reported problems.
func TestConfig(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"filegroups": "f1", "filegroups.f1": "/var/log/app/.*\\.log"})
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	home := homeDir()
	if c.PositionFile != home+"/.flume/taildir_position.json" || c.BatchSize != 100 || c.IdleTimeout != 120*time.Second ||
		c.WritePosInterval != 3*time.Second || c.BackoffSleepIncrement != time.Second || c.MaxBackoffSleep != 5*time.Second ||
		!c.CachePatternMatching || c.FileHeader || c.FileHeaderKey != "file" || c.ByteOffsetHeader || c.SkipToEnd ||
		c.MaxBatchCount != 1<<63-1 {
		t.Fatalf("defaults: %+v", c)
	}
	if needs := cfg.Needs(); len(needs) != 2 || needs[0].Kind != flume.NeedWritableDir || needs[0].Value != home+"/.flume" ||
		needs[1].Kind != flume.NeedReadableDir || needs[1].Value != "/var/log/app" {
		t.Fatalf("needs %+v", needs)
	}
	g := c.Groups[0]
	if g.Dir != "/var/log/app" || g.Pattern != `.*\.log` || !g.Match("a.log") || g.Match("a.log.1") || g.Match("alog") {
		t.Fatalf("group %+v", g)
	}

	for _, tc := range []struct {
		props   map[string]string
		problem string // a substring of the problems; "" for none
	}{
		{map[string]string{}, "filegroups: required"},
		{map[string]string{"filegroups": "f1"}, "file group \"f1\" has no filegroups.f1"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "noslash"}, "expected a directory"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/[a-z&&[^b]]"}, "filegroups.f1"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/(a)\\1.log"}, ""}, // the backtracking engine runs it
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/a", "batchSize": "0"}, "batchSize"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/a", "writePosInterval": "0"}, "writePosInterval"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/a", "idleTimeout": "abc"}, "idleTimeout"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/a", "maxBatchCount": "0"}, "using the default"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/a", "headers.f2.k": "v"}, "not listed in filegroups"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/a", "headers.f1": "v"}, "expected headers.<filegroup>.<header name>"},
		{map[string]string{"filegroups": "f1", "filegroups.f1": "/x/a", "filegroups.f2": "/y/b"}, ""},
		{map[string]string{"filegroups": "f1 f1", "filegroups.f1": "//x//a", "idleTimeout": "0", "maxBatchCount": "5"}, ""},
	} {
		cfg := flume.ContextFromMap(tc.props)
		c := ParseConfig(cfg)
		probs := cfg.Problems().Error()
		if tc.problem == "" {
			if len(cfg.Problems()) > 0 {
				t.Errorf("%v: unexpected problems %v", tc.props, probs)
			}
			if tc.props["filegroups"] == "f1 f1" && (len(c.Groups) != 1 || c.Groups[0].Dir != "/x" || c.MaxBatchCount != 5) {
				t.Errorf("%v: %+v %+v", tc.props, c, c.Groups[0])
			}
			continue
		}
		if !strings.Contains(probs, tc.problem) {
			t.Errorf("%v: problems %q, want one about %q", tc.props, probs, tc.problem)
		}
	}
	// filegroups.f2 is not listed: it is an unknown key.
	cfg = flume.ContextFromMap(map[string]string{"filegroups": "f1", "filegroups.f1": "/x/a", "filegroups.f2": "/y/b"})
	ParseConfig(cfg)
	if un := cfg.Unused(); len(un) != 1 || un[0].Key != "filegroups.f2" {
		t.Fatalf("unused keys %v", un)
	}
}

// TestRelativeGroupPath: a relative directory is resolved against the
// working directory the way Java's File.getAbsolutePath does (not cleaned),
// which is the path Flume records.
func TestRelativeGroupPath(t *testing.T) {
	wd, _ := os.Getwd()
	if got := filePath(".", "a.log"); got != wd+"/./a.log" {
		t.Fatalf("filePath = %q", got)
	}
	if got := filePath("/", "a.log"); got != "/a.log" {
		t.Fatalf("filePath = %q", got)
	}
	if got := javaNormalize("//var//log///"); got != "/var/log" {
		t.Fatalf("javaNormalize = %q", got)
	}
}
