package kafka

import (
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/flumego/flume/sink/sinktest"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kafkaDest is a kfake cluster read back with franz-go; failing answers
// every produce request TOPIC_AUTHORIZATION_FAILED.
type kafkaDest struct {
	c     *kfake.Cluster
	fault *kfake.FaultHandle
}

func (d *kafkaDest) Received(t testing.TB) []flume.Event {
	var out []flume.Event
	for _, r := range kafkatest.ReadAll(t, d.c.ListenAddrs(), "sinktest") {
		out = append(out, flume.NewEvent(r.Value))
	}
	return out
}

func (d *kafkaDest) Fail(_ testing.TB, failing bool) bool {
	if failing && d.fault == nil {
		d.fault = d.c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: kerr.TopicAuthorizationFailed, Count: -1})
	} else if !failing && d.fault != nil {
		d.fault.Remove()
		d.fault = nil
	}
	return true
}

// TestSinkTest runs sinktest on a one-partition topic, where Kafka keeps
// the channel's order.
func TestSinkTest(t *testing.T) {
	sinktest.Run(t, sinktest.Options{
		BatchSize: 10,
		New: func(t testing.TB, in flume.Channel) (flume.Sink, sinktest.Destination) {
			c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "sinktest"))
			return newSinkFrom(t, map[string]string{
				"kafka.bootstrap.servers": c.ListenAddrs()[0], "kafka.topic": "sinktest", "flumeBatchSize": "10",
			}, in), &kafkaDest{c: c}
		},
	})
}
