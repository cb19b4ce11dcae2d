package kafkaconf

import (
	"strings"
	"time"

	"github.com/flumego/flume"
)

// Consumer is what the kafka.consumer.* keys set, independent of the
// client library. Offsets are never committed automatically: as Flume's
// source and channel, a component commits a batch's offsets once the batch
// is committed to its channels (enable.auto.commit is forced off).
type Consumer struct {
	Client
	// GroupID is group.id (Flume's default: flume).
	GroupID string
	// InstanceID is group.instance.id: static membership when set.
	InstanceID string
	// AutoOffsetReset is auto.offset.reset: earliest, latest or none.
	AutoOffsetReset string
	// FetchMinBytes, FetchMaxBytes and FetchMaxWait are fetch.min.bytes,
	// fetch.max.bytes and fetch.max.wait.ms; MaxPartitionFetchBytes is
	// max.partition.fetch.bytes.
	FetchMinBytes, FetchMaxBytes int
	FetchMaxWait                 time.Duration
	MaxPartitionFetchBytes       int
	// MaxPollRecords is max.poll.records: the most records one poll
	// returns.
	MaxPollRecords int
	// MaxPollInterval is max.poll.interval.ms: how long a member may take
	// between polls, and so how long a rebalance waits for it.
	MaxPollInterval time.Duration
	// SessionTimeout and HeartbeatInterval are session.timeout.ms and
	// heartbeat.interval.ms.
	SessionTimeout, HeartbeatInterval time.Duration
	// Assignors is partition.assignment.strategy, in order of preference:
	// AssignorRange, AssignorRoundRobin, AssignorSticky or
	// AssignorCooperativeSticky.
	Assignors []string
	// ReadCommitted is isolation.level = read_committed.
	ReadCommitted bool
	// Rack is client.rack.
	Rack string
	// CheckCRCs is check.crcs.
	CheckCRCs bool
	// AllowAutoTopicCreation is allow.auto.create.topics.
	AllowAutoTopicCreation bool
}

// The partition assignors flumego's consumer knows, by Kafka's names.
const (
	AssignorRange             = "range"
	AssignorRoundRobin        = "roundrobin"
	AssignorSticky            = "sticky"
	AssignorCooperativeSticky = "cooperative-sticky"
)

// assignorClasses maps Java's assignor classes to the names above.
var assignorClasses = map[string]string{
	"org.apache.kafka.clients.consumer.RangeAssignor":             AssignorRange,
	"org.apache.kafka.clients.consumer.RoundRobinAssignor":        AssignorRoundRobin,
	"org.apache.kafka.clients.consumer.StickyAssignor":            AssignorSticky,
	"org.apache.kafka.clients.consumer.CooperativeStickyAssignor": AssignorCooperativeSticky,
}

// Kafka 2.7's consumer defaults (and Flume's group id).
const (
	DefaultGroupID                = "flume"
	DefaultFetchMinBytes          = 1
	DefaultFetchMaxBytes          = 52428800
	DefaultFetchMaxWait           = 500 * time.Millisecond
	DefaultMaxPartitionFetchBytes = 1048576
	DefaultMaxPollRecords         = 500
	DefaultMaxPollInterval        = 300 * time.Second
	DefaultSessionTimeout         = 10 * time.Second
	DefaultHeartbeatInterval      = 3 * time.Second
)

// ConsumerOptions are the component's defaults for ParseConsumer.
type ConsumerOptions struct {
	// AutoOffsetReset is the default of auto.offset.reset: Kafka's latest
	// for Flume's source, earliest for its channel. A component with a
	// deprecated switch (the channel's readSmallestOffset) passes what it
	// says.
	AutoOffsetReset string
	// OldGroupIDKey is a deprecated top-level name of
	// kafka.consumer.group.id (groupId), or "".
	OldGroupIDKey string
	// Globals are the process-wide TLS and JAAS settings.
	Globals Globals
}

