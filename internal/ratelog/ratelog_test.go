package ratelog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestOneWarningPerInterval(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := time.Unix(1000, 0)
	l := Limiter{Interval: time.Second, now: func() time.Time { return now }}
	if !l.Warn(log, "bad peer", "n", 1) {
		t.Fatal("the first warning was held back")
	}
	for i := 2; i <= 4; i++ {
		if l.Warn(log, "bad peer", "n", i) {
			t.Fatalf("warning %d within the interval went out", i)
		}
	}
	now = now.Add(time.Second)
	if !l.Warn(log, "bad peer", "n", 5) {
		t.Fatal("the warning after the interval was held back")
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for i, want := range []string{"level=WARN", "level=DEBUG", "level=DEBUG", "level=DEBUG", "level=WARN"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q lacks %s", i+1, lines[i], want)
		}
	}
	if strings.Contains(lines[0], "similar_suppressed") || !strings.Contains(lines[4], "similar_suppressed=3") {
		t.Fatalf("suppressed counts wrong:\n%s", buf.String())
	}
}

// TestStreak: a flapping condition logs its first failure and its
// recovery, holds back the failures within the interval and the recoveries
// that follow only held-back failures.
func TestStreak(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	now := time.Unix(1000, 0)
	var s Streak
	s.Interval, s.now = time.Second, func() time.Time { return now }
	s.OK(log, "recovered") // no failure yet: silent
	if !s.Fail(log, "refused", "n", 1) {
		t.Fatal("the first failure was held back")
	}
	s.OK(log, "recovered")
	s.OK(log, "recovered") // logged once only
	if s.Fail(log, "refused", "n", 2) {
		t.Fatal("a failure within the interval went out")
	}
	s.OK(log, "recovered") // only a held-back failure before: silent
	now = now.Add(time.Second)
	if !s.Fail(log, "refused", "n", 3) {
		t.Fatal("the failure after the interval was held back")
	}
	s.OK(log, "recovered")
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		_, msg, _ := strings.Cut(l, "msg=")
		lvl := l[strings.Index(l, "level=")+6:]
		got = append(got, lvl[:strings.IndexByte(lvl, ' ')]+" "+msg)
	}
	want := []string{"WARN refused n=1", "INFO recovered", "WARN refused n=3 similar_suppressed=1", "INFO recovered"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("log lines\n%q\nwant\n%q", got, want)
	}
}

func TestLogKeepsItsLevel(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := time.Unix(1000, 0)
	l := Limiter{Interval: time.Second, now: func() time.Time { return now }}
	l.Log(log, slog.LevelInfo, "restarted")
	l.Log(log, slog.LevelInfo, "restarted")
	now = now.Add(time.Second)
	l.Log(log, slog.LevelInfo, "restarted")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	for i, want := range []string{"level=INFO", "level=DEBUG", "level=INFO"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q lacks %s", i+1, lines[i], want)
		}
	}
}

// TestStreakFailAt: a failure logged at error level counts as a warned
// failure, so its recovery is logged.
func TestStreakFailAt(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var s Streak
	if !s.FailAt(log, slog.LevelError, "cannot deliver") {
		t.Fatal("the first failure was held back")
	}
	s.OK(log, "delivers again")
	out := buf.String()
	if !strings.Contains(out, `level=ERROR msg="cannot deliver"`) || !strings.Contains(out, `level=INFO msg="delivers again"`) {
		t.Fatalf("log:\n%s", out)
	}
}

// TestTally: the warnings of a Tally go out once per interval and carry
// every item counted since the previous one, held-back calls included.
func TestTally(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := time.Unix(1000, 0)
	var tl Tally
	tl.Interval, tl.now = time.Minute, func() time.Time { return now }
	if !tl.Add(log, 3, "bad timestamps", "events", "header", "ts") {
		t.Fatal("the first warning was held back")
	}
	for range 4 {
		if tl.Add(log, 2, "bad timestamps", "events", "header", "ts") {
			t.Fatal("a warning within the interval went out")
		}
	}
	now = now.Add(time.Minute)
	tl.Add(log, 1, "bad timestamps", "events", "header", "ts")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "header=ts events=3") || !strings.HasSuffix(lines[1], "header=ts events=9") {
		t.Fatalf("log:\n%s", buf.String())
	}
}
