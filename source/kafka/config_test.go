package kafka

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
)

func parse(props map[string]string) (Config, *flume.Context) {
	cfg := flume.ContextFromMap(props)
	return ParseConfig(cfg), cfg
}

// problems returns the problems recorded in cfg as lines.
func problems(cfg *flume.Context) string {
	var b strings.Builder
	for _, p := range cfg.Problems() {
		b.WriteString(p.Severity.String() + ": " + p.Error() + "\n")
	}
	return b.String()
}

// Flume 1.11's defaults, and topics split on commas with blanks around.
func TestDefaults(t *testing.T) {
	c, cfg := parse(map[string]string{"kafka.bootstrap.servers": "b1:9092,b2:9093", "kafka.topics": "a, b ,c"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Topics, "|") != "a|b|c" || c.Regex != nil {
		t.Errorf("topics %q", c.Topics)
	}
	if c.BatchSize != 1000 || c.BatchDuration != time.Second || c.BackoffStep != time.Second || c.BackoffMax != 5*time.Second ||
		c.UseFlumeEventFormat || !c.SetTopicHeader || c.TopicHeader != "topic" || len(c.HeaderMap) != 0 {
		t.Errorf("defaults: %+v", c)
	}
	cons := c.Consumer
	if cons.GroupID != "flume" || cons.AutoOffsetReset != "latest" || cons.SessionTimeout != 10*time.Second {
		t.Errorf("consumer defaults: group %q, reset %q, session %s", cons.GroupID, cons.AutoOffsetReset, cons.SessionTimeout)
	}
	if ps := cfg.Problems(); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
}

func TestSettings(t *testing.T) {
	c, cfg := parse(map[string]string{
		"kafka.bootstrap.servers": "b:1", "kafka.topics": "t", "kafka.consumer.group.id": "g",
		"batchSize": "50", "batchDurationMillis": "20", "backoffSleepIncrement": "10", "maxBackoffSleep": "30",
		"useFlumeEventFormat": "true", "setTopicHeader": "false", "topicHeader": "kt", "header.trace": "X-Trace",
		"kafka.consumer.auto.offset.reset": "earliest", "kafka.consumer.max.poll.records": "7",
	})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.BatchSize != 50 || c.BatchDuration != 20*time.Millisecond || c.BackoffStep != 10*time.Millisecond ||
		c.BackoffMax != 30*time.Millisecond || !c.UseFlumeEventFormat || c.SetTopicHeader || c.TopicHeader != "kt" ||
		c.HeaderMap["trace"] != "X-Trace" || c.Consumer.GroupID != "g" || c.Consumer.AutoOffsetReset != "earliest" ||
		c.Consumer.MaxPollRecords != 7 {
		t.Errorf("settings: %+v", c)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
}

// Flume's deprecated names (topic, groupId) apply only when the new ones
// are absent, with a warning either way.
func TestDeprecatedNames(t *testing.T) {
	c, cfg := parse(map[string]string{"kafka.bootstrap.servers": "b:1", "topic": "old", "groupId": "oldgroup"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Topics, ",") != "old" || c.Consumer.GroupID != "oldgroup" {
		t.Errorf("old names not applied: topics %q group %q", c.Topics, c.Consumer.GroupID)
	}
	out := problems(cfg)
	for _, k := range []string{"topic", "groupId"} {
		if !strings.Contains(out, "warning: "+k+": ") || !strings.Contains(out, "deprecated") {
			t.Errorf("no deprecation warning for %s:\n%s", k, out)
		}
	}
	c, cfg = parse(map[string]string{"kafka.bootstrap.servers": "b:1", "topic": "old", "kafka.topics": "new",
		"groupId": "oldgroup", "kafka.consumer.group.id": "new"})
	if strings.Join(c.Topics, ",") != "new" || c.Consumer.GroupID != "new" {
		t.Errorf("new names must win: topics %q group %q", c.Topics, c.Consumer.GroupID)
	}
	if out := problems(cfg); strings.Count(out, "deprecated and ignored") != 2 {
		t.Errorf("want two 'deprecated and ignored' warnings:\n%s", out)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
}

// kafka.topics.regex wins over kafka.topics and must match whole names.
func TestRegex(t *testing.T) {
	c, cfg := parse(map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics": "x", "kafka.topics.regex": `logs-\d+`})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Regex == nil || len(c.Topics) != 0 {
		t.Fatalf("regex %v, topics %q", c.Regex, c.Topics)
	}
	for topic, want := range map[string]bool{"logs-1": true, "logs-12": true, "xlogs-1": false, "logs-1x": false, "logs-": false} {
		if got := c.Regex.RE2().MatchString(topic); got != want {
			t.Errorf("%q matches: %v, want %v", topic, got, want)
		}
	}
	if !strings.Contains(problems(cfg), "warning: kafka.topics: ") {
		t.Errorf("no warning that kafka.topics is ignored:\n%s", problems(cfg))
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name        string
		props       map[string]string
		want        string
		unsupported bool
	}{
		{"no brokers", map[string]string{"kafka.topics": "t"}, "kafka.bootstrap.servers: Bootstrap Servers must be specified", false},
		{"no topic", map[string]string{"kafka.bootstrap.servers": "b:1"}, "kafka.topics: At least one Kafka topic must be specified", false},
		{"empty topic", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics": "a,,b"}, "an empty topic name", false},
		{"bad topic", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics": "a b"}, `topic "a b"`, false},
		{"bad regex", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics.regex": "logs-[a&&b]"}, "kafka.topics.regex", false},
		{"backtracking regex", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics.regex": "(?!tmp)logs.*"}, "backtracking", true},
		{"batch size", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics": "t", "batchSize": "0"}, "batchSize", false},
		{"zookeeper without servers", map[string]string{"zookeeperConnect": "/kafka", "topic": "t"}, "zookeeperConnect: \"/kafka\": zookeeper connect string \"/kafka\" names no server", false},
		{"gssapi", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics": "t",
			"kafka.consumer.security.protocol": "SASL_PLAINTEXT", "kafka.consumer.sasl.mechanism": "GSSAPI"}, "GSSAPI", true},
		{"interceptor", map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics": "t",
			"kafka.consumer.interceptor.classes": "com.example.I"}, "interceptor.classes", true},
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
			if strings.Count(problems(cfg), "error: ") != 1 {
				t.Errorf("want exactly one error:\n%s", problems(cfg))
			}
		})
	}
}

// zookeeperConnect beside the brokers is ignored with a warning (offsets
// are not migrated from ZooKeeper); enable.auto.commit is forced off; an
// unknown consumer key is named. zookeeperConnect alone is Flume's
// deprecated way to name the brokers: they are looked up at Start.
func TestWarnings(t *testing.T) {
	_, cfg := parse(map[string]string{"kafka.bootstrap.servers": "b:1", "kafka.topics": "t", "zookeeperConnect": "zk:2181",
		"migrateZookeeperOffsets": "true", "kafka.consumer.enable.auto.commit": "true", "kafka.consumer.frobnicate": "1"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	out := problems(cfg)
	for _, w := range []string{"warning: zookeeperConnect: ", "warning: kafka.consumer.enable.auto.commit: ", "warning: kafka.consumer.frobnicate: "} {
		if !strings.Contains(out, w) {
			t.Errorf("no %q:\n%s", w, out)
		}
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
	c, cfg := parse(map[string]string{"zookeeperConnect": "zk1:2181,zk2:2181/kafka", "topic": "t", "groupId": "g"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.ZooKeeper != "zk1:2181,zk2:2181/kafka" || len(c.Brokers) != 0 || !strings.Contains(problems(cfg), "warning: zookeeperConnect: ") {
		t.Errorf("zookeeperConnect alone: %q %q\n%s", c.ZooKeeper, c.Brokers, problems(cfg))
	}
	// The environment checks resolve the ZooKeeper servers, as they do
	// kafka.bootstrap.servers.
	var zk []string
	for _, n := range cfg.Needs() {
		if n.Kind == flume.NeedPeerAddress && strings.HasSuffix(n.Property.Key, "zookeeperConnect") {
			zk = append(zk, n.Value)
		}
	}
	if !slices.Equal(zk, []string{"zk1:2181", "zk2:2181"}) {
		t.Errorf("needs of zookeeperConnect: %v", zk)
	}
}
