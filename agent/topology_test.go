package agent

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	view "github.com/flumego/flume/topology"
)

// TestTopologyOfRunningGraph checks the graph a running agent's snapshot
// describes: every component a node, in its layer, with its live state
// (fill, member states, counters), and the edges events take.
func TestTopologyOfRunningGraph(t *testing.T) {
	dir := t.TempDir()
	g, problems := buildText(t, `a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2 k3 k4
a1.sinkgroups = g1 g2
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 50
a1.sources.r1.channels = c1 c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 500
a1.channels.c2.type = memory
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = `+dir+`
a1.sinks.k2.type = null
a1.sinks.k2.channel = c1
a1.sinks.k3.type = null
a1.sinks.k3.channel = c2
a1.sinks.k4.type = null
a1.sinks.k4.channel = c2
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.k1 = 10
a1.sinkgroups.g2.sinks = k3 k4
a1.sinkgroups.g2.processor.type = load_balance
`, Options{})
	if len(problems.Errors()) > 0 {
		t.Fatal(problems)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop(context.Background())
	flumetest.WaitFor(t, 10*time.Second, "50 events in c1 drained", func() bool {
		top := g.Snapshot().Topology()
		src, _ := top.Node("source/r1")
		c1, _ := top.Node("channel/c1")
		return src != nil && len(src.Counters) > 0 && attr(src.Counters[0].Attributes(), "EventAcceptedCount") == 50 && c1.Fill.Len == 0
	})
	top := g.Snapshot().Topology()
	if top.Agent != "a1" || !top.Running {
		t.Errorf("graph %q running %v", top.Agent, top.Running)
	}
	var nodes []string
	for _, n := range top.Nodes {
		s := fmt.Sprintf("%s %s L%d", n.ID, n.Type, n.Layer)
		if n.Member != nil {
			s += fmt.Sprintf(" active=%v prio=%d", n.Member.Active, n.Member.Priority)
		}
		if n.Fill != nil {
			s += fmt.Sprintf(" cap=%d", n.Fill.Capacity)
		}
		nodes = append(nodes, s)
	}
	want := []string{
		"source/r1 seq L0", "selector/r1 replicating L1", "channel/c1 memory L2 cap=500", "channel/c2 memory L2 cap=100",
		"sinkgroup/g1 failover L3", "sinkgroup/g2 load_balance L3",
		"sink/k1 file_roll L4 active=true prio=10", "sink/k2 null L4 active=false prio=-1",
		"sink/k3 null L4 active=true prio=0", "sink/k4 null L4 active=true prio=0",
	}
	if strings.Join(nodes, "\n") != strings.Join(want, "\n") {
		t.Errorf("nodes:\n%s\nwant:\n%s", strings.Join(nodes, "\n"), strings.Join(want, "\n"))
	}
	var edges []string
	for _, e := range top.Edges {
		edges = append(edges, e.From+" "+e.To)
	}
	wantEdges := "source/r1 selector/r1, selector/r1 channel/c1, selector/r1 channel/c2, channel/c1 sinkgroup/g1, sinkgroup/g1 sink/k1, " +
		"sinkgroup/g1 sink/k2, channel/c2 sinkgroup/g2, sinkgroup/g2 sink/k3, sinkgroup/g2 sink/k4"
	if got := strings.Join(edges, ", "); got != wantEdges {
		t.Errorf("edges:\n%s\nwant:\n%s", got, wantEdges)
	}
	for _, n := range top.Nodes {
		if (n.Kind == view.Source || n.Kind == view.Channel || n.ID == "sink/k1") && len(n.Counters) == 0 {
			t.Errorf("%s has no counters", n.ID)
		}
		if n.State != "running" || n.Dropped {
			t.Errorf("%s: state %q dropped %v", n.ID, n.State, n.Dropped)
		}
	}
}

func attr(attrs []flume.Attribute, name string) float64 {
	for _, a := range attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return -1
}
