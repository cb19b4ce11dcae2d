package kafka

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
)

// TestAgentKafkaToFileRoll is the source's acceptance test: an agent from a
// properties file, Kafka source → memory channel → file_roll, reads
// 100,000 numbered records from a topic of 6 partitions on a 3-broker
// cluster: every number arrives exactly once, and the group's committed
// offsets reach the end of every partition.
func TestAgentKafkaToFileRoll(t *testing.T) {
	const n = 100000
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"numbers"}})
	for i := 0; i < n; i += 10000 {
		c.Produce(t, "numbers", kafkatest.Numbered(i, i+10000)...)
	}
	out := t.TempDir()
	_, counters := runAgent(t, "a1", fmt.Sprintf(`
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = org.apache.flume.source.kafka.KafkaSource
a1.sources.r1.kafka.bootstrap.servers = %s
a1.sources.r1.kafka.topics = numbers
a1.sources.r1.kafka.consumer.group.id = files
a1.sources.r1.kafka.consumer.auto.offset.reset = earliest
a1.sources.r1.batchSize = 1000
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = %s
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 1000
`, c.Bootstrap(), out), registry(t))
	var src flume.CounterGroup
	flumetest.WaitFor(t, time.Minute, "the source to publish its counters", func() bool { src = counters("r1"); return src != nil })
	flumetest.WaitFor(t, 2*time.Minute, "every record to reach the file", func() bool {
		return attr(counters("k1"), "EventDrainSuccessCount") >= n
	})
	seen := map[int]int{}
	for _, l := range lines(t, out) {
		v, err := strconv.Atoi(l)
		if err != nil {
			t.Fatalf("line %q", l)
		}
		seen[v]++
	}
	if dups := complete(t, seen, n); dups != 0 {
		t.Fatalf("%d duplicates in a run without failures", dups)
	}
	if got := attr(src, "EventAcceptedCount"); got != n {
		t.Errorf("EventAcceptedCount = %d, want %d", got, n)
	}
	flumetest.WaitFor(t, 30*time.Second, "the offsets of every batch to be committed", func() bool {
		var total int64
		for _, o := range c.Committed(t, "files", "numbers") {
			total += o
		}
		return total == n
	})
}
