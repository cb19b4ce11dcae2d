package kafka

import (
	"sort"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTopicsRegex: kafka.topics.regex is a Java pattern that must match a
// topic's whole name (Java's Matcher.matches), and topics created later
// that match are consumed too, once the consumer's metadata is refreshed.
func TestTopicsRegex(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"logs-web", "xlogs-web", "logs-web-old.1"}, Partitions: 2})
	out := &collector{}
	p := props(c, "", map[string]string{"kafka.topics.regex": `logs-\p{Alpha}+`, "kafka.consumer.metadata.max.age.ms": "300"})
	delete(p, "kafka.topics")
	newSource(t, "r1", p, out)
	for _, topic := range []string{"logs-web", "xlogs-web", "logs-web-old.1"} {
		c.Produce(t, topic, &kgo.Record{Value: []byte(topic)})
	}
	flumetest.WaitFor(t, 30*time.Second, "the record of logs-web", func() bool { return out.len() >= 1 })
	c.CreateTopic(t, "logs-app", 3)
	c.Produce(t, "logs-app", &kgo.Record{Value: []byte("logs-app")})
	flumetest.WaitFor(t, 30*time.Second, "the record of the new topic logs-app", func() bool { return out.len() >= 2 })
	time.Sleep(500 * time.Millisecond) // what does not match must not arrive late either
	var got []string
	for _, e := range out.snapshot() {
		got = append(got, string(e.Body))
	}
	sort.Strings(got)
	if len(got) != 2 || got[0] != "logs-app" || got[1] != "logs-web" {
		t.Fatalf("consumed %q, want the records of logs-app and logs-web only", got)
	}
}
