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
		sinks []NamedSink
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
		{"org.apache.flume.sink.failoversinkprocessor", two, "!not supported"},
		{"com.example.MyProcessor", two, "!not supported"},
		{"priority", two, "!unknown sink processor type"},
		{"", two, "!required property is missing"},
	}
	for _, tc := range tests {
		props := map[string]string{"sinks": "k1 k2"}
		if tc.typ != "" {
			props["processor.type"] = tc.typ
		}
		p, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(props), tc.sinks, nil)
		if msg, bad := strings.CutPrefix(tc.want, "!"); bad {
			if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), `sink group "g1"`) {
				t.Errorf("type %q: err = %v, want %q", tc.typ, err, msg)
			}
			if msg == "not supported" && !errors.Is(err, flume.ErrUnsupported) {
				t.Errorf("type %q: error should wrap ErrUnsupported", tc.typ)
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
	p, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "default"}), one, nil)
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
	if _, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "failover"}), ns, nil); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("duplicate member: err = %v", err)
	}
	if _, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "failover"}), nil, nil); err == nil {
		t.Fatal("a group without sinks must fail")
	}
	_, ns = newSinks(ch, 10, "k1", "k2")
	if _, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{"processor.type": "load_balance", "processor.selector": "weighted"}), ns, flume.NewRegistry()); err == nil || !strings.Contains(err.Error(), "unknown sink selector type") {
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
