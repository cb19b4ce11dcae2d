package kafka

import (
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/internal/kafkatest"
)

// TestChannelTest runs the channel conformance suite on a one-partition
// topic per test (Kafka keeps order within a partition only). The capacity
// tests do not apply: Flume's Kafka channel has no capacity and no
// transactionCapacity (the topic holds the events; any batch size fits),
// and it cannot count the events the topic holds for Len without asking
// the brokers. Durability is a stop and a new channel on the same topic
// and group: what was committed is taken, an open take comes back, an
// open put never appears.
func TestChannelTest(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Brokers: 1})
	p := func(topic string) map[string]string {
		return props(c, topic, map[string]string{"kafka.consumer.group.id": topic, "kafka.pollTimeout": "1000"})
	}
	channeltest.Run(t, channeltest.Options{
		Unbounded:         true,
		MixedTransactions: true,
		New: func(t testing.TB, _, _ int) flume.Channel {
			topic := uniqueTopic("suite")
			c.CreateTopic(t, topic, 1)
			return newChannel(t, "c1", p(topic))
		},
		Reopen: func(t testing.TB, ch flume.Channel) flume.Channel {
			old := ch.(*Channel)
			stopChannel(t, old)
			return newChannel(t, "c1", p(old.cfg.Topic))
		},
	})
}
