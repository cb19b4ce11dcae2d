package conf

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/flumego/flume"
)

// problemsAbout returns the problems located at key.
func problemsAbout(ps flume.Problems, key string) flume.Problems {
	var out flume.Problems
	for _, p := range ps {
		if p.Key == key {
			out = append(out, p)
		}
	}
	return out
}

// bomb returns lines l0..l<levels> where each level references the one
// below ten times: l<n> expands to 10^(n+1) bytes.
func bomb(levels int) []string {
	lines := []string{"l0 = xxxxxxxxxx"}
	for i := 1; i <= levels; i++ {
		lines = append(lines, fmt.Sprintf("l%d = %s", i, strings.Repeat(fmt.Sprintf("${l%d}", i-1), 10)))
	}
	return lines
}

// TestSubstitutionBombIsBounded is finding 4 of issue 19: eight levels of
// ten references each (a 600-byte file) asked for 10^9 bytes, took 12 s
// and 1 GB. Each value is now bounded: the levels past 1 MiB are errors
// located at their keys, left as written, and drop the component using
// them; the levels below expand.
func TestSubstitutionBombIsBounded(t *testing.T) {
	text := strings.Join(append(bomb(8),
		"a1.sources = r1",
		"a1.channels = c1",
		"a1.sources.r1.type = exec",
		"a1.sources.r1.command = echo ${l8}",
		"a1.sources.r1.channels = c1",
		"a1.channels.c1.type = memory",
		"a1.channels.c1.capacity = ${l1}",
	), "\n")
	if len(text) > 1024 {
		t.Fatalf("the configuration is %d bytes, meant to be under 1 KB", len(text))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p := parse(t, text)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Fatalf("substitution allocated %d MB; it must stay bounded", alloc>>20)
	}
	for i := 0; i <= 5; i++ { // 10^6 bytes fit in 1 MiB
		key := fmt.Sprintf("l%d", i)
		if got := len(value(t, p, key)); got != pow10(i+1) {
			t.Errorf("%s expanded to %d bytes, want %d", key, got, pow10(i+1))
		}
		if ps := problemsAbout(p.Problems, key); len(ps) != 0 {
			t.Errorf("%s: %v", key, ps)
		}
	}
	for i := 6; i <= 8; i++ {
		key := fmt.Sprintf("l%d", i)
		ps := problemsAbout(p.Problems, key)
		if len(ps) != 1 || ps[0].Severity != flume.Error || ps[0].Line != i+1 ||
			!strings.Contains(ps[0].Message, fmt.Sprintf("exceed %d bytes", MaxSubstitutedValue)) {
			t.Errorf("%s: want one error at line %d about the %d-byte limit, got %v", key, i+1, MaxSubstitutedValue, ps)
		}
		if v := value(t, p, key); !strings.HasPrefix(v, fmt.Sprintf("${l%d}", i-1)) {
			t.Errorf("%s = %.40q..., want its text as written", key, v)
		}
	}
	a := Agent("a1", p)
	if len(a.Sources) != 0 || len(a.Channels) != 1 {
		t.Fatalf("sources %d, channels %d: the source whose command passed the limit must be dropped, the channel kept", len(a.Sources), len(a.Channels))
	}
	var dropped bool
	for _, pr := range a.Problems {
		dropped = dropped || (pr.Key == "a1.sources.r1.command" && pr.Severity == flume.Error && strings.Contains(pr.Message, "dropped"))
	}
	if !dropped {
		t.Fatalf("no error about dropping r1 at its command:\n%v", a.Problems)
	}
}

func pow10(n int) int {
	v := 1
	for range n {
		v *= 10
	}
	return v
}

