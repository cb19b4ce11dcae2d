package flume

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func located(t *testing.T, props map[string]string) *Context {
	t.Helper()
	var list []Property
	line := 1
	for k, v := range props {
		list = append(list, Property{Key: "a1.sinks.k1." + k, Value: v, File: "a.properties", Line: line})
		line++
	}
	return NewContext("a1.sinks.k1.", Property{Key: "a1.sinks.k1.type", Value: "avro", File: "a.properties", Line: 99}, list)
}

func TestContextGetters(t *testing.T) {
	c := ContextFromMap(map[string]string{
		"i": " 42 ", "neg": "-7", "big": "99999999999", "b": "TRUE", "bf": "yes", "port": "4545",
		"ms": "1500", "list": " a  b\tc ", "enum": "Deflate", "sub.x": "1", "sub.y": "2",
	})
	if c.Int("i", 0) != 42 || c.Int("neg", 0) != -7 || c.Int64("big", 0) != 99999999999 {
		t.Error("integers")
	}
	if c.Int("big", 5) != 5 { // out of 32-bit range: default and an error
		t.Error("a 32-bit overflow did not fall back to the default")
	}
	if !c.Bool("b", false) || c.Bool("bf", true) || !c.Bool("missing", true) {
		t.Error("Java booleans")
	}
	if c.Port("port") != 4545 || c.Millis("ms", 0) != 1500*time.Millisecond {
		t.Error("port or millis")
	}
	if strings.Join(c.Fields("list"), ",") != "a,b,c" {
		t.Error("fields")
	}
	if c.OneOf("enum", "none", "none", "deflate") != "deflate" {
		t.Error("OneOf is case-insensitive and returns the canonical spelling")
	}
	sub := c.Sub("sub.")
	if sub.Len() != 2 || sub.String("x", "") != "1" {
		t.Error("Sub")
	}
	if len(c.Unused()) != 1 || c.Unused()[0].Key != "sub.y" {
		t.Errorf("unused = %v, want only sub.y", c.Unused())
	}
	errs := c.Problems().Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "big") {
		t.Errorf("errors = %v", errs)
	}
	if len(c.Problems()) != 2 { // + the "yes" warning
		t.Errorf("problems = %v", c.Problems())
	}
}

func TestContextLocatesProblems(t *testing.T) {
	c := located(t, map[string]string{"port": "44x"})
	c.Port("port")
	c.Required("hostname")
	err := c.Err()
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if lines[0] != `a.properties:1: a1.sinks.k1.port: "44x": not a port number (expected an integer from 0 to 65535)` {
		t.Errorf("bad port: %q", lines[0])
	}
	if lines[1] != `a.properties:99: a1.sinks.k1.hostname: required property is missing` {
		t.Errorf("missing key: %q", lines[1])
	}
}

