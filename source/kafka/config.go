package kafka

import (
	"errors"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
	"github.com/flumego/flume/internal/kafkaconf"
	"github.com/flumego/flume/internal/zookeeper"
)

// Flume's property names (KafkaSourceConstants of Flume 1.11).
const (
	keyTopics          = "kafka.topics"
	keyTopicsRegex     = "kafka.topics.regex"
	keyBatchSize       = "batchSize"
	keyBatchDuration   = "batchDurationMillis"
	keyBackoffStep     = "backoffSleepIncrement"
	keyBackoffMax      = "maxBackoffSleep"
	keyAvroEvent       = "useFlumeEventFormat"
	keySetTopicHeader  = "setTopicHeader"
	keyTopicHeader     = "topicHeader"
	headerPrefix       = "header."
	keyGroupID         = kafkaconf.ConsumerPrefix + "group.id"
	keyMigrateZKOffset = "migrateZookeeperOffsets"

	// Deprecated names.
	oldTopic     = "topic"
	oldGroupID   = "groupId"
	oldZookeeper = "zookeeperConnect"
)

// Flume's defaults.
const (
	DefaultBatchSize     = 1000
	DefaultBatchDuration = 1000 * time.Millisecond
	DefaultBackoffStep   = 1000 * time.Millisecond
	DefaultBackoffMax    = 5000 * time.Millisecond
	DefaultTopicHeader   = "topic"
)

// The headers the source sets on every event (unless the event, read with
// useFlumeEventFormat, already has them; key always).
const (
	HeaderTimestamp = "timestamp"
	HeaderPartition = "partition"
	HeaderOffset    = "offset"
	HeaderKey       = "key"
)

// Config is the source's parsed configuration.
type Config struct {
	// Brokers are the bootstrap servers, host:port each.
	Brokers []string
	// Topics are the topics to consume (kafka.topics or the deprecated
	// topic), when Regex is nil.
	Topics []string
	// Regex is kafka.topics.regex: every topic whose whole name it
	// matches is consumed, including topics created later.
	Regex *javaregex.Regexp
	// BatchSize and BatchDuration bound one batch: the most events, and
	// how long the source waits to fill it.
	BatchSize     int
	BatchDuration time.Duration
	// BackoffStep and BackoffMax are the pause after a batch the channels
	// refused: BackoffStep more per consecutive failure, up to BackoffMax.
	BackoffStep, BackoffMax time.Duration
	// UseFlumeEventFormat reads record values as Avro AvroFlumeEvent
	// datums (headers and body).
	UseFlumeEventFormat bool
	// SetTopicHeader and TopicHeader: the header that receives the
	// record's topic.
	SetTopicHeader bool
	TopicHeader    string
	// HeaderMap maps Flume header names to the Kafka record headers they
	// are copied from (header.<flumeName> = <kafkaName>).
	HeaderMap map[string]string
	// ZooKeeper is zookeeperConnect when kafka.bootstrap.servers is
	// absent: Brokers is then empty, and Start looks the brokers up in
	// ZooKeeper, as Flume's source does.
	ZooKeeper string
	// Consumer holds the kafka.consumer.* settings.
	Consumer kafkaconf.Consumer
}

// ParseConfig reads a Kafka source's properties. Problems are recorded in
// cfg; check cfg.Err afterwards.
func ParseConfig(cfg *flume.Context) Config {
	g := kafkaconf.SystemGlobals()
	c := Config{
		BatchSize:           cfg.Positive(keyBatchSize, DefaultBatchSize),
		BatchDuration:       cfg.MillisAtLeast(keyBatchDuration, DefaultBatchDuration, time.Millisecond),
		BackoffStep:         cfg.MillisAtLeast(keyBackoffStep, DefaultBackoffStep, 0),
		BackoffMax:          cfg.MillisAtLeast(keyBackoffMax, DefaultBackoffMax, 0),
		UseFlumeEventFormat: cfg.Bool(keyAvroEvent, false),
		SetTopicHeader:      cfg.Bool(keySetTopicHeader, true),
		TopicHeader:         cfg.String(keyTopicHeader, DefaultTopicHeader),
		HeaderMap:           cfg.Sub(headerPrefix).Map(),
	}
	cfg.MarkPrefixUsed(headerPrefix)
	for flumeName, kafkaName := range c.HeaderMap {
		if kafkaName == "" {
			cfg.Errorf(headerPrefix+flumeName, "the Kafka header name is empty")
		}
	}
	parseTopics(cfg, &c)
	var zkNamesBrokers bool
	c.ZooKeeper, zkNamesBrokers = parseZookeeper(cfg)
	if cfg.Has(oldGroupID) && !cfg.Has(keyGroupID) {
		cfg.Warnf(oldGroupID, "deprecated: use %s", keyGroupID)
	} else if cfg.Has(oldGroupID) {
		cfg.Warnf(oldGroupID, "deprecated and ignored: %s is set", keyGroupID)
	}
	// Kafka's own default applies (latest): Flume's source sets none.
	c.Consumer = kafkaconf.ParseConsumer(cfg, kafkaconf.ConsumerOptions{AutoOffsetReset: "latest", OldGroupIDKey: oldGroupID, Globals: g})
	if !zkNamesBrokers {
		c.Brokers = kafkaconf.ParseBrokers(cfg, "")
	}
	return c
}