// TestSubstitutionDepthIsBounded follows a chain of 40 properties: the ones
// whose expansion nests more than MaxSubstitutionDepth deep are reported.
func TestSubstitutionDepthIsBounded(t *testing.T) {
	const n = 40
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf("k%d = ${k%d}", i, i+1))
	}
	lines = append(lines, fmt.Sprintf("k%d = end", n))
	p := parse(t, strings.Join(lines, "\n"))
	for i := range n {
		key := fmt.Sprintf("k%d", i)
		ps := problemsAbout(p.Problems, key)
		if n-i > MaxSubstitutionDepth {
			if len(ps) != 1 || ps[0].Severity != flume.Error || !strings.Contains(ps[0].Message, "nest more than 32 deep") {
				t.Errorf("%s (%d deep): want a nesting error, got %v", key, n-i, ps)
			}
			continue
		}
		if len(ps) != 0 || value(t, p, key) != "end" {
			t.Errorf("%s (%d deep) = %q, problems %v; want end", key, n-i, value(t, p, key), ps)
		}
	}
}

// TestSubstitutionGrowthIsBounded references a 1 MB value 20 times: each
// value fits, the configuration as a whole does not.
func TestSubstitutionGrowthIsBounded(t *testing.T) {
	lines := bomb(5) // l5 is 10^6 bytes
	for i := range 20 {
		lines = append(lines, fmt.Sprintf("copy%02d = ${l5}", i))
	}
	p := parse(t, strings.Join(lines, "\n"))
	var failed []string
	for _, pr := range p.Problems {
		if pr.Severity == flume.Error && strings.Contains(pr.Message, "to the configuration in all") {
			failed = append(failed, pr.Key)
		}
	}
	// l1..l5 add about 1.1 MB, each copy 1 MB: copies 0..14 fit in 16 MiB.
	if len(failed) != 5 || failed[0] != "copy15" {
		t.Fatalf("keys over the total limit: %v; want copy15..copy19", failed)
	}
	if got := len(value(t, p, "copy14")); got != 1_000_000 {
		t.Fatalf("copy14 is %d bytes", got)
	}
}

// TestCircularAndUndefinedReferencesWarn is finding 5 of issue 19: they
// stay as written, as in Flume, and each is a located warning at the key
// whose value holds it.
func TestCircularAndUndefinedReferencesWarn(t *testing.T) {
	p := parse(t, strings.Join([]string{
		"a1.channels.c1.checkpointDir = /var/${a}", // line 1
		"a = ${b}",
		"b = ${a}",
		"self = x${self}",
		"undef = ${nope} and ${env:FLUMEGO_SURELY_UNSET}",
		"fine = ${nope:-default} $${literal} ${a1.channels.c1.type}",
		"filter = ${f1['HOME']}",
		"a1.channels.c1.type = file",
	}, "\n"))
	want := map[string][]string{
		"a1.channels.c1.checkpointDir": {"${a} is left as written, as Flume does: circular reference a → b → a"},
		"a":                            {"${b} is left as written, as Flume does: circular reference a → b → a"},
		"b":                            {"${a} is left as written, as Flume does: circular reference b → a → b"},
		"self":                         {"${self} is left as written, as Flume does: circular reference self → self"},
		"undef":                        {"${nope} is not defined", "${env:FLUMEGO_SURELY_UNSET} is not defined"},
		"fine":                         nil,
		"filter":                       nil, // a config filter reference, resolved later
	}
	for key, msgs := range want {
		ps := problemsAbout(p.Problems, key)
		if len(ps) != len(msgs) {
			t.Errorf("%s: %d problems, want %d: %v", key, len(ps), len(msgs), ps)
			continue
		}
		for i, m := range msgs {
			if ps[i].Severity != flume.Warning || !strings.Contains(ps[i].Message, m) || ps[i].File != "t.properties" || ps[i].Line == 0 {
				t.Errorf("%s: got %v, want a located warning containing %q", key, ps[i], m)
			}
		}
	}
	for key, v := range map[string]string{"a": "${b}", "b": "${a}", "self": "x${self}", "a1.channels.c1.checkpointDir": "/var/${a}",
		"undef": "${nope} and ${env:FLUMEGO_SURELY_UNSET}", "fine": "default ${literal} file", "filter": "${f1['HOME']}"} {
		if got := value(t, p, key); got != v {
			t.Errorf("%s = %q, want %q (as Flume leaves it)", key, got, v)
		}
	}
}
