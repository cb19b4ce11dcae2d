package kafka

import (
	"errors"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkaconf"
)

// Flume's property names (KafkaChannelConfiguration of Flume 1.11).
const (
	keyTopic           = "kafka.topic"
	keyParseAsFlume    = "parseAsFlumeEvent"
	keyPollTimeout     = "kafka.pollTimeout"
	keyStaticPartition = "defaultPartitionId"
	keyPartitionHeader = "partitionIdHeader"
	keyMigrateZK       = "migrateZookeeperOffsets"
	keyGroupID         = kafkaconf.ConsumerPrefix + "group.id"
	keyOffsetReset     = kafkaconf.ConsumerPrefix + "auto.offset.reset"

	// guidePollTimeout is the name Flume's user guide gives kafka.pollTimeout;
	// Flume 1.11's code does not read it.
	guidePollTimeout = "pollTimeout"

	// Deprecated names, used only when the new key is absent.
	oldBrokerList    = "brokerList"
	oldTopic         = "topic"
	oldGroupID       = "groupId"
	oldReadSmallest  = "readSmallestOffset"
	oldZookeeper     = "zookeeperConnect"
	headerKey        = "key"
	defaultPollMilli = 500
)

// Flume's defaults.
const (
	// DefaultTopic is kafka.topic's default.
	DefaultTopic = "flume-channel"
	// DefaultPollTimeout is kafka.pollTimeout's default: how long a take
	// waits for a first record.
	DefaultPollTimeout = defaultPollMilli * time.Millisecond
)

// Config is the channel's parsed configuration.
type Config struct {
	// Brokers are the bootstrap servers, host:port each.
	Brokers []string
	// Topic is the channel's topic.
	Topic string
	// ParseAsFlumeEvent writes and reads records as Avro AvroFlumeEvent
	// datums (headers and body); false keeps bodies only.
	ParseAsFlumeEvent bool
	// PollTimeout is how long a take waits for a first record.
	PollTimeout time.Duration
	// StaticPartition is defaultPartitionId (-1 when unset): every record
	// goes to that partition.
	StaticPartition int32
	// PartitionHeader is partitionIdHeader: the header whose integer value
	// is a record's partition, overriding StaticPartition ("" for none).
	PartitionHeader string
	// Producer and Consumer hold the kafka.producer.* and kafka.consumer.*
	// settings.
	Producer kafkaconf.Producer
	Consumer kafkaconf.Consumer
}

// renames are the channel's deprecated names (KafkaChannel's
// translateOldProps); readSmallestOffset is handled apart, since its
// value is a boolean that becomes earliest or latest.
var renames = []kafkaconf.Rename{
	{Old: oldTopic, New: keyTopic},
	{Old: oldBrokerList, New: kafkaconf.KeyBootstrap},
	{Old: oldGroupID, New: keyGroupID},
}

// ParseConfig reads a Kafka channel's properties. Problems are recorded in
// cfg; check cfg.Err afterwards.
func ParseConfig(cfg *flume.Context) Config {
	g := kafkaconf.SystemGlobals()
	kafkaconf.WarnRenamed(cfg, renames)
	c := Config{
		ParseAsFlumeEvent: cfg.Bool(keyParseAsFlume, true),
		PollTimeout:       cfg.MillisAtLeast(keyPollTimeout, DefaultPollTimeout, 0),
		StaticPartition:   -1,
		PartitionHeader:   cfg.String(keyPartitionHeader, ""),
	}
	for _, k := range []string{"capacity", "transactionCapacity"} {
		if cfg.Has(k) {
			cfg.MarkUsed(k)
			cfg.Warnf(k, "has no effect on the Kafka channel, as in Flume: the topic holds the events, and neither the channel nor its transactions are bounded")
		}
	}
	if cfg.Has(guidePollTimeout) {
		cfg.MarkUsed(guidePollTimeout)
		cfg.Warnf(guidePollTimeout, "ignored, as Flume 1.11 ignores it: the poll timeout is %s (Flume's user guide names it %s, its code reads %s)",
			keyPollTimeout, guidePollTimeout, keyPollTimeout)
	}
	if c.Topic, _, _ = kafkaconf.Value(cfg, keyTopic, oldTopic); c.Topic == "" {
		c.Topic = DefaultTopic
	} else if err := validTopic(c.Topic); err != nil {
		cfg.Errorf(keyTopic, "%v", err)
	}
	if cfg.Has(keyStaticPartition) {
		c.StaticPartition = int32(cfg.IntAtLeast(keyStaticPartition, 0, 0))
	}
	parseZookeeper(cfg)
	c.Brokers = kafkaconf.ParseBrokers(cfg, oldBrokerList)
	c.Producer = kafkaconf.ParseProducer(cfg, kafkaconf.ProducerOptions{Acks: kafkaconf.AcksAll, Globals: g, Idempotence: true})
	c.Consumer = kafkaconf.ParseConsumer(cfg, kafkaconf.ConsumerOptions{
		AutoOffsetReset: offsetResetDefault(cfg), OldGroupIDKey: oldGroupID, Globals: g})
	return c
}

// offsetResetDefault is auto.offset.reset's default: Flume's code sets
// earliest, or what the deprecated readSmallestOffset says when
// kafka.consumer.auto.offset.reset is absent.
func offsetResetDefault(cfg *flume.Context) string {
	if !cfg.Has(oldReadSmallest) {
		return "earliest"
	}
	smallest := cfg.Bool(oldReadSmallest, false)
	if cfg.Has(keyOffsetReset) {
		cfg.Warnf(oldReadSmallest, "deprecated and ignored: %s is set", keyOffsetReset)
		return "earliest"
	}
	cfg.Warnf(oldReadSmallest, "deprecated: use %s", keyOffsetReset)
	if smallest {
		return "earliest"
	}
	return "latest"
}

// parseZookeeper handles the keys of Flume's ZooKeeper era. Flume's
// channel uses zookeeperConnect only to migrate offsets committed in
// ZooKeeper (migrateZookeeperOffsets, true by default) when the group has
// none in Kafka, never to find the brokers; flumego does not migrate
// offsets.
func parseZookeeper(cfg *flume.Context) {
	cfg.Bool(keyMigrateZK, true)
	if cfg.Has(oldZookeeper) {
		cfg.MarkUsed(oldZookeeper)
		cfg.Warnf(oldZookeeper, "ignored: flumego does not migrate consumer offsets from ZooKeeper (a group with no offsets in Kafka starts at %s); remove the key once the group has committed offsets in Kafka", keyOffsetReset)
	} else if cfg.Has(keyMigrateZK) {
		cfg.Warnf(keyMigrateZK, "has no effect without %s, as in Flume", oldZookeeper)
	}
}

// validTopic applies Kafka's rule for topic names, which brokers enforce.
func validTopic(t string) error {
	switch {
	case t == "." || t == "..":
		return errors.New(`"." and ".." are not topic names`)
	case len(t) > 249:
		return errors.New("a topic name has at most 249 characters")
	case strings.TrimLeft(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "":
		return errors.New("a topic name holds only ASCII letters, digits, '.', '_' and '-'")
	}
	return nil
}
