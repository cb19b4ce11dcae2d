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

// Started resets the counters and records the start time.
func (c *Counter) Started() {
	c.ChannelCounter.Started()
	c.KafkaEventGetTimer.Store(0)
	c.KafkaEventSendTimer.Store(0)
	c.KafkaCommitTimer.Store(0)
	c.RollbackCount.Store(0)
}

// Attributes returns the attributes of Flume's KafkaChannelCounterMBean.
func (c *Counter) Attributes() []flume.Attribute {
	return append(c.ChannelCounter.Attributes(),
		flume.LongAttribute("KafkaEventGetTimer", c.KafkaEventGetTimer.Load(), false),
		flume.LongAttribute("KafkaEventSendTimer", c.KafkaEventSendTimer.Load(), false),
		flume.LongAttribute("KafkaCommitTimer", c.KafkaCommitTimer.Load(), false),
		flume.LongAttribute("RollbackCount", c.RollbackCount.Load(), false))
}
