package conf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
)

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "filter.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func sinkValue(t *testing.T, a *AgentConfig, key string) string {
	t.Helper()
	if len(a.Sinks) != 1 {
		t.Fatalf("sinks %v, problems:\n%v", a.Sinks, a.Problems)
	}
	p, ok := findProp(&a.Sinks[0].Component, key)
	if !ok {
		t.Fatalf("no %s", key)
	}
	return p.Value
}

const filteredAgent = `
a1.channels = c1
a1.sinks = k1
a1.channels.c1.type = memory
a1.sinks.k1.channel = c1
`

func TestEnvConfigFilter(t *testing.T) {
	t.Setenv("FLUMEGO_FILTER_TEST", "s3cret")
	t.Setenv("FLUMEGO_FILTER_TYPE", "logger")
	home, _ := os.LookupEnv("HOME")
	a := agentFrom(t, filteredAgent+`
a1.configfilters = f1
a1.configfilters.f1.type = env
a1.sinks.k1.type = ${f1['FLUMEGO_FILTER_TYPE']}
a1.sinks.k1.home = ${f1['HOME']}/x
a1.sinks.k1.password = a${f1["FLUMEGO_FILTER_TEST"]}b${f1[FLUMEGO_FILTER_TEST]}
a1.sinks.k1.unset = ${f1['FLUMEGO_FILTER_UNSET']}
a1.sinks.k1.other = ${f2['HOME']} ${f1['bad key']} ${f1['HOME"]} $${x}
`)
	if got := a.Sinks[0].Type; got != "logger" {
		t.Errorf("type = %q: a filtered type must be the component's type", got)
	}
	for key, want := range map[string]string{
		"home":     home + "/x",
		"password": "as3cretbs3cret",
		"unset":    "${f1['FLUMEGO_FILTER_UNSET']}",
		"other":    `${f2['HOME']} ${f1['bad key']} ${f1['HOME"]} ${x}`,
	} {
		if got := sinkValue(t, a, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if !hasProblem(a, flume.Warning, "a1.sinks.k1.unset", `environment variable "FLUMEGO_FILTER_UNSET" has no value`) {
		t.Errorf("no warning for an unset variable:\n%v", a.Problems)
	}
	if !hasProblem(a, flume.Warning, "a1.sinks.k1.other", `config filter "f2", which agent "a1" does not configure`) {
		t.Errorf("no warning for an unknown filter:\n%v", a.Problems)
	}
	if len(a.Problems.Errors()) != 0 || len(a.Problems) != 2 {
		t.Errorf("problems:\n%v", a.Problems)
	}
	// The class name works too, and a filter's own values are not filtered.
	a = agentFrom(t, filteredAgent+`
a1.configfilters = f1
a1.configfilters.f1.type = org.apache.flume.configfilter.EnvironmentVariableConfigFilter
a1.sinks.k1.type = logger
a1.sinks.k1.x = ${f1['FLUMEGO_FILTER_TEST']}
`)
	if got := sinkValue(t, a, "x"); got != "s3cret" || len(a.Problems) != 0 {
		t.Errorf("class name: x = %q, problems %v", got, a.Problems)
	}
}

func TestExternalConfigFilter(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	cmd := script(t, `echo "$2" >> `+log+`
case "$2" in
  fail) echo "vault sealed" >&2; exit 3 ;;
  empty) exit 0 ;;
  *) printf '%s-%s\nsecond line\n' "$1" "$2" ;;
esac
`)
	a := agentFrom(t, filteredAgent+`
a1.configfilters = f2 f1
a1.configfilters.f2.type = external
a1.configfilters.f2.command = sh `+cmd+`   v
a1.configfilters.f1.type = env
a1.sinks.k1.type = logger
a1.sinks.k1.a = ${f2['db-pass']}
a1.sinks.k1.b = ${f2['db-pass']}:${f2['db-pass']}
a1.sinks.k1.c = ${f2['fail']}
a1.sinks.k1.d = ${f2['empty']}
`)
	for key, want := range map[string]string{
		"a": "v-db-pass", // the command's words, then the key; the first line of the output
		"b": "v-db-pass:v-db-pass",
		"c": "${f2['fail']}",
		"d": "${f2['empty']}",
	} {
		if got := sinkValue(t, a, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if calls, _ := os.ReadFile(log); string(calls) != "db-pass\nfail\nempty\n" {
		t.Errorf("the command ran for %q: each key must be looked up once per load", calls)
	}
	if !hasProblem(a, flume.Error, "a1.sinks.k1.c", `config filter "f2"`, "fail", "exit status 3", "vault sealed", "stays as written") {
		t.Errorf("no error for a failing command:\n%v", a.Problems)
	}
	if !hasProblem(a, flume.Warning, "a1.sinks.k1.d", "empty", "has no value") {
		t.Errorf("no warning for a command without output:\n%v", a.Problems)
	}
	if len(a.Problems) != 2 || len(a.Sinks) != 1 {
		t.Errorf("problems:\n%v", a.Problems)
	}
}

func TestExternalConfigFilterTimeout(t *testing.T) {
	defer func(d time.Duration) { externalFilterTimeout = d }(externalFilterTimeout)
	externalFilterTimeout = 200 * time.Millisecond
	cmd := script(t, "sleep 30\n")
	start := time.Now()
	a := agentFrom(t, filteredAgent+`
a1.configfilters = f
a1.configfilters.f.type = external
a1.configfilters.f.command = `+cmd+`
a1.sinks.k1.type = logger
a1.sinks.k1.x = ${f['k']}
`)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("a hanging command held the load for %v", elapsed)
	}
	if !hasProblem(a, flume.Error, "a1.sinks.k1.x", "no answer within 200ms") || sinkValue(t, a, "x") != "${f['k']}" {
		t.Errorf("problems:\n%v", a.Problems)
	}
}

func TestConfigFilterProblems(t *testing.T) {
	for name, tc := range map[string]struct {
		props string
		want  []string
		sev   flume.Severity
	}{
		"hadoop": {`a1.configfilters = h
a1.configfilters.h.type = hadoop
a1.configfilters.h.credential.provider.path = jceks://file/x.jceks`, []string{"a1.configfilters.h.type", "Hadoop credential store", "not supported"}, flume.Error},
		"hadoop class": {`a1.configfilters = h
a1.configfilters.h.type = org.apache.flume.configfilter.HadoopCredentialStoreConfigFilter`, []string{"not supported"}, flume.Error},
		"unknown type": {`a1.configfilters = h
a1.configfilters.h.type = com.example.VaultFilter`, []string{"a1.configfilters.h.type", "unknown config filter type"}, flume.Error},
		"no command": {`a1.configfilters = h
a1.configfilters.h.type = external`, []string{"a1.configfilters.h.command", "required"}, flume.Error},
		"no type": {`a1.configfilters = h
a1.configfilters.h.command = x`, []string{"a1.configfilters.h.type", "has no type"}, flume.Error},
		"missing command": {`a1.configfilters = h
a1.configfilters.h.type = external
a1.configfilters.h.command = /nonexistent/flumego-filter
a1.sinks.k1.x = ${h['k']}`, []string{"a1.sinks.k1.x", "/nonexistent/flumego-filter k", "no such file"}, flume.Error},
		"bad charset": {`a1.configfilters = h
a1.configfilters.h.type = external
a1.configfilters.h.command = true
a1.configfilters.h.charset = KLINGON`, []string{"a1.configfilters.h.charset", "unknown charset"}, flume.Error},
		"unknown key": {`a1.configfilters = h
a1.configfilters.h.type = env
a1.configfilters.h.command = x`, []string{"a1.configfilters.h.command", "unknown property"}, flume.Warning},
		"not listed": {`a1.configfilters.h.type = env`, []string{"a1.configfilters.h.type", "does not list it"}, flume.Warning},
	} {
		a := agentFrom(t, filteredAgent+"a1.sinks.k1.type = logger\n"+tc.props+"\n")
		if !hasProblem(a, tc.sev, tc.want...) {
			t.Errorf("%s: no %s with %q in:\n%v", name, tc.sev, tc.want, a.Problems)
		}
		if len(a.Sinks) != 1 {
			t.Errorf("%s: a config filter problem must not drop the sink", name)
		}
		if strings.HasPrefix(name, "hadoop") && !errors.Is(a.Problems, flume.ErrUnsupported) {
			t.Errorf("%s: the problem must match flume.ErrUnsupported", name)
		}
	}
}

// FuzzFindFilterReference: the reference scanner never panics, and what it
// finds is a well-formed reference to the filter it names.
func FuzzFindFilterReference(f *testing.F) {
	for _, s := range []string{"${f1['HOME']}", `a${f1["x-y"]}b`, "${f1[k]}", "${f1['k\"]}", "${${f1['a']}", "${f[]}", "$${f['a']}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, name := range []string{"", "f1"} {
			start, end, filter, key, ok := findFilterReference(v, name)
			if !ok {
				continue
			}
			ref := v[start:end]
			if !strings.HasPrefix(ref, "${"+filter+"[") || !strings.HasSuffix(ref, "]}") || key == "" || !strings.Contains(ref, key) ||
				(name != "" && filter != name) {
				t.Fatalf("%q: found %q (filter %q, key %q)", v, ref, filter, key)
			}
		}
	})
}
