package kafka

import (
	"sync/atomic"

	"github.com/flumego/flume"
)

// Counter is Flume's KafkaSinkCounter: the sink counters plus
// KafkaEventSendTimer and RollbackCount, published with the attributes
// Flume's KafkaSinkCounterMBean exposes (EventWriteFail and ChannelReadFail
// are kept but, as in Flume, not published).
//
// Unlike Flume, whose Kafka sink leaves them at 0, the Connection* counters
// count the sink's broker connections: opened, closed, and connection
// attempts that failed.
type Counter struct {
	flume.SinkCounter
	// KafkaEventSendTimer is the total time, in milliseconds, of the
	// batches the brokers acknowledged.
	KafkaEventSendTimer atomic.Int64
	// RollbackCount counts the channel transactions rolled back.
	RollbackCount atomic.Int64
}

var _ flume.CounterGroup = (*Counter)(nil)

// kafkaFields are the counters Flume's KafkaSinkCounter adds.
func (c *Counter) kafkaFields() []flume.CounterField {
	return []flume.CounterField{
		{Name: "KafkaEventSendTimer", Value: &c.KafkaEventSendTimer},
		{Name: "RollbackCount", Value: &c.RollbackCount},
	}
}

// Started resets every counter and records the start time.
func (c *Counter) Started() {
	c.SinkCounter.Started()
	flume.ResetCounters(c.kafkaFields()...)
}

// Attributes returns the attributes of Flume's KafkaSinkCounterMBean.
func (c *Counter) Attributes() []flume.Attribute {
	var out []flume.Attribute
	for _, a := range c.SinkCounter.Attributes() {
		if a.Name == "EventWriteFail" || a.Name == "ChannelReadFail" {
			continue
		}
		out = append(out, a)
	}
	return flume.AppendCounters(out, c.kafkaFields()...)
}
