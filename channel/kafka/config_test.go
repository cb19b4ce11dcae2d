package kafka

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkaconf"
)

func parse(props map[string]string) (Config, *flume.Context) {
	cfg := flume.ContextFromMap(props)
	return ParseConfig(cfg), cfg
}

func problems(cfg *flume.Context) string {
	var b strings.Builder
	for _, p := range cfg.Problems() {
		b.WriteString(p.Severity.String() + ": " + p.Error() + "\n")
	}
	return b.String()
}

// Flume 1.11's defaults: topic flume-channel, group flume, Avro events,
// a 500 ms poll, acks=all, auto.offset.reset=earliest (Flume's code, not
// its guide's latest).
func TestDefaults(t *testing.T) {
	c, cfg := parse(map[string]string{"kafka.bootstrap.servers": "b:1"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Topic != "flume-channel" || !c.ParseAsFlumeEvent || c.PollTimeout != 500*time.Millisecond ||
		c.StaticPartition != -1 || c.PartitionHeader != "" || c.Producer.Acks != kafkaconf.AcksAll ||
		c.Consumer.GroupID != "flume" || c.Consumer.AutoOffsetReset != "earliest" {
		t.Errorf("defaults: %+v", c)
	}
	if ps := cfg.Problems(); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
}

func TestSettings(t *testing.T) {
	c, cfg := parse(map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topic": "t", "kafka.consumer.group.id": "g",
		"parseAsFlumeEvent": "false", "kafka.pollTimeout": "50", "defaultPartitionId": "3", "partitionIdHeader": "p",
		"kafka.consumer.auto.offset.reset": "latest", "kafka.producer.acks": "1", "kafka.producer.compression.type": "lz4"})

	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Topic != "t" || c.ParseAsFlumeEvent || c.PollTimeout != 50*time.Millisecond || c.StaticPartition != 3 || c.PartitionHeader != "p" ||
		c.Consumer.GroupID != "g" || c.Consumer.AutoOffsetReset != "latest" || c.Producer.Acks != kafkaconf.AcksLeader ||
		c.Producer.Compression != kafkaconf.CompressionLz4 {
		t.Errorf("settings: %+v", c)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
	if c.Producer.Idempotent {
		t.Error("idempotent without enable.idempotence")
	}
	if c, _ = parse(map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.producer.enable.idempotence": "true"}); !c.Producer.Idempotent {
		t.Error("enable.idempotence = true not honoured")
	}
}

// The deprecated names (brokerList, topic, groupId, readSmallestOffset)
// apply only when the new ones are absent, with a warning either way.
func TestDeprecatedNames(t *testing.T) {
	for _, tc := range []struct {
		smallest, reset string
	}{{"true", "earliest"}, {"false", "latest"}} {
		c, cfg := parse(map[string]string{"brokerList": "old:1", "topic": "oldtopic", "groupId": "oldgroup", "readSmallestOffset": tc.smallest})
		if err := cfg.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Brokers, []string{"old:1"}) || c.Topic != "oldtopic" || c.Consumer.GroupID != "oldgroup" || c.Consumer.AutoOffsetReset != tc.reset {
			t.Errorf("old names not applied: %+v", c)
		}
		if out := problems(cfg); strings.Count(out, "deprecated: use") != 4 {
			t.Errorf("want 4 deprecation warnings:\n%s", out)
		}
	}
	c, cfg := parse(map[string]string{"brokerList": "old:1", "kafka.bootstrap.servers": "new:2", "topic": "old", "kafka.topic": "new",
		"groupId": "old", "kafka.consumer.group.id": "new", "readSmallestOffset": "false", "kafka.consumer.auto.offset.reset": "earliest"})
	if c.Brokers[0] != "new:2" || c.Topic != "new" || c.Consumer.GroupID != "new" || c.Consumer.AutoOffsetReset != "earliest" {
		t.Errorf("new names must win: %+v", c)
	}
	if out := problems(cfg); strings.Count(out, "deprecated and ignored") != 4 {
		t.Errorf("want 4 'deprecated and ignored' warnings:\n%s", out)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
}

// pollTimeout, the name in Flume's guide, is ignored as Flume's code
// ignores it, with a warning that names kafka.pollTimeout; zookeeperConnect
// is ignored with a warning (no offset migration from ZooKeeper); so are
// the memory channel's capacities, which users copy.
func TestIgnoredKeys(t *testing.T) {
	c, cfg := parse(map[string]string{"kafka.bootstrap.servers": "b:1", "pollTimeout": "10", "zookeeperConnect": "zk:2181",
		"capacity": "10000", "transactionCapacity": "1000"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.PollTimeout != 500*time.Millisecond {
		t.Errorf("pollTimeout applied: %s", c.PollTimeout)
	}
	out := problems(cfg)
	if !strings.Contains(out, "warning: pollTimeout: ") || !strings.Contains(out, "kafka.pollTimeout") || !strings.Contains(out, "warning: zookeeperConnect: ") ||
		!strings.Contains(out, "warning: capacity: ") || !strings.Contains(out, "warning: transactionCapacity: ") {
		t.Errorf("warnings:\n%s", out)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name        string
		props       map[string]string
		want        string
		unsupported bool
	}{
		{"no brokers", map[string]string{}, "Bootstrap Servers must be specified", false},
		{"bad topic", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topic": "a/b"}, "kafka.topic", false},
		{"negative partition", map[string]string{"kafka.bootstrap.servers": "b:1", "defaultPartitionId": "-1"}, "defaultPartitionId", false},
		{"bad poll timeout", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.pollTimeout": "soon"}, "kafka.pollTimeout", false},
		{"idempotence without acks=all", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.producer.enable.idempotence": "true",
			"kafka.producer.acks": "1"}, "enable.idempotence", false},
		{"kerberos", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.consumer.security.protocol": "SASL_SSL"}, "GSSAPI", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, cfg := parse(tc.props)
			err := cfg.Err()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if got := errors.Is(err, flume.ErrUnsupported); got != tc.unsupported {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", got, tc.unsupported)
			}
		})
	}
}

// The counter group publishes exactly the attributes of Flume's
// KafkaChannelCounterMBean.
func TestCounterAttributes(t *testing.T) {
	var c Counter
	c.Started()
	c.RollbackCount.Add(2)
	var names []string
	for _, a := range c.Attributes() {
		names = append(names, a.Name)
		if a.Name == "RollbackCount" && a.Text != "2" || a.Name == "ChannelFillPercentage" && a.Text != "1.7976931348623157E308" {
			t.Errorf("%s = %s", a.Name, a.Text)
		}
	}
	want := []string{"ChannelCapacity", "ChannelFillPercentage", "ChannelSize", "EventPutAttemptCount", "EventPutSuccessCount",
		"EventTakeAttemptCount", "EventTakeSuccessCount", "KafkaCommitTimer", "KafkaEventGetTimer", "KafkaEventSendTimer",
		"RollbackCount", "StartTime", "StopTime", "Type"}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("attributes %v\nwant %v", names, want)
	}
}
