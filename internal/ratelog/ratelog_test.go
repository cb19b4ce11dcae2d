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
