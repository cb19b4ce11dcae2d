package agent

import (
	"errors"
	"strings"
	"testing"

	"github.com/flumego/flume"
)

// TestEveryProblemAtOnce: a component dropped for one reason still has its
// other problems reported (its unknown type, its interceptors'), so that
// check shows them all in one run.
func TestEveryProblemAtOnce(t *testing.T) {
	g, problems := buildText(t, `a1.sources = r1 r2
a1.channels = c1 c2
a1.sinks = k1 k2 k3 k4
a1.sinkgroups = g1
a1.channels.c1.type = disk
a1.channels.c2.type = memory

a1.sources.r1.type = org.apache.flume.source.jms.JMSSource
a1.sources.r1.channels = c2
a1.sources.r1.interceptors = i1 i2 i3
a1.sources.r1.interceptors.i1.type = com.example.StaticHeaderInterceptor$Builder
a1.sources.r1.interceptors.i2.type = regex_filter
a1.sources.r1.interceptors.i2.regex = [a&&b]
a1.sources.r1.interceptors.i3.type = timestamp
a1.sources.r1.selector.type = fancy

a1.sources.r2.type = com.example.Source
a1.sources.r2.interceptors = j1
a1.sources.r2.interceptors.j1.type = com.example.Other$Builder

a1.sinks.k1.type = com.example.FooSink
a1.sinks.k1.channel = c1
a1.sinks.k2.type = hbase
a1.sinks.k2.channel = c9
a1.sinks.k3.type = com.example.GroupedSink
a1.sinks.k3.channel = c2
a1.sinks.k4.type = logger
a1.sinks.k4.channel = c2
a1.sinkgroups.g1.sinks = k3
`, Options{})
	want := []string{
		// c1's unknown type drops it, and with it k1, whose own type is unknown too.
		`a1.channels.c1.type: "disk": unknown channel type "disk"`,
		`a1.sinks.k1.channel: "c1": sink "k1": its channel "c1" was dropped`,
		`a1.sinks.k1.type: "com.example.FooSink": unknown sink type "com.example.FooSink": a Java class; write it as a Go plugin, see docs/plugins.md; sink "k1" is dropped`,
		// r1's type is unknown: its interceptors and selector are checked anyway.
		`a1.sources.r1.type: "org.apache.flume.source.jms.JMSSource": unknown source type "org.apache.flume.source.jms.JMSSource": a Flume 1.11 source that flumego does not implement`,
		`a1.sources.r1.interceptors.i1.type: "com.example.StaticHeaderInterceptor$Builder": unknown interceptor type "com.example.StaticHeaderInterceptor$Builder": a Java class; write it as a Go plugin, see docs/plugins.md`,
		`a1.sources.r1.interceptors.i2.regex: "[a&&b]": java regex`,
		`a1.sources.r1.selector.type: "fancy": unknown channel selector type`,
		// Dropped while the configuration is validated, and still inspected.
		`a1.sources.r2.type: "com.example.Source": unknown source type "com.example.Source": a Java class`,
		`a1.sources.r2.interceptors.j1.type: "com.example.Other$Builder": unknown interceptor type`,
		`a1.sinks.k2.channel: "c9": not a valid channel`,
		`a1.sinks.k2.type: "hbase": unknown sink type "hbase": a Flume 1.11 sink that flumego does not implement (known: avro,`,
		`a1.sinks.k3.type: "com.example.GroupedSink": unknown sink type "com.example.GroupedSink": a Java class`,
	}
	text := problems.Error()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	// Where a Java class is named, nothing is guessed after the plain answer.
	for _, p := range problems {
		if i := strings.Index(p.Message, "see docs/plugins.md"); i >= 0 {
			if rest := strings.TrimPrefix(p.Message[i:], "see docs/plugins.md"); rest != "" && !strings.HasPrefix(rest, "; ") {
				t.Errorf("something after the Java class answer: %q", p.Message)
			}
		}
	}
	if !errors.Is(problems, flume.ErrUnsupported) {
		t.Error("a Flume component flumego does not implement must match ErrUnsupported")
	}
	if snap := g.Snapshot(); len(snap.Sources) != 0 || len(snap.Runners) != 1 || snap.Runners[0].Name != "k4" {
		t.Errorf("only k4 should run: %d sources, runners %v", len(snap.Sources), snap.Runners)
	}
	if t.Failed() {
		t.Logf("problems:\n%s", text)
	}
}

// TestEveryProblemWithoutChannels: when the agent has no usable channel,
// its sources and sinks are still checked.
func TestEveryProblemWithoutChannels(t *testing.T) {
	_, problems := buildText(t, `a1.sources = r1
a1.sinks = k1
a1.sources.r1.type = jms
a1.sources.r1.channels = c1
a1.sinks.k1.type = com.example.Sink
a1.sinks.k1.channel = c1
`, Options{})
	text := problems.Error()
	for _, w := range []string{"has no a1.channels list", `unknown source type "jms": a Flume 1.11 source`, `unknown sink type "com.example.Sink": a Java class`} {
		if !strings.Contains(text, w) {
			t.Errorf("missing problem %q in:\n%s", w, text)
		}
	}
}