// parseTopics reads kafka.topics.regex, else kafka.topics, else the
// deprecated topic, as Flume does.
func parseTopics(cfg *flume.Context, c *Config) {
	if cfg.Has(oldTopic) {
		if cfg.Has(keyTopics) || cfg.Has(keyTopicsRegex) {
			cfg.Warnf(oldTopic, "deprecated and ignored: %s is set", keyTopics)
		} else {
			cfg.Warnf(oldTopic, "deprecated: use %s", keyTopics)
		}
	}
	if re := strings.TrimSpace(cfg.String(keyTopicsRegex, "")); re != "" {
		if cfg.Has(keyTopics) {
			cfg.Warnf(keyTopics, "ignored: %s is set, and takes precedence as in Flume", keyTopicsRegex)
		}
		// Java's consumer subscribes to the topics the whole name of which
		// the pattern matches (Matcher.matches).
		r, err := javaregex.CompileOptions(re, javaregex.Options{Whole: true})
		if err != nil {
			cfg.Errorf(keyTopicsRegex, "%v", err)
			return
		}
		if r.RE2() == nil {
			cfg.Unsupportedf(keyTopicsRegex, "the pattern needs a backtracking regex engine (%s); topic subscriptions are matched by Go's RE2 engine, which runs every pattern without lookaround, backreferences, atomic groups or possessive quantifiers", r.Reason())
			return
		}
		c.Regex = r
		return
	}
	v, key, ok := kafkaconf.Value(cfg, keyTopics, oldTopic)
	if !ok || strings.TrimSpace(v) == "" {
		cfg.Errorf(keyTopics, "At least one Kafka topic must be specified (set %s or %s)", keyTopics, keyTopicsRegex)
		return
	}
	// Flume splits on ^\s+|\s*,\s*|\s+$: commas with any blanks around.
	for _, t := range strings.Split(strings.TrimSpace(v), ",") {
		t = strings.TrimSpace(t)
		if err := validTopic(t); err != nil {
			cfg.Errorf(key, "topic %q: %v", t, err)
			continue
		}
		c.Topics = append(c.Topics, t)
	}
}

// validTopic applies Kafka's rule for topic names, which brokers enforce:
// 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', and
// neither "." nor "..".
func validTopic(t string) error {
	switch {
	case t == "":
		return errors.New("an empty topic name (two commas in a row?)")
	case t == "." || t == "..":
		return errors.New(`"." and ".." are not topic names`)
	case len(t) > 249:
		return errors.New("a topic name has at most 249 characters")
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return errors.New("a topic name holds only ASCII letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// parseZookeeper handles the keys of Flume's ZooKeeper era. Flume 1.11
// looks the brokers up in ZooKeeper when only zookeeperConnect is set, and
// migrates offsets of Kafka 0.8's consumer stored there
// (migrateZookeeperOffsets, true by default) when the group has none in
// Kafka. flumego looks the brokers up too (at Start), but does not migrate
// offsets. It returns the connect string when the brokers are to be looked
// up, and whether zookeeperConnect stands in for kafka.bootstrap.servers
// (even with an error, reported here).
func parseZookeeper(cfg *flume.Context) (string, bool) {
	migrate := cfg.Bool(keyMigrateZKOffset, true)
	if !cfg.Has(oldZookeeper) {
		if cfg.Has(keyMigrateZKOffset) {
			cfg.Warnf(keyMigrateZKOffset, "has no effect without %s, as in Flume", oldZookeeper)
		}
		return "", false
	}
	connect := cfg.String(oldZookeeper, "")
	noMigration := ""
	if migrate {
		noMigration = "; offsets that Kafka 0.8's consumer committed in ZooKeeper are not migrated (Flume 1.11 migrates them when the group has none in Kafka): a group without offsets in Kafka starts at kafka.consumer.auto.offset.reset"
	}
	if cfg.Has(kafkaconf.KeyBootstrap) {
		cfg.Warnf(oldZookeeper, "deprecated and ignored: %s is set%s", kafkaconf.KeyBootstrap, noMigration)
		return "", false
	}
	cs, err := zookeeper.ParseConnectString(connect)
	if err != nil {
		cfg.Errorf(oldZookeeper, "%v", err)
		return "", true
	}
	cfg.Warnf(oldZookeeper, "deprecated: use %s (the brokers are looked up in ZooKeeper at %s when the source starts)%s",
		kafkaconf.KeyBootstrap, strings.Join(cs.Hosts, ","), noMigration)
	for _, h := range cs.Hosts {
		cfg.Need(flume.NeedPeerAddress, oldZookeeper, h)
	}
	return connect, true
}
