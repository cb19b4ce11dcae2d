package kafka

import (
	"sync/atomic"

	"github.com/flumego/flume"
)

// Counter is Flume's KafkaSourceCounter: the source counters plus
// KafkaEventGetTimer, KafkaCommitTimer and KafkaEmptyCount, published with
// the attributes Flume's KafkaSourceCounterMBean exposes (EventReadFail,
// ChannelWriteFail and GenericProcessingFail are kept but, as in Flume,
// not published).
type Counter struct {
	flume.SourceCounter
	// KafkaEventGetTimer is the total time, in milliseconds, spent
	// gathering the batches that were handed to the channels.
	KafkaEventGetTimer atomic.Int64
	// KafkaCommitTimer is the total time, in milliseconds, of the offset
	// commits.
	KafkaCommitTimer atomic.Int64
	// KafkaEmptyCount counts the polls that found no record.
	KafkaEmptyCount atomic.Int64
}

var _ flume.CounterGroup = (*Counter)(nil)

// kafkaFields are the counters Flume's KafkaSourceCounter adds.
func (c *Counter) kafkaFields() []flume.CounterField {
	return []flume.CounterField{
		{Name: "KafkaEventGetTimer", Value: &c.KafkaEventGetTimer},
		{Name: "KafkaCommitTimer", Value: &c.KafkaCommitTimer},
		{Name: "KafkaEmptyCount", Value: &c.KafkaEmptyCount},
	}
}

// Started resets every counter and records the start time.
func (c *Counter) Started() {
	c.SourceCounter.Started()
	flume.ResetCounters(c.kafkaFields()...)
}

// unpublished are the SourceCounter attributes KafkaSourceCounterMBean
// leaves out.
var unpublished = map[string]bool{"EventReadFail": true, "ChannelWriteFail": true, "GenericProcessingFail": true}

// Attributes returns the attributes of Flume's KafkaSourceCounterMBean.
func (c *Counter) Attributes() []flume.Attribute {
	var out []flume.Attribute
	for _, a := range c.SourceCounter.Attributes() {
		if !unpublished[a.Name] {
			out = append(out, a)
		}
	}
	return flume.AppendCounters(out, c.kafkaFields()...)
}
