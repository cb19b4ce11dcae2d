package conf

import (
	"strings"
	"testing"

	"github.com/flumego/flume"
)

func agentFrom(t *testing.T, text string) *AgentConfig {
	t.Helper()
	return Agent("a1", parse(t, text))
}

// hasProblem reports whether a problem of sev contains every fragment.
func hasProblem(a *AgentConfig, sev flume.Severity, fragments ...string) bool {
	for _, p := range a.Problems {
		if p.Severity != sev {
			continue
		}
		ok := true
		for _, f := range fragments {
			if !strings.Contains(p.Error(), f) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

const quickstart = `
a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.command = seq 1 10
a1.sources.r1.channels = c1 c2
a1.channels.c1.type = memory
a1.channels.c2.type = memory
a1.sinks.k1.type = logger
a1.sinks.k1.channel = c1
a2.sources = other
`

func TestValidAgent(t *testing.T) {
	a := agentFrom(t, quickstart)
	if !a.Valid() || len(a.Problems) != 0 {
		t.Fatalf("valid=%v problems=%v", a.Valid(), a.Problems)
	}
	if len(a.Sources) != 1 || a.Sources[0].Type != "exec" || strings.Join(a.Sources[0].Channels, ",") != "c1,c2" {
		t.Fatalf("sources = %+v", a.Sources)
	}
	if len(a.Sinks) != 1 || a.Sinks[0].Channel != "c1" || a.Sinks[0].Anchor.Line != 10 {
		t.Fatalf("sinks = %+v", a.Sinks[0])
	}
	ctx := a.Sources[0].Context()
	if ctx.String("command", "") != "seq 1 10" {
		t.Fatalf("source context: %v", ctx.Map())
	}
}

func TestLayoutRules(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		sev        flume.Severity
		fragments  []string
		check      func(*AgentConfig) bool
	}{
		{"sink with a channel list", "a1.channels = c1 c2\na1.channels.c1.type = memory\na1.channels.c2.type = memory\na1.sinks = k1\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1 c2",
			flume.Error, []string{"t.properties:6", "a1.sinks.k1.channel", "exactly one channel"}, func(a *AgentConfig) bool { return len(a.Sinks) == 0 && !a.Valid() }},
		{"sink with plural channels", "a1.channels = c1\na1.channels.c1.type = memory\na1.sinks = k1\na1.sinks.k1.type = null\na1.sinks.k1.channels = c1",
			flume.Error, []string{"a1.sinks.k1.channel: sink \"k1\" has no channel property", "source spelling"}, nil},
		{"source channels intersected", "a1.channels = c1\na1.channels.c1.type = memory\na1.sources = r1\na1.sources.r1.type = seq\na1.sources.r1.channels = c1 c9",
			flume.Warning, []string{"t.properties:5", `"c9"`}, func(a *AgentConfig) bool { return len(a.Sources) == 1 && len(a.Sources[0].Channels) == 1 }},
		{"source without valid channel", "a1.channels = c1\na1.channels.c1.type = memory\na1.sources = r1\na1.sources.r1.type = seq\na1.sources.r1.channels = c9",
			flume.Error, []string{"no valid channel"}, func(a *AgentConfig) bool { return len(a.Sources) == 0 }},
		{"component without type", "a1.channels = c1\na1.channels.c1.capacity = 5",
			flume.Error, []string{"a1.channels.c1.type", "dropped"}, func(a *AgentConfig) bool { return len(a.Channels) == 0 }},
		{"listed without properties", "a1.channels = c1 c2\na1.channels.c1.type = memory\na1.sinks = k1\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1",
			flume.Error, []string{"t.properties:1", `channel "c2" is listed but has no properties`}, func(a *AgentConfig) bool { return a.Valid() }},
		{"no channels list", "a1.sources = r1\na1.sources.r1.type = seq",
			flume.Error, []string{"no a1.channels list"}, func(a *AgentConfig) bool { return !a.Valid() }},
		{"unknown agent key", "a1.channel.c1.type = memory\na1.channels = c1\na1.channels.c1.type = memory\na1.sinks = k1\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1",
			flume.Warning, []string{"t.properties:1", "a1.channel.c1.type", "unknown property"}, func(a *AgentConfig) bool { return a.Valid() }},
		{"configured but not listed", "a1.channels = c1\na1.channels.c1.type = memory\na1.sinks = k1\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1\na1.sinks.k2.type = null",
			flume.Warning, []string{"t.properties:6", `sink "k2" is configured but not listed`}, nil},
		{"no agent", "a2.channels = c1",
			flume.Error, []string{`no configuration found for agent "a1"`}, func(a *AgentConfig) bool { return !a.Valid() }},
		{"sink in two groups", groups + "a1.sinkgroups = g1 g2\na1.sinkgroups.g1.sinks = k1 k2\na1.sinkgroups.g1.processor.type = failover\na1.sinkgroups.g2.sinks = k2\na1.sinkgroups.g2.processor.type = failover\n",
			flume.Error, []string{`sink "k2" already belongs to sink group "g1"`}, func(a *AgentConfig) bool { return len(a.SinkGroups) == 1 }},
		{"group without processor type", groups + "a1.sinkgroups = g1\na1.sinkgroups.g1.sinks = k1 k2\n",
			flume.Error, []string{"processor.type"}, func(a *AgentConfig) bool { return len(a.SinkGroups) == 0 && len(a.Sinks) == 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := agentFrom(t, tc.text)
			if !hasProblem(a, tc.sev, tc.fragments...) {
				t.Errorf("no %s containing %q in:\n%v", tc.sev, tc.fragments, a.Problems)
			}
			if tc.check != nil && !tc.check(a) {
				t.Errorf("unexpected result: %d sources, %d channels, %d sinks, %d groups", len(a.Sources), len(a.Channels), len(a.Sinks), len(a.SinkGroups))
			}
		})
	}
}

const groups = "a1.channels = c1\na1.channels.c1.type = memory\na1.sinks = k1 k2\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1\na1.sinks.k2.type = null\na1.sinks.k2.channel = c1\n"

func TestFingerprint(t *testing.T) {
	a := agentFrom(t, quickstart)
	b := agentFrom(t, strings.Replace(quickstart, "a1.channels.c2.type = memory", "a1.channels.c2.type = memory\na1.channels.c2.capacity = 5", 1))
	if a.Channel("c1").Fingerprint() != b.Channel("c1").Fingerprint() {
		t.Error("unchanged channel has a different fingerprint")
	}
	if a.Channel("c2").Fingerprint() == b.Channel("c2").Fingerprint() {
		t.Error("changed channel has the same fingerprint")
	}
}
