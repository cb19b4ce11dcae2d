package kafkaconf

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
)

func parseConsumer(props map[string]string, o ConsumerOptions) (Consumer, *flume.Context, map[string]int) {
	cfg, lines := agentContext(props)
	return ParseConsumer(cfg, o), cfg, lines
}

func TestConsumerDefaults(t *testing.T) {
	c, cfg, _ := parseConsumer(map[string]string{}, ConsumerOptions{})
	onlyProblems(t, cfg)
	if c.GroupID != "flume" || c.AutoOffsetReset != "latest" || c.FetchMinBytes != 1 || c.FetchMaxBytes != 52428800 ||
		c.FetchMaxWait != 500*time.Millisecond || c.MaxPartitionFetchBytes != 1048576 || c.MaxPollRecords != 500 ||
		c.MaxPollInterval != 5*time.Minute || c.SessionTimeout != 10*time.Second || c.HeartbeatInterval != 3*time.Second ||
		!slices.Equal(c.Assignors, []string{AssignorRange}) || c.ReadCommitted || !c.CheckCRCs || !c.AllowAutoTopicCreation ||
		c.Security.Protocol != Plaintext || c.RequestTimeout != 30*time.Second {
		t.Fatalf("defaults %+v", c)
	}
	// The channel's default offset reset, and its deprecated groupId.
	c, cfg, _ = parseConsumer(map[string]string{"groupId": "old"}, ConsumerOptions{AutoOffsetReset: "earliest", OldGroupIDKey: "groupId"})
	if c.AutoOffsetReset != "earliest" || c.GroupID != "old" || cfg.Err() != nil {
		t.Fatalf("channel defaults: %+v %v", c, cfg.Err())
	}
	c, _, _ = parseConsumer(map[string]string{"groupId": "old", ConsumerPrefix + "group.id": "new"}, ConsumerOptions{OldGroupIDKey: "groupId"})
	if c.GroupID != "new" {
		t.Fatalf("kafka.consumer.group.id must win: %q", c.GroupID)
	}
}

// Every key ConsumerTable maps is read into Consumer without a warning.
func TestConsumerMappedKeys(t *testing.T) {
	sample := map[string]string{
		"group.id":                           "agents",
		"group.instance.id":                  "agent-1",
		"auto.offset.reset":                  "EARLIEST",
		"enable.auto.commit":                 "false",
		"fetch.min.bytes":                    "1024",
		"fetch.max.bytes":                    "10485760",
		"fetch.max.wait.ms":                  "100",
		"max.partition.fetch.bytes":          "262144",
		"max.poll.records":                   "1000",
		"max.poll.interval.ms":               "60000",
		"session.timeout.ms":                 "30000",
		"heartbeat.interval.ms":              "5000",
		"partition.assignment.strategy":      "org.apache.kafka.clients.consumer.CooperativeStickyAssignor,org.apache.kafka.clients.consumer.RangeAssignor",
		"isolation.level":                    "read_committed",
		"client.rack":                        "rack-a",
		"check.crcs":                         "false",
		"allow.auto.create.topics":           "false",
		"exclude.internal.topics":            "true",
		"key.deserializer":                   "org.apache.kafka.common.serialization.StringDeserializer",
		"value.deserializer":                 "org.apache.kafka.common.serialization.ByteArrayDeserializer",
		"client.id":                          "c1",
		"request.timeout.ms":                 "20000",
		"retry.backoff.ms":                   "50",
		"metadata.max.age.ms":                "60000",
		"connections.max.idle.ms":            "60000",
		"socket.connection.setup.timeout.ms": "3000",
		"security.protocol":                  "PLAINTEXT",
		"ssl.truststore.location":            "/kept/while/tls/is/off.jks",
	}
	props := map[string]string{}
	for k, v := range sample {
		props[ConsumerPrefix+k] = v
	}
	c, cfg, _ := parseConsumer(props, ConsumerOptions{})
	onlyProblems(t, cfg)
	if c.GroupID != "agents" || c.InstanceID != "agent-1" || c.AutoOffsetReset != "earliest" || c.FetchMinBytes != 1024 ||
		c.FetchMaxBytes != 10485760 || c.FetchMaxWait != 100*time.Millisecond || c.MaxPartitionFetchBytes != 262144 ||
		c.MaxPollRecords != 1000 || c.MaxPollInterval != time.Minute || c.SessionTimeout != 30*time.Second ||
		c.HeartbeatInterval != 5*time.Second || !slices.Equal(c.Assignors, []string{AssignorCooperativeSticky, AssignorRange}) ||
		!c.ReadCommitted || c.Rack != "rack-a" || c.CheckCRCs || c.AllowAutoTopicCreation || c.ClientID != "c1" ||
		c.RequestTimeout != 20*time.Second || c.RetryBackoff != 50*time.Millisecond || c.DialTimeout != 3*time.Second {
		t.Errorf("consumer %+v", c)
	}
	for k := range ConsumerTable.Mapped {
		switch k {
		case "sasl.kerberos.*", "bootstrap.servers":
			continue
		}
		if _, ok := sample[k]; !ok && !strings.HasPrefix(k, "ssl.") && !strings.HasPrefix(k, "sasl.") {
			t.Errorf("ConsumerTable.Mapped lists %s, which this test does not set", k)
		}
	}
}

func TestConsumerWarningsAndErrors(t *testing.T) {
	for k := range ConsumerTable.NoEffect {
		_, cfg, _ := parseConsumer(map[string]string{ConsumerPrefix + k: "1"}, ConsumerOptions{})
		onlyProblems(t, cfg, ConsumerPrefix+k)
	}
	// Flume forces auto-commit off; saying otherwise draws a warning.
	_, cfg, _ := parseConsumer(map[string]string{ConsumerPrefix + "enable.auto.commit": "true", ConsumerPrefix + "exclude.internal.topics": "false"}, ConsumerOptions{})
	onlyProblems(t, cfg, ConsumerPrefix+"enable.auto.commit", ConsumerPrefix+"exclude.internal.topics")

	for _, tc := range []struct{ key, value, want string }{
		{"auto.offset.reset", "smallest", "expected one of earliest, latest, none"},
		{"isolation.level", "serializable", "expected one of"},
		{"heartbeat.interval.ms", "20000", "lower than session.timeout.ms (10000)"},
		{"fetch.max.bytes", "0", "greater than 0"},
	} {
		_, cfg, lines := parseConsumer(map[string]string{ConsumerPrefix + tc.key: tc.value}, ConsumerOptions{})
		p := problemAt(t, cfg, ConsumerPrefix+tc.key)
		if p.Severity != flume.Error || !strings.Contains(p.Message, tc.want) || p.Line != lines[ConsumerPrefix+tc.key] {
			t.Errorf("%s = %s: %v, want an error %q", tc.key, tc.value, p, tc.want)
		}
	}

	cases := map[string]string{
		"partition.assignment.strategy": "com.example.MyAssignor",
		"key.deserializer":              "com.example.Des",
		"value.deserializer":            "io.confluent.kafka.serializers.KafkaAvroDeserializer",
	}
	for k := range ConsumerTable.Unsupported {
		cases[k] = "x"
	}
	for k, v := range cases {
		_, cfg, lines := parseConsumer(map[string]string{ConsumerPrefix + k: v}, ConsumerOptions{})
		unsupportedAt(t, cfg, lines, ConsumerPrefix+k)
	}
}
