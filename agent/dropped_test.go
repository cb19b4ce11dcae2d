package agent

import (
	"fmt"
	"strings"
	"testing"
)

// TestSnapshotListsDropped checks that a snapshot of a built graph names
// every component the configuration check or the build dropped, and the
// names components refer to that nothing configures, with their configured
// wiring; and that running components list the channels and sinks they are
// configured with that do not run.
func TestSnapshotListsDropped(t *testing.T) {
	g, problems := buildText(t, `a1.sources = r1 r2 r3 r4
a1.channels = c1 c2 c3 c4 c5
a1.sinks = k1 k2 k3 k4 k5 k6
a1.sinkgroups = g1 g2 g3
a1.sources.r1.type = seq
a1.sources.r1.channels = c1 c2 c9
a1.sources.r2.type = no.such.Source
a1.sources.r2.channels = c1
a1.sources.r3.type = seq
a1.sources.r4.type = seq
a1.sources.r4.channels = c3
a1.channels.c1.type = memory
a1.channels.c2.type = no.such.Channel
a1.channels.c3.capacity = 10
a1.channels.c5.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.sinks.k2.type = no.such.Sink
a1.sinks.k2.channel = c1
a1.sinks.k3.type = null
a1.sinks.k3.channel = c1
a1.sinks.k4.type = null
a1.sinks.k4.channel = c1
a1.sinks.k5.type = null
a1.sinks.k5.channel = c1
a1.sinks.k6.type = null
a1.sinks.k6.channel = c1
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g2.sinks = k3 k4
a1.sinkgroups.g3.sinks = k5 k7
a1.sinkgroups.g3.processor.type = load_balance
`, Options{})
	if len(problems.Errors()) == 0 {
		t.Fatal("the configuration has errors")
	}
	snap := g.Snapshot()
	var got []string
	for _, d := range snap.Dropped {
		got = append(got, fmt.Sprintf("%s %s type=%q undefined=%v channels=%v sinks=%v", d.Kind, d.Name, d.Type, d.Undefined, d.Channels, d.Sinks))
	}
	want := []string{
		`source r2 type="no.such.Source" undefined=false channels=[c1] sinks=[]`,
		`source r3 type="seq" undefined=false channels=[] sinks=[]`,
		`source r4 type="seq" undefined=false channels=[c3] sinks=[]`,
		`channel c2 type="no.such.Channel" undefined=false channels=[] sinks=[]`,
		`channel c5 type="memory" undefined=false channels=[] sinks=[]`, // nothing connected
		`channel c3 type="" undefined=false channels=[] sinks=[]`,       // no type
		`channel c4 type="" undefined=false channels=[] sinks=[]`,       // no properties
		`channel c9 type="" undefined=true channels=[] sinks=[]`,
		`sinkgroup g3 type="load_balance" undefined=false channels=[] sinks=[k5 k7]`, // one sink is too few
		`sinkgroup g2 type="" undefined=false channels=[] sinks=[k3 k4]`,             // no processor.type
		`sink k2 type="no.such.Sink" undefined=false channels=[c1] sinks=[]`,
		`sink k5 type="null" undefined=false channels=[c1] sinks=[]`, // its group is dropped
		`sink k3 type="null" undefined=false channels=[c1] sinks=[]`,
		`sink k4 type="null" undefined=false channels=[c1] sinks=[]`,
		`sink k7 type="" undefined=true channels=[] sinks=[]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Dropped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	r1, _ := snap.Source("r1")
	if fmt.Sprint(r1.Channels, r1.DroppedChannels) != "[c1] [c2 c9]" {
		t.Errorf("r1: channels %v, dropped %v", r1.Channels, r1.DroppedChannels)
	}
	g1, _ := snap.Runner("g1")
	if fmt.Sprint(g1.Sinks, g1.DroppedSinks) != "[k1] [k2]" {
		t.Errorf("g1: sinks %v, dropped %v", g1.Sinks, g1.DroppedSinks)
	}
}
