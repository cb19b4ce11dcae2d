package flume

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRangeGetters: each range getter returns the value within range, the
// default when the key is absent, and the default with a located problem of
// the right severity when the value does not parse or is out of range.
func TestRangeGetters(t *testing.T) {
	cfg := ContextFromMap(map[string]string{
		"ok": "5", "zero": "0", "neg": "-3", "bad": "x", "big": "70000", "ms": "250", "s": "2", "lenient": "0",
		"pct": "101",
	})
	checks := []struct {
		name      string
		got, want any
	}{
		{"Positive(ok)", cfg.Positive("ok", 9), 5},
		{"Positive(absent)", cfg.Positive("absent", 9), 9},
		{"Positive(zero)", cfg.Positive("zero", 9), 9},
		{"IntAtLeast(zero, 0)", cfg.IntAtLeast("zero", 9, 0), 0},
		{"IntAtLeast(neg, 0)", cfg.IntAtLeast("neg", 9, 0), 9},
		{"IntRange(big, 0..65535)", cfg.IntRange("big", 1, 0, 65535), 1},
		{"Int64AtLeast(bad)", cfg.Int64AtLeast("bad", 4, 0), int64(4)},
		{"MillisAtLeast(ms)", cfg.MillisAtLeast("ms", time.Second, 100*time.Millisecond), 250 * time.Millisecond},
		{"SecondsAtLeast(s)", cfg.SecondsAtLeast("s", time.Second, 3*time.Second), time.Second},
		{"LenientIntAtLeast(lenient)", cfg.LenientIntAtLeast("lenient", 7, 1), 7},
		{"LenientIntRange(pct, 0..100)", cfg.LenientIntRange("pct", 20, 0, 100), 20},
		{"LenientIntRange(ok, 0..100)", cfg.LenientIntRange("ok", 20, 0, 100), 5},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	want := map[string]string{
		"zero":    "error: zero: \"0\": must be greater than 0",
		"neg":     "error: neg: \"-3\": must be at least 0",
		"big":     "error: big: \"70000\": expected an integer from 0 to 65535",
		"bad":     "error: bad: \"x\": expected an integer",
		"s":       "error: s: \"2\": must be at least 3",
		"lenient": "warning: lenient: \"0\": must be greater than 0; using the default 7",
		"pct":     "warning: pct: \"101\": expected an integer from 0 to 100; using the default 20",
	}
	ps := cfg.Problems()
	if len(ps) != len(want) {
		t.Fatalf("problems: %v", ps)
	}
	for _, p := range ps {
		if got := p.Severity.String() + ": " + p.Error(); got != want[p.Key] {
			t.Errorf("problem about %s: %q, want %q", p.Key, got, want[p.Key])
		}
	}
}

// TestUnsupportedProblems: Unsupportedf records an error that errors.Is
// finds as ErrUnsupported through the Problems a factory returns, even
// when wrapped again; other problems do not match it.
func TestUnsupportedProblems(t *testing.T) {
	cfg := ContextFromMap(map[string]string{"kerberos": "true", "port": "x"})
	cfg.Int("port", 1)
	if errors.Is(cfg.Err(), ErrUnsupported) {
		t.Fatal("a plain error matched ErrUnsupported")
	}
	cfg.Unsupportedf("kerberos", "Kerberos authentication")
	err := fmt.Errorf("build sink k1: %w", cfg.Err())
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("errors.Is(%v, ErrUnsupported) = false", err)
	}
	var p Problem
	if !errors.As(err, &p) || p.Key != "port" {
		t.Fatalf("errors.As found %+v; want the first problem (port)", p)
	}
	last := cfg.Problems()[1]
	if last.Severity != Error || !strings.HasSuffix(last.Message, "(not supported by flumego)") || !errors.Is(last, ErrUnsupported) {
		t.Fatalf("unsupported problem: %+v", last)
	}
}

// TestHeaderAccessors: the methods components use instead of the Headers
// field.
func TestHeaderAccessors(t *testing.T) {
	var e Event
	if e.HeaderCount() != 0 {
		t.Fatal("zero event has headers")
	}
	e.SetHeader("a", "1")
	e.SetHeader("b", "2")
	e.SetHeader("a", "3")
	e.DelHeader("b")
	e.DelHeader("missing")
	got := map[string]string{}
	for k, v := range e.AllHeaders() {
		got[k] = v
	}
	if v, ok := e.Header("a"); !ok || v != "3" || e.HeaderCount() != 1 || len(got) != 1 || got["a"] != "3" {
		t.Fatalf("headers after set/set/set/del: %v (count %d)", got, e.HeaderCount())
	}
	if _, ok := e.Header("b"); ok {
		t.Fatal("deleted header still present")
	}
}
