package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
)

var update = flag.Bool("update", false, "rewrite the golden files of flume-ng graph")

// graphSeeds are the agents of the example topologies in examples/.
var graphSeeds = []struct{ file, agent string }{
	{"quickstart/a1.properties", "a1"},
	{"failover-collectors/web.properties", "web"},
	{"failover-collectors/collector.properties", "collector"},
	{"thrift-sdk-to-kafka/ingest.properties", "ingest"},
	{"web-to-kafka/web.properties", "web"},
	{"web-to-kafka/consolidator.properties", "consolidator"},
	{"../cmd/flume-ng/testdata/graph/dropped.properties", "a1"},
}

// TestGraphGolden prints the topology of every seed agent in both formats
// and compares it with the golden files in testdata/graph (go test -run
// TestGraphGolden -update rewrites them); then Graphviz's dot must render
// every DOT output.
func TestGraphGolden(t *testing.T) {
	var dots []string
	for _, seed := range graphSeeds {
		base := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(filepath.Dir(seed.file))+"-"+filepath.Base(seed.file), ".properties"), "..", "")
		if strings.HasPrefix(seed.file, "../") {
			base = strings.TrimSuffix(filepath.Base(seed.file), ".properties")
		}
		for _, format := range []string{"dot", "mermaid"} {
			cmd := exec.Command(binary, "graph", "-n", seed.agent, "-f", filepath.Join("..", "..", "examples", seed.file), "--format", format)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("graph %s: %v\n%s", seed.file, err, stderr.String())
			}
			ext := map[string]string{"dot": ".dot", "mermaid": ".mmd"}[format]
			golden := filepath.Join("testdata", "graph", base+ext)
			if *update {
				if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGraphGolden -update)", err)
			}
			if stdout.String() != string(want) {
				t.Errorf("flume-ng graph -n %s -f %s --format %s differs from %s:\n%s", seed.agent, seed.file, format, golden, stdout.String())
			}
			if format == "dot" {
				dots = append(dots, golden)
			}
			dropped := strings.Contains(stdout.String(), "dropped")
			if dropped != strings.Contains(stderr.String(), "would be dropped") {
				t.Errorf("%s: stderr does not tell about dropped components:\n%s", seed.file, stderr.String())
			}
		}
	}
	dot := flumetest.Peer(t, "install Debian's graphviz (.ci/setup.d/graphviz.sh)", "dot")
	for _, f := range dots {
		out, err := exec.Command(dot, "-Tsvg", f).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("</svg>")) || bytes.Contains(out, []byte("Warning")) {
			t.Errorf("dot -Tsvg %s: %v\n%.500s", f, err, out)
		}
	}
}

// TestGraphDropped checks the drawing of a configuration with errors: the
// components check drops are in it, marked, with their configured edges.
func TestGraphDropped(t *testing.T) {
	cmd := exec.Command(binary, "graph", "-n", "a1", "-f", "testdata/graph/dropped.properties", "--format", "json")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Nodes []struct {
			ID        string
			Dropped   bool
			Undefined bool
		}
		Edges []struct {
			From, To string
			Dropped  bool
		}
	}
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	nodes := map[string]string{}
	for _, n := range g.Nodes {
		nodes[n.ID] = map[[2]bool]string{{false, false}: "runs", {true, false}: "dropped", {true, true}: "undefined"}[[2]bool{n.Dropped, n.Undefined}]
	}
	for id, want := range map[string]string{
		"source/r1": "runs", "selector/r1": "runs", "channel/c1": "runs", "sinkgroup/g1": "runs", "sink/k1": "runs",
		"sink/k2": "dropped", "channel/c2": "dropped", "source/r2": "dropped", "channel/c3": "undefined", "sink/k3": "dropped",
	} {
		if nodes[id] != want {
			t.Errorf("%s: %q, want %q (nodes %v)", id, nodes[id], want, nodes)
		}
	}
	edges := map[string]bool{}
	for _, e := range g.Edges {
		edges[e.From+" "+e.To] = e.Dropped
	}
	for e, dropped := range map[string]bool{
		"source/r1 selector/r1": false, "selector/r1 channel/c1": false, "selector/r1 channel/c3": true,
		"channel/c1 sinkgroup/g1": false, "sinkgroup/g1 sink/k1": false, "sinkgroup/g1 sink/k2": true,
		"source/r2 channel/c2": true, "channel/c2 sink/k3": true,
	} {
		if got, ok := edges[e]; !ok || got != dropped {
			t.Errorf("edge %s: present %v dropped %v, want dropped %v", e, ok, got, dropped)
		}
	}
}
