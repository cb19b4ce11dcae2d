package kafkaconf

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/flumego/flume"
)

// agentContext returns the context of sink k1 of agent a1 over props, each
// on its own line of flume.conf, in sorted key order, so problems carry
// the line the user wrote.
func agentContext(props map[string]string) (*flume.Context, map[string]int) {
	keys := slices.Sorted(maps.Keys(props))
	lines := map[string]int{}
	var list []flume.Property
	for i, k := range keys {
		lines[k] = i + 2
		list = append(list, flume.Property{Key: "a1.sinks.k1." + k, Value: props[k], File: "flume.conf", Line: i + 2})
	}
	anchor := flume.Property{Key: "a1.sinks.k1.type", Value: "kafka", File: "flume.conf", Line: 1}
	return flume.NewContext("a1.sinks.k1.", anchor, list), lines
}

// with returns base plus kv pairs (an empty value deletes the key).
func with(base map[string]string, kv ...string) map[string]string {
	m := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
		} else {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

// problemAt returns the problem recorded about key (relative to the
// component), or fails.
func problemAt(t *testing.T, cfg *flume.Context, key string) flume.Problem {
	t.Helper()
	for _, p := range cfg.Problems() {
		if p.Key == "a1.sinks.k1."+key {
			return p
		}
	}
	t.Fatalf("no problem about %s; problems:\n%v", key, cfg.Problems())
	return flume.Problem{}
}

// onlyProblems fails unless cfg recorded exactly the problems about keys
// (each a warning unless it is in errs).
func onlyProblems(t *testing.T, cfg *flume.Context, keys ...string) {
	t.Helper()
	var got []string
	for _, p := range cfg.Problems() {
		got = append(got, strings.TrimPrefix(p.Key, "a1.sinks.k1."))
		if p.Severity == flume.Error {
			t.Errorf("error: %v", p)
		}
	}
	slices.Sort(got)
	slices.Sort(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("problems about %v, want %v:\n%v", got, keys, cfg.Problems())
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
}

// unsupportedAt checks that the configuration failed with an error matching
// flume.ErrUnsupported, located at key's line.
func unsupportedAt(t *testing.T, cfg *flume.Context, lines map[string]int, key string) {
	t.Helper()
	if err := cfg.Err(); !errors.Is(err, flume.ErrUnsupported) {
		t.Errorf("%s: error %v, want flume.ErrUnsupported", key, err)
		return
	}
	p := problemAt(t, cfg, key)
	line, set := lines[key]
	if !set {
		line = 1 // a key the user did not write: the component's line
	}
	if !errors.Is(p, flume.ErrUnsupported) || p.Line != line || p.File != "flume.conf" {
		t.Errorf("%s: problem %+v, want an unsupported one at flume.conf:%d", key, p, line)
	}
}
