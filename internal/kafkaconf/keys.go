package kafkaconf

import (
	"sort"

	"github.com/flumego/flume"
)

// Flume's property names shared by the Kafka sink, source and channel.
const (
	// KeyBootstrap lists the brokers, host:port[,host:port...].
	KeyBootstrap = "kafka.bootstrap.servers"
	// ProducerPrefix and ConsumerPrefix lead the Kafka client properties
	// Flume passes through.
	ProducerPrefix = "kafka.producer."
	ConsumerPrefix = "kafka.consumer."
)

// Rename is one of Flume's deprecated property names and its replacement.
// Flume copies the old value onto the new key when the new key is absent;
// Value reads them that way.
type Rename struct{ Old, New string }

// SinkRenames are the Kafka sink's deprecated names (KafkaSink's
// translateOldProps). The channel has brokerList, topic, groupId and
// readSmallestOffset (→ kafka.consumer.auto.offset.reset); the source has
// topic and groupId.
var SinkRenames = []Rename{
	{"topic", "kafka.topic"},
	{"brokerList", KeyBootstrap},
	{"batchSize", "flumeBatchSize"},
	{"requiredAcks", ProducerPrefix + "acks"},
}

// WarnRenamed warns about every deprecated name set in cfg: it is used
// when its replacement is absent, ignored otherwise.
func WarnRenamed(cfg *flume.Context, renames []Rename) {
	for _, r := range renames {
		if cfg.Has(r.Old) {
			if cfg.Has(r.New) {
				cfg.Warnf(r.Old, "deprecated and ignored: %s is set", r.New)
			} else {
				cfg.Warnf(r.Old, "deprecated: use %s", r.New)
			}
		}
	}
}

// Value returns the value of key cur, else of the deprecated key old (""
// for none), marking both used, and the key the value came from (cur when
// neither is set).
func Value(cfg *flume.Context, cur, old string) (value, key string, ok bool) {
	if p, ok := cfg.Lookup(cur); ok {
		cfg.MarkUsed(old)
		return p.Value, cur, true
	}
	if old == "" {
		return "", cur, false
	}
	if p, ok := cfg.Lookup(old); ok && p.Value != "" {
		return p.Value, old, true
	}
	return "", cur, false
}

// ObsoleteSinkKeys are keys of Flume's 0.8-era Kafka sink, passed to the old
// producer under "kafka.", with their replacement ("" for none). Flume 1.11
// ignores them.
var ObsoleteSinkKeys = map[string]string{
	"kafka.flumeBatchSize":           "flumeBatchSize",
	"kafka.batchSize":                "flumeBatchSize",
	"kafka.request.required.acks":    ProducerPrefix + "acks",
	"kafka.requiredAcks":             ProducerPrefix + "acks",
	"kafka.metadata.broker.list":     KeyBootstrap,
	"kafka.brokerList":               KeyBootstrap,
	"kafka.producer.type":            "",
	"kafka.serializer.class":         "",
	"kafka.key.serializer.class":     "",
	"kafka.partitioner.class":        "",
	"kafka.compression.codec":        ProducerPrefix + "compression.type",
	"kafka.request.timeout.ms":       ProducerPrefix + "request.timeout.ms",
	"kafka.message.send.max.retries": ProducerPrefix + "retries",
	"kafka.queue.buffering.max.ms":   ProducerPrefix + "linger.ms",
}

// IgnoreObsolete marks the obsolete keys set in cfg used and warns that
// they are ignored, as Flume 1.11 ignores them, naming the replacement.
// Call it before ParseProducer or ParseConsumer, which would otherwise
// call a kafka.producer.* or kafka.consumer.* one unknown.
func IgnoreObsolete(cfg *flume.Context, obsolete map[string]string) {
	keys := make([]string, 0, len(obsolete))
	for k := range obsolete {
		if cfg.Has(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		cfg.MarkUsed(k)
		if repl := obsolete[k]; repl != "" {
			cfg.Warnf(k, "a property of Flume's old Kafka sink; ignored, as Flume 1.11 ignores it: use %s", repl)
		} else {
			cfg.Warnf(k, "a property of Flume's old Kafka sink; ignored, as Flume 1.11 ignores it")
		}
	}
}
