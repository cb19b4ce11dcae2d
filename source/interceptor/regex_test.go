package interceptor

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/javaregex"
)

func bodyEvents(bs ...string) []flume.Event {
	out := make([]flume.Event, len(bs))
	for i, b := range bs {
		out[i] = flume.Event{Body: []byte(b)}
	}
	return out
}

// TestJavaOnlyPatterns runs patterns RE2 cannot (a lookahead, a lookbehind,
// backreferences) through every regex interceptor: they run on the
// backtracking engine and give Java's results.
func TestJavaOnlyPatterns(t *testing.T) {
	t.Cleanup(javaregex.StopTimeoutClock) // no goroutine outlives the test
	t.Run("regex_filter", func(t *testing.T) {
		keep := build(t, "regex_filter", map[string]string{"regex": `ERROR(?!: expected)`}).(*RegexFilter)
		if keep.Regex.Engine() != javaregex.Backtracking {
			t.Fatalf("engine %s", keep.Regex.Engine())
		}
		got := bodies(run(t, keep, bodyEvents("ERROR: disk", "ERROR: expected", "INFO")))
		if got != "ERROR: disk" {
			t.Errorf("lookahead include: %q", got)
		}
		drop := build(t, "regex_filter", map[string]string{"regex": `\b(\w+) \1\b`, "excludeEvents": "true"})
		if got := bodies(run(t, drop, bodyEvents("the the cat", "a cat", "is is"))); got != "a cat" {
			t.Errorf("backreference exclude: %q", got)
		}
	})
	t.Run("regex_extractor", func(t *testing.T) {
		x := build(t, "regex_extractor", map[string]string{
			"regex":       `(?<=user=)(\w+).*?(['"])(.*?)\2`,
			"serializers": "u q v", "serializers.u.name": "user", "serializers.q.name": "quote", "serializers.v.name": "msg",
		})
		out := run(t, x, bodyEvents(`id=1 user=ann says "it's fine" ok`, `user ann`))
		if h := flumetest.Headers(out[0]); h["user"] != "ann" || h["quote"] != `"` || h["msg"] != "it's fine" {
			t.Errorf("lookbehind and backreference: %v", h)
		}
		if out[1].HeaderCount() != 0 {
			t.Errorf("no match must leave the event alone: %v", flumetest.Headers(out[1]))
		}
	})
	t.Run("search_replace", func(t *testing.T) {
		thousands := build(t, "search_replace", map[string]string{"searchPattern": `\d(?=(\d{3})+(?!\d))`, "replaceString": "$0,"})
		if got := bodies(run(t, thousands, bodyEvents("paid 1234567 for 12 items"))); got != "paid 1,234,567 for 12 items" {
			t.Errorf("lookahead: %q", got)
		}
		dedup := build(t, "search_replace", map[string]string{"searchPattern": `(\w)\1+`, "replaceString": "$1"})
		if got := bodies(run(t, dedup, bodyEvents("bookkeeper", "abc"))); got != "bokeper|abc" {
			t.Errorf("backreference: %q", got)
		}
		latin1 := build(t, "search_replace", map[string]string{"searchPattern": `é(?=s)`, "replaceString": "e", "charset": "ISO-8859-1"})
		if got := bodies(run(t, latin1, bodyEvents("caf\xe9s caf\xe9"))); got != "cafes caf\xe9" {
			t.Errorf("lookahead in ISO-8859-1: %q", got)
		}
	})
	t.Run("remove_header", func(t *testing.T) {
		r := build(t, "remove_header", map[string]string{"matching": `x-(?!keep$).*`, "fromList": "a;b", "fromListSeparator": `;(?=b)`})
		out := run(t, r, []flume.Event{flumetest.EventWithHeaders(nil, map[string]string{"x-trace": "1", "x-keep": "2", "a": "3", "b": "4", "c": "5"})})
		var names []string
		for k := range flumetest.Headers(out[0]) {
			names = append(names, k)
		}
		if got := strings.Join(sortStrings(names), ","); got != "c,x-keep" {
			t.Errorf("headers left: %s", got)
		}
	})
}