// ConsumerTable is what flumego's consumer (franz-go's kgo, through
// kafkaconf/kgoconf) does with each kafka.consumer.* key.
var ConsumerTable = Table{
	Kind: "consumer",
	Mapped: merge(clientMapped, securityMapped, map[string]string{
		"group.id":                      "the consumer group (default flume)",
		"group.instance.id":             "static group membership",
		"auto.offset.reset":             "earliest, latest or none",
		"enable.auto.commit":            "forced off, as in Flume: offsets are committed after the channel commit",
		"fetch.min.bytes":               "the least data a fetch waits for",
		"fetch.max.bytes":               "the most data one fetch returns",
		"fetch.max.wait.ms":             "how long a fetch waits for fetch.min.bytes",
		"max.partition.fetch.bytes":     "the most data per partition in one fetch",
		"max.poll.records":              "the most records one poll returns",
		"max.poll.interval.ms":          "the rebalance timeout",
		"session.timeout.ms":            "when the group drops a silent member",
		"heartbeat.interval.ms":         "how often a member heartbeats",
		"partition.assignment.strategy": "Kafka's Range, RoundRobin, Sticky and CooperativeSticky assignors",
		"isolation.level":               "read_uncommitted or read_committed",
		"client.rack":                   "the consumer's rack, for rack-aware fetching",
		"check.crcs":                    "whether record CRCs are checked",
		"allow.auto.create.topics":      "whether subscribing creates missing topics",
		"exclude.internal.topics":       "true only: a pattern never matches internal topics",
		"key.deserializer":              "org.apache.kafka.common.serialization.StringDeserializer only",
		"value.deserializer":            "org.apache.kafka.common.serialization.ByteArrayDeserializer only",
	}),
	NoEffect: merge(commonNoEffect, map[string]string{
		"auto.commit.interval.ms": "offsets are committed after each batch, never automatically",
		"default.api.timeout.ms":  "each call is bounded by its own timeout",
		// Flume's pre-1.7 documentation set these keys of Kafka's 0.8
		// consumer; Kafka 2.x's consumer ignores them too.
		"consumer.timeout.ms": "a setting of Kafka's 0.8 consumer, which Kafka 2.x clients ignore too",
		"timeout.ms":          "Kafka 0.8's consumer.timeout.ms as Flume's old documentation wrote it (kafka.consumer.timeout.ms); Kafka 2.x clients ignore it too",
		"zookeeper.connect":   "a setting of Kafka's 0.8 consumer, which Kafka 2.x clients ignore too",
		"auto.commit.enable":  "a setting of Kafka's 0.8 consumer, which Kafka 2.x clients ignore too",
	}),
	Unsupported: merge(commonUnsupported, map[string]string{
		"interceptor.classes": "Java consumer interceptors cannot be loaded",
	}),
}

// ParseConsumer reads the kafka.consumer.* keys of cfg (and the deprecated
// o.OldGroupIDKey) into a Consumer. Problems are recorded in cfg at the
// user's keys; every kafka.consumer.* key is accounted for
// (ConsumerTable).
func ParseConsumer(cfg *flume.Context, o ConsumerOptions) Consumer {
	p := cfg.Sub(ConsumerPrefix)
	c := Consumer{Client: parseClient(p, o.Globals), GroupID: DefaultGroupID}
	if v, _, ok := Value(cfg, ConsumerPrefix+"group.id", o.OldGroupIDKey); ok && v != "" {
		c.GroupID = v
	}
	c.InstanceID = p.String("group.instance.id", "")
	def := o.AutoOffsetReset
	if def == "" {
		def = "latest"
	}
	c.AutoOffsetReset = p.OneOf("auto.offset.reset", def, "earliest", "latest", "none")
	if p.Bool("enable.auto.commit", false) {
		p.Warnf("enable.auto.commit", "ignored, as Flume ignores it: offsets are committed once a batch is committed to the channels")
	}
	parseFetch(p, &c)
	parseGroup(p, &c)
	c.ReadCommitted = p.OneOf("isolation.level", "read_uncommitted", "read_uncommitted", "read_committed") == "read_committed"
	c.Rack = p.String("client.rack", "")
	c.CheckCRCs = p.Bool("check.crcs", true)
	c.AllowAutoTopicCreation = p.Bool("allow.auto.create.topics", true)
	if !p.Bool("exclude.internal.topics", true) {
		p.Warnf("exclude.internal.topics", "has no effect in flumego: a topic pattern never matches internal topics (name them in the topic list instead)")
	}
	javaClass(p, "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer")
	javaClass(p, "value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer")
	ConsumerTable.Check(p)
	return c
}

// parseFetch reads how much a fetch asks for and how long it waits.
func parseFetch(p *flume.Context, c *Consumer) {
	c.FetchMinBytes = p.Positive("fetch.min.bytes", DefaultFetchMinBytes)
	c.FetchMaxBytes = p.Positive("fetch.max.bytes", DefaultFetchMaxBytes)
	c.FetchMaxWait = p.MillisAtLeast("fetch.max.wait.ms", DefaultFetchMaxWait, 0)
	c.MaxPartitionFetchBytes = p.Positive("max.partition.fetch.bytes", DefaultMaxPartitionFetchBytes)
	c.MaxPollRecords = p.Positive("max.poll.records", DefaultMaxPollRecords)
}

// parseGroup reads the consumer group's timing and assignors.
func parseGroup(p *flume.Context, c *Consumer) {
	c.MaxPollInterval = p.MillisAtLeast("max.poll.interval.ms", DefaultMaxPollInterval, time.Millisecond)
	c.SessionTimeout = p.MillisAtLeast("session.timeout.ms", DefaultSessionTimeout, time.Millisecond)
	c.HeartbeatInterval = p.MillisAtLeast("heartbeat.interval.ms", DefaultHeartbeatInterval, time.Millisecond)
	if c.HeartbeatInterval >= c.SessionTimeout {
		p.Errorf("heartbeat.interval.ms", "must be lower than session.timeout.ms (%d)", c.SessionTimeout.Milliseconds())
	}
	classes := strings.FieldsFunc(p.String("partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor"),
		func(r rune) bool { return r == ',' || r == ' ' })
	for _, class := range classes {
		if a, ok := assignorClasses[class]; ok {
			c.Assignors = append(c.Assignors, a)
		} else {
			p.Unsupportedf("partition.assignment.strategy", "assignor class %q cannot be loaded (Kafka's Range, RoundRobin, Sticky and CooperativeSticky assignors can)", class)
		}
	}
	if len(c.Assignors) == 0 {
		c.Assignors = []string{AssignorRange}
	}
}
