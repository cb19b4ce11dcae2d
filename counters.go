package flume

import (
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Attribute is one monitored value of a component, under Flume's attribute
// name.
type Attribute struct {
	// Name is Flume's JMX attribute name, e.g. "EventReceivedCount".
	Name string
	// Value is the numeric value (booleans are 0 or 1).
	Value float64
	// Text is the value exactly as Flume's HTTP JSON reporter prints it.
	Text string
	// Gauge is set for values that go up and down (ChannelSize,
	// OpenConnectionCount); counters only grow until the next start.
	Gauge bool
}

// CounterGroup is the set of counters one component publishes: Flume's
// SourceCounter, ChannelCounter, SinkCounter or a component's own extension
// of them. Components publish their group with Settings.Publish; the agent
// serves it as "<Type>.<name>" in the /metrics JSON and in Prometheus format.
type CounterGroup interface {
	// Type is the monitoring type: "SOURCE", "CHANNEL" or "SINK".
	Type() string
	// Attributes returns a snapshot of every attribute, including Type,
	// StartTime and StopTime. It is safe to call concurrently with updates.
	Attributes() []Attribute
}

// Lifetime records when a component last started and stopped, Flume's
// StartTime and StopTime attributes (epoch milliseconds; StopTime is 0 while
// running).
type Lifetime struct {
	start, stop atomic.Int64
}

func (l *Lifetime) started() {
	l.start.Store(time.Now().UnixMilli())
	l.stop.Store(0)
}

func (l *Lifetime) stopped() { l.stop.Store(time.Now().UnixMilli()) }

func (l *Lifetime) attributes(typ string) []Attribute {
	return []Attribute{
		{Name: "Type", Text: typ},
		longAttr("StartTime", l.start.Load(), true),
		longAttr("StopTime", l.stop.Load(), true),
	}
}

func longAttr(name string, v int64, gauge bool) Attribute {
	return Attribute{Name: name, Value: float64(v), Text: strconv.FormatInt(v, 10), Gauge: gauge}
}

// CounterField is one counter of a group: its Flume attribute name, its
// value, and whether it is a gauge. Each group lists its fields once, in
// Flume's order, and derives its attributes (AppendCounters) and its reset
// at start (ResetCounters) from that one table; a component that extends
// Flume's SourceCounter, ChannelCounter or SinkCounter lists its own
// fields the same way.
type CounterField struct {
	Name  string
	Value *atomic.Int64
	Gauge bool
}

// AppendCounters appends fields to out as attributes, in order.
func AppendCounters(out []Attribute, fields ...CounterField) []Attribute {
	for _, f := range fields {
		out = append(out, longAttr(f.Name, f.Value.Load(), f.Gauge))
	}
	return out
}

// ResetCounters zeroes the fields that are not gauges, as Started does.
func ResetCounters(fields ...CounterField) {
	for _, f := range fields {
		if !f.Gauge {
			f.Value.Store(0)
		}
	}
}

// SourceCounter holds Flume's source counters. Fields are updated with
// atomic adds from any goroutine.
type SourceCounter struct {
	Lifetime
	EventReceivedCount       atomic.Int64
	EventAcceptedCount       atomic.Int64
	AppendReceivedCount      atomic.Int64
	AppendAcceptedCount      atomic.Int64
	AppendBatchReceivedCount atomic.Int64
	AppendBatchAcceptedCount atomic.Int64
	OpenConnectionCount      atomic.Int64 // gauge
	EventReadFail            atomic.Int64
	ChannelWriteFail         atomic.Int64
	GenericProcessingFail    atomic.Int64
}

func (c *SourceCounter) fields() []CounterField {
	return []CounterField{
		{"EventReceivedCount", &c.EventReceivedCount, false},
		{"EventAcceptedCount", &c.EventAcceptedCount, false},
		{"AppendReceivedCount", &c.AppendReceivedCount, false},
		{"AppendAcceptedCount", &c.AppendAcceptedCount, false},
		{"AppendBatchReceivedCount", &c.AppendBatchReceivedCount, false},
		{"AppendBatchAcceptedCount", &c.AppendBatchAcceptedCount, false},
		{"OpenConnectionCount", &c.OpenConnectionCount, true},
		{"EventReadFail", &c.EventReadFail, false},
		{"ChannelWriteFail", &c.ChannelWriteFail, false},
		{"GenericProcessingFail", &c.GenericProcessingFail, false},
	}
}

// Type returns "SOURCE".
func (c *SourceCounter) Type() string { return "SOURCE" }

// Started resets every counter (the OpenConnectionCount gauge included)
// and records the start time, as Flume does each time a component starts.
func (c *SourceCounter) Started() {
	for _, f := range c.fields() {
		f.Value.Store(0)
	}
	c.started()
}

// Stopped records the stop time.
func (c *SourceCounter) Stopped() { c.stopped() }

// Attributes returns the counters under Flume's names.
func (c *SourceCounter) Attributes() []Attribute {
	return AppendCounters(c.attributes(c.Type()), c.fields()...)
}

// ChannelCounter holds Flume's channel counters.
type ChannelCounter struct {
	Lifetime
	ChannelSize           atomic.Int64 // gauge: committed events queued
	ChannelCapacity       atomic.Int64 // gauge
	EventPutAttemptCount  atomic.Int64
	EventPutSuccessCount  atomic.Int64
	EventTakeAttemptCount atomic.Int64
	EventTakeSuccessCount atomic.Int64
}

func (c *ChannelCounter) fields() []CounterField {
	return []CounterField{
		{"ChannelSize", &c.ChannelSize, true},
		{"ChannelCapacity", &c.ChannelCapacity, true},
		{"EventPutAttemptCount", &c.EventPutAttemptCount, false},
		{"EventPutSuccessCount", &c.EventPutSuccessCount, false},
		{"EventTakeAttemptCount", &c.EventTakeAttemptCount, false},
		{"EventTakeSuccessCount", &c.EventTakeSuccessCount, false},
	}
}

// Type returns "CHANNEL".
func (c *ChannelCounter) Type() string { return "CHANNEL" }

// Started resets the counters (not the ChannelSize and ChannelCapacity
// gauges) and records the start time.
func (c *ChannelCounter) Started() {
	ResetCounters(c.fields()...)
	c.started()
}

// Stopped records the stop time.
func (c *ChannelCounter) Stopped() { c.stopped() }

// Attributes returns the counters under Flume's names, with
// ChannelFillPercentage computed from ChannelSize and ChannelCapacity.
func (c *ChannelCounter) Attributes() []Attribute {
	out := AppendCounters(c.attributes(c.Type()), c.fields()...)
	size, capacity := float64(c.ChannelSize.Load()), float64(c.ChannelCapacity.Load())
	fill := math.MaxFloat64
	if capacity != 0 {
		fill = size / capacity * 100
	}
	return append(out, Attribute{Name: "ChannelFillPercentage", Value: fill, Text: JavaDouble(fill), Gauge: true})
}

// SinkCounter holds Flume's sink counters.
type SinkCounter struct {
	Lifetime
	ConnectionCreatedCount atomic.Int64
	ConnectionClosedCount  atomic.Int64
	ConnectionFailedCount  atomic.Int64
	BatchEmptyCount        atomic.Int64
	BatchUnderflowCount    atomic.Int64
	BatchCompleteCount     atomic.Int64
	EventDrainAttemptCount atomic.Int64
	EventDrainSuccessCount atomic.Int64
	EventWriteFail         atomic.Int64
	ChannelReadFail        atomic.Int64
}

func (c *SinkCounter) fields() []CounterField {
	return []CounterField{
		{"ConnectionCreatedCount", &c.ConnectionCreatedCount, false},
		{"ConnectionClosedCount", &c.ConnectionClosedCount, false},
		{"ConnectionFailedCount", &c.ConnectionFailedCount, false},
		{"BatchEmptyCount", &c.BatchEmptyCount, false},
		{"BatchUnderflowCount", &c.BatchUnderflowCount, false},
		{"BatchCompleteCount", &c.BatchCompleteCount, false},
		{"EventDrainAttemptCount", &c.EventDrainAttemptCount, false},
		{"EventDrainSuccessCount", &c.EventDrainSuccessCount, false},
		{"EventWriteFail", &c.EventWriteFail, false},
		{"ChannelReadFail", &c.ChannelReadFail, false},
	}
}

// Type returns "SINK".
func (c *SinkCounter) Type() string { return "SINK" }

// Started resets every counter and records the start time.
func (c *SinkCounter) Started() { ResetCounters(c.fields()...); c.started() }

// Stopped records the stop time.
func (c *SinkCounter) Stopped() { c.stopped() }

// Attributes returns the counters under Flume's names.
func (c *SinkCounter) Attributes() []Attribute {
	return AppendCounters(c.attributes(c.Type()), c.fields()...)
}

// CountBatch updates the batch counters the way Flume's sinks do after
// taking n events for a batch of at most size: BatchEmptyCount when n is 0,
// BatchUnderflowCount when 0 < n < size, BatchCompleteCount when n == size;
// and EventDrainAttemptCount by n.
func (c *SinkCounter) CountBatch(n, size int) {
	switch {
	case n == 0:
		c.BatchEmptyCount.Add(1)
	case n < size:
		c.BatchUnderflowCount.Add(1)
	default:
		c.BatchCompleteCount.Add(1)
	}
	c.EventDrainAttemptCount.Add(int64(n))
}

// LongAttribute returns an attribute with an integer value, printed as Flume
// prints longs.
func LongAttribute(name string, v int64, gauge bool) Attribute { return longAttr(name, v, gauge) }

// BoolAttribute returns an attribute printed "true" or "false".
func BoolAttribute(name string, v bool) Attribute {
	if v {
		return Attribute{Name: name, Value: 1, Text: "true", Gauge: true}
	}
	return Attribute{Name: name, Value: 0, Text: "false", Gauge: true}
}

// JavaDouble formats f as Java's Double.toString does: "0.0", "12.5",
// "1.0E7", "1.7976931348623157E308".
func JavaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-3 && abs < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1.7976931348623157e+308
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimPrefix(exp, "-"), "0")
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}
