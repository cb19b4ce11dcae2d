package kafka

import (
	"sync/atomic"

	"github.com/flumego/flume"
)

// Counter is Flume's KafkaChannelCounter: the channel counters plus
// KafkaEventGetTimer, KafkaEventSendTimer, KafkaCommitTimer (cumulative
// milliseconds) and RollbackCount, the attributes of Flume's
// KafkaChannelCounterMBean. As in Flume, ChannelSize and ChannelCapacity
// stay 0 (the events are in Kafka), so ChannelFillPercentage reads
// 1.7976931348623157E308.
type Counter struct {
	flume.ChannelCounter
	// KafkaEventGetTimer is the time takes spent waiting for records.
	KafkaEventGetTimer atomic.Int64
	// KafkaEventSendTimer is the time put commits spent until the brokers
	// acknowledged every record.
	KafkaEventSendTimer atomic.Int64
	// KafkaCommitTimer is the time take commits spent committing offsets.
	KafkaCommitTimer atomic.Int64
	// RollbackCount counts the events of rolled-back takes.
	RollbackCount atomic.Int64
}

var _ flume.CounterGroup = (*Counter)(nil)

// kafkaFields are the counters Flume's KafkaChannelCounter adds.
func (c *Counter) kafkaFields() []flume.CounterField {
	return []flume.CounterField{
		{Name: "KafkaEventGetTimer", Value: &c.KafkaEventGetTimer},
		{Name: "KafkaEventSendTimer", Value: &c.KafkaEventSendTimer},
		{Name: "KafkaCommitTimer", Value: &c.KafkaCommitTimer},
		{Name: "RollbackCount", Value: &c.RollbackCount},
	}
}

// Started resets the counters and records the start time.
func (c *Counter) Started() {
	c.ChannelCounter.Started()
	flume.ResetCounters(c.kafkaFields()...)
}

// Attributes returns the attributes of Flume's KafkaChannelCounterMBean.
func (c *Counter) Attributes() []flume.Attribute {
	return flume.AppendCounters(c.ChannelCounter.Attributes(), c.kafkaFields()...)
}
