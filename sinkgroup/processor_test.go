package sinkgroup

import (
	"errors"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

func TestNewProcessorTypes(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	_, two := newSinks(ch, 10, "k1", "k2")
	_, one := newSinks(ch, 10, "k1")
	tests := []struct {
		typ   string
		sinks []flume.NamedSink
		want  string // Go type name, or an error substring prefixed with "!"
	}{
		{"failover", two, "*sinkgroup.Failover"},
		{"FAILOVER", two, "*sinkgroup.Failover"},
		{"org.apache.flume.sink.FailoverSinkProcessor", two, "*sinkgroup.Failover"},
		{"load_balance", two, "*sinkgroup.LoadBalance"},
		{"Load_Balance", two, "*sinkgroup.LoadBalance"},
		{"org.apache.flume.sink.LoadBalancingSinkProcessor", two, "*sinkgroup.LoadBalance"},
		{"default", one, "*sinkgroup.testSink"},
		{"org.apache.flume.sink.DefaultSinkProcessor", one, "*sinkgroup.testSink"},
		{"default", two, "!exactly one sink"},
		// Class names match exactly; an unregistered one is unknown, as a
		// class Flume cannot load.
		{"org.apache.flume.sink.failoversinkprocessor", two, "!unknown sink processor type"},
		{"com.example.MyProcessor", two, "!unknown sink processor type"},
		{"priority", two, "!unknown sink processor type"},
		// package conf drops a group without processor.type before the
		// agent builds it; called directly, New reports the type unknown.
		{"", two, `!unknown sink processor type ""`},
	}
	for _, tc := range tests {
		props := map[string]string{"sinks": "k1 k2"}
		if tc.typ != "" {
			props["processor.type"] = tc.typ
		}
		p, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(props), tc.sinks, testRegistry(t, nil, nil))
		if msg, bad := strings.CutPrefix(tc.want, "!"); bad {
			if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), `sink group "g1"`) {
				t.Errorf("type %q: err = %v, want %q", tc.typ, err, msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("type %q: %v", tc.typ, err)
			continue
		}
		if got := typeName(p); got != tc.want {
			t.Errorf("type %q built %s, want %s", tc.typ, got, tc.want)
		}
	}
}

func TestDefaultProcessorIsTheSinkItself(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	_, one := newSinks(ch, 10, "k1")
	p, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "default"}), one, testRegistry(t, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if p != one[0].Sink {
		t.Fatal("default with one sink should return that sink")
	}
}

func TestNewRejectsBadMembers(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	_, ns := newSinks(ch, 10, "k1", "k1")
	if _, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "failover"}), ns, testRegistry(t, nil, nil)); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("duplicate member: err = %v", err)
	}
	if _, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "failover"}), nil, testRegistry(t, nil, nil)); err == nil {
		t.Fatal("a group without sinks must fail")
	}
	_, ns = newSinks(ch, 10, "k1", "k2")
	if _, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "load_balance", "processor.selector": "weighted"}), ns, testRegistry(t, nil, nil)); err == nil || !strings.Contains(err.Error(), "unknown sink selector type") {
		t.Fatalf("unknown selector: err = %v", err)
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *Failover:
		return "*sinkgroup.Failover"
	case *LoadBalance:
		return "*sinkgroup.LoadBalance"
	case *testSink:
		return "*sinkgroup.testSink"
	}
	return "?"
}

// firstOnly is a custom processor: it always drives its first member.
type firstOnly struct{ flume.NamedSink }

// TestCustomProcessor: a processor registered under a class name is built
// from the group's processor.* keys and its members, and an error from its
// factory fails the group with the error.
func TestCustomProcessor(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	_, two := newSinks(ch, 10, "k1", "k2")
	reg := testRegistry(t, nil, nil)
	var gotSet flume.Settings
	var gotOpt string
	var gotSinks []string
	err := reg.RegisterSinkProcessor("com.example.FirstOnly", func(set flume.Settings, cfg *flume.Context, sinks []flume.NamedSink) (flume.Sink, error) {
		gotSet, gotOpt = set, cfg.String("opt", "")
		for _, s := range sinks {
			gotSinks = append(gotSinks, s.Name)
		}
		if gotOpt == "bad" {
			return nil, errors.New("opt must not be bad")
		}
		return firstOnly{sinks[0]}, nil
	}, "first_only")
	if err != nil {
		t.Fatal(err)
	}
	cfg := flume.ContextFromMap(map[string]string{"sinks": "k1 k2", "processor.type": "FIRST_ONLY", "processor.opt": "x"})
	p, err := New(flume.Settings{Name: "g1"}, cfg, two, reg)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := p.(firstOnly); !ok || f.Name != "k1" {
		t.Fatalf("built %T %v", p, p)
	}
	if gotSet.Name != "g1" || gotSet.Type != "com.example.FirstOnly" || gotOpt != "x" || strings.Join(gotSinks, " ") != "k1 k2" {
		t.Fatalf("factory got settings %+v, opt %q, sinks %v", gotSet, gotOpt, gotSinks)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Fatalf("keys left unread: %v", u)
	}
	_, err = New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "com.example.FirstOnly", "processor.opt": "bad"}), two, reg)
	if err == nil || !strings.Contains(err.Error(), "opt must not be bad") || !strings.Contains(err.Error(), "processor.type") {
		t.Fatalf("failing factory: err = %v", err)
	}
}