// logBuffer collects a logger's output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestCatastrophicPatternPerEvent gives each regex interceptor a pattern with
// exponential backtracking and a batch where one event triggers it: that
// event gives up after the match time bound, is handled as documented (kept,
// no header, body unchanged), counted and reported with the pattern; the
// other events of the batch are processed normally and the batch succeeds.
func TestCatastrophicPatternPerEvent(t *testing.T) {
	t.Cleanup(javaregex.StopTimeoutClock) // no goroutine outlives the test
	const evil = `^(\w+\s?)+(?=$)`
	bad := strings.Repeat("word ", 6) + strings.Repeat("x", 40) + "!"
	build := func(t *testing.T, typ string, props map[string]string) (flume.Interceptor, *logBuffer) {
		t.Helper()
		reg := flume.NewRegistry()
		if err := Register(reg); err != nil {
			t.Fatal(err)
		}
		f, _, err := reg.Interceptor(typ)
		if err != nil {
			t.Fatal(err)
		}
		logs := &logBuffer{}
		in, err := f(flume.Settings{Name: "i1", Type: typ, Logger: slog.New(slog.NewTextHandler(logs, nil))}, flume.ContextFromMap(props))
		if err != nil {
			t.Fatal(err)
		}
		return in, logs
	}
	check := func(t *testing.T, in flume.Interceptor, logs *logBuffer, failures func() int64, evs []flume.Event) []flume.Event {
		t.Helper()
		start := time.Now()
		out, err := in.Intercept(evs)
		if err != nil {
			t.Fatalf("the batch failed: %v", err)
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("the batch took %v: the match time bound did not hold", elapsed)
		}
		if n := failures(); n != 1 {
			t.Errorf("%d match failures counted, want 1", n)
		}
		if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "gave up on an event") ||
			!strings.Contains(l, "backtracking engine") || strings.Contains(l, "xxxxx") {
			t.Errorf("warning should name the pattern and the engine, not the event: %s", l)
		}
		return out
	}
	t.Run("regex_filter", func(t *testing.T) {
		in, logs := build(t, "regex_filter", map[string]string{"regex": evil})
		out := check(t, in, logs, in.(*RegexFilter).MatchFailures, bodyEvents("good words", bad, "bad!"))
		if got := bodies(out); got != "good words|"+bad {
			t.Errorf("kept %q; the undecided event must be kept", got)
		}
	})
	t.Run("regex_extractor", func(t *testing.T) {
		in, logs := build(t, "regex_extractor", map[string]string{"regex": evil, "serializers": "w", "serializers.w.name": "word"})
		out := check(t, in, logs, in.(*RegexExtractor).MatchFailures, bodyEvents(bad, "hello world"))
		if out[0].HeaderCount() != 0 || flumetest.Headers(out[1])["word"] != "world" {
			t.Errorf("headers %v and %v", flumetest.Headers(out[0]), flumetest.Headers(out[1]))
		}
	})
	t.Run("search_replace", func(t *testing.T) {
		in, logs := build(t, "search_replace", map[string]string{"searchPattern": evil, "replaceString": "<$1>"})
		out := check(t, in, logs, in.(*SearchReplace).MatchFailures, bodyEvents(bad, "hello world"))
		if got := bodies(out); got != bad+"|<world>" {
			t.Errorf("bodies %q", got)
		}
	})
	t.Run("remove_header", func(t *testing.T) {
		in, logs := build(t, "remove_header", map[string]string{"matching": evil})
		name := strings.Repeat("h ", 6) + strings.Repeat("x", 40) + "!"
		out := check(t, in, logs, in.(*RemoveHeader).MatchFailures, []flume.Event{flumetest.EventWithHeaders(nil, map[string]string{name: "1", "drop me": "2"})})
		if _, ok := flumetest.Headers(out[0])[name]; !ok || out[0].HeaderCount() != 1 {
			t.Errorf("headers %v", flumetest.Headers(out[0]))
		}
	})
}
