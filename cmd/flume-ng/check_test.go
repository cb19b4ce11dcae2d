package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestCheckJSON: check --format json gives tools the verdict, what would
// run and every problem with its location, key, value and whether it is an
// unsupported Flume feature.
func TestCheckJSON(t *testing.T) {
	cfg := write(t, "a1.properties", `a1.sources = r1
a1.channels = c1
a1.sinks = k1 k2
a1.sources.r1.type = seq
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = hbase
a1.sinks.k1.channel = c1
a1.sinks.k2.type = logger
a1.sinks.k2.channel = c1
a1.sinks.k2.bogus = 1
`)
	type problem struct {
		Severity, File, Key, Message string
		Line                         int
		Value                        *string
		Unsupported                  bool
	}
	var rep struct {
		Agent                          string
		OK                             bool
		Error                          string
		Sources, Channels, SinkRunners int
		Problems                       []problem
	}
	out, code := run(t, "check", "-n", "a1", "-f", cfg, "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, out)
	}
	if code == 0 || rep.OK || rep.Agent != "a1" || rep.Sources != 1 || rep.Channels != 1 || rep.SinkRunners != 1 || len(rep.Problems) != 2 {
		t.Fatalf("exit %d, report %+v", code, rep)
	}
	hbase, bogus := rep.Problems[0], rep.Problems[1]
	if hbase.Severity != "error" || hbase.File != cfg || hbase.Line != 7 || hbase.Key != "a1.sinks.k1.type" ||
		hbase.Value == nil || *hbase.Value != "hbase" || !hbase.Unsupported {
		t.Errorf("hbase problem %+v", hbase)
	}
	if bogus.Severity != "warning" || bogus.Key != "a1.sinks.k2.bogus" || bogus.Value != nil || bogus.Unsupported {
		t.Errorf("unknown key problem %+v", bogus)
	}

	out, code = run(t, "check", "-n", "a1", "-f", filepath.Join(t.TempDir(), "missing"), "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code == 0 || rep.OK || rep.Error == "" {
		t.Fatalf("unreadable file: exit %d, %v, %+v", code, err, rep)
	}
	if out, code := run(t, "check", "-n", "a1", "-f", cfg, "--format", "yaml"); code == 0 {
		t.Fatalf("unknown format accepted:\n%s", out)
	}
}