func TestParseJavaInt(t *testing.T) {
	for s, ok := range map[string]bool{"0": true, "+5": true, "-5": true, " 12 ": true, "1_000": false, "0x10": false,
		"1e3": false, "": false, "--1": false, "+-1": false, "2147483647": true, "2147483648": false} {
		if _, err := ParseJavaInt(s, 32); (err == nil) != ok {
			t.Errorf("ParseJavaInt(%q): err = %v", s, err)
		}
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	f := func(Settings, *Context) (Channel, error) { return nil, nil }
	if err := r.RegisterChannel("memory", f, "org.apache.flume.channel.MemoryChannel"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"memory", "MEMORY", "Memory", "org.apache.flume.channel.MemoryChannel"} {
		if _, canonical, err := r.Channel(n); err != nil || canonical != "memory" {
			t.Errorf("%q: %q, %v", n, canonical, err)
		}
	}
	if _, _, err := r.Channel("org.apache.flume.channel.MEMORYCHANNEL"); err == nil {
		t.Error("class names must match exactly")
	}
	_, _, err := r.Channel("memroy")
	if err == nil || !strings.Contains(err.Error(), `unknown channel type "memroy" (known: memory`) {
		t.Errorf("unknown type error = %v", err)
	}
	if err := r.RegisterChannel("MEMORY", f); err == nil {
		t.Error("a clash in another case was accepted")
	}
	if err := r.RegisterChannel("other", f, "org.apache.flume.channel.MemoryChannel"); err == nil {
		t.Error("a clashing class name was accepted")
	}
	if _, _, err := r.Channel("other"); err == nil {
		t.Error("a rejected registration left a partial entry")
	}
}

func TestChannelErrors(t *testing.T) {
	for _, err := range []error{ErrChannelFull, ErrTxFull, ErrClosed, NewChannelError("x")} {
		if !IsChannelError(err) || !IsChannelError(errors.Join(errors.New("ctx"), err)) {
			t.Errorf("%v is not a channel error", err)
		}
	}
	if IsChannelError(ErrTxDone) || IsChannelError(errors.New("other")) {
		t.Error("non-channel errors match ErrChannel")
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{0: "0.0", 12.5: "12.5", 100: "100.0", 1e7: "1.0E7",
		1.7976931348623157e308: "1.7976931348623157E308", 0.0001: "1.0E-4", 33.33333333333333: "33.33333333333333"} {
		if got := JavaDouble(f); got != want {
			t.Errorf("JavaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestCounters(t *testing.T) {
	var c ChannelCounter
	c.ChannelSize.Store(25)
	c.ChannelCapacity.Store(100)
	c.EventPutAttemptCount.Add(3)
	c.Started()
	attrs := map[string]string{}
	for _, a := range c.Attributes() {
		attrs[a.Name] = a.Text
	}
	if attrs["Type"] != "CHANNEL" || attrs["ChannelFillPercentage"] != "25.0" || attrs["EventPutAttemptCount"] != "0" || attrs["ChannelSize"] != "25" {
		t.Errorf("attributes %v", attrs)
	}
	if attrs["StartTime"] == "0" || attrs["StopTime"] != "0" {
		t.Errorf("times %v", attrs)
	}
	var s SinkCounter
	s.CountBatch(0, 10)
	s.CountBatch(5, 10)
	s.CountBatch(10, 10)
	if s.BatchEmptyCount.Load() != 1 || s.BatchUnderflowCount.Load() != 1 || s.BatchCompleteCount.Load() != 1 || s.EventDrainAttemptCount.Load() != 15 {
		t.Error("CountBatch")
	}
}

// TestCounterFields: each group's attributes follow its one field table:
// every field once, under Flume's name, in Flume's order after Type,
// StartTime and StopTime, gauges marked; an extension appends its own
// fields, and ResetCounters leaves gauges alone.
func TestCounterFields(t *testing.T) {
	var src SourceCounter
	src.OpenConnectionCount.Store(2)
	var names []string
	for _, a := range src.Attributes() {
		names = append(names, a.Name)
		if a.Gauge != (a.Name == "OpenConnectionCount" || a.Name == "StartTime" || a.Name == "StopTime") {
			t.Errorf("%s: gauge %v", a.Name, a.Gauge)
		}
	}
	want := "Type StartTime StopTime EventReceivedCount EventAcceptedCount AppendReceivedCount AppendAcceptedCount " +
		"AppendBatchReceivedCount AppendBatchAcceptedCount OpenConnectionCount EventReadFail ChannelWriteFail GenericProcessingFail"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("source attributes\n%s\nwant\n%s", got, want)
	}
	var extra, gauge atomic.Int64
	extra.Store(7)
	gauge.Store(9)
	fields := []CounterField{{Name: "Extra", Value: &extra}, {Name: "Level", Value: &gauge, Gauge: true}}
	attrs := AppendCounters(nil, fields...)
	if len(attrs) != 2 || attrs[0].Text != "7" || attrs[0].Gauge || attrs[1].Text != "9" || !attrs[1].Gauge {
		t.Errorf("AppendCounters: %+v", attrs)
	}
	ResetCounters(fields...)
	if extra.Load() != 0 || gauge.Load() != 9 {
		t.Errorf("ResetCounters: extra %d, gauge %d", extra.Load(), gauge.Load())
	}
}
