package kafka

import (
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkaconf"
	"github.com/flumego/flume/internal/kafkaconf/kafkagoconf"
)

// Flume's property names (KafkaSinkConstants of Flume 1.11).
const (
	keyBootstrap          = kafkaconf.KeyBootstrap
	keyTopic              = "kafka.topic"
	keyBatchSize          = "flumeBatchSize"
	keyAcks               = "kafka.producer.acks"
	keyAvroEvent          = "useFlumeEventFormat"
	keyStaticPartition    = "defaultPartitionId"
	keyPartitionHeader    = "partitionIdHeader"
	keyAllowTopicOverride = "allowTopicOverride"
	keyTopicHeader        = "topicHeader"
	keyTimestampHeader    = "timestampHeader"
	headerPrefix          = "header."
	producerPrefix        = kafkaconf.ProducerPrefix

	// keyRecordHeaders is a flumego addition: mapped | all.
	keyRecordHeaders = "kafkaRecordHeaders"

	// Deprecated names, used only when the new key is absent.
	oldBrokerList    = "brokerList"
	oldTopic         = "topic"
	oldBatchSize     = "batchSize"
	oldRequiredAcks  = "requiredAcks"
	oldSerializer    = "serializer.class"
	oldKeySerializer = "key.serializer.class"

	// DefaultTopic is the topic used when none is configured.
	DefaultTopic = "default-flume-topic"
	// DefaultBatchSize is flumeBatchSize's default.
	DefaultBatchSize = 100
)

// Record header modes (kafkaRecordHeaders).
const (
	// HeadersMapped sends only the header.<flumeName> mappings, as Flume.
	HeadersMapped = "mapped"
	// HeadersAll sends every Flume event header as a Kafka record header.
	HeadersAll = "all"
)

// Config is the sink's parsed configuration.
type Config struct {
	// Brokers are the bootstrap servers, host:port each.
	Brokers []string
	// Topic is kafka.topic as written (escapes not yet replaced).
	Topic string
	// BatchSize is flumeBatchSize: events per channel transaction.
	BatchSize int
	// BatchSizeKey is the key BatchSize was read from: flumeBatchSize or
	// the deprecated batchSize.
	BatchSizeKey string
	// UseFlumeEventFormat writes values as Avro AvroFlumeEvent datums.
	UseFlumeEventFormat bool
	// StaticPartition is defaultPartitionId; HasStaticPartition tells
	// whether it is set.
	StaticPartition    int
	HasStaticPartition bool
	// PartitionHeader is partitionIdHeader ("" when unset).
	PartitionHeader string
	// AllowTopicOverride and TopicHeader choose the per-event topic.
	AllowTopicOverride bool
	TopicHeader        string
	// TimestampHeader is timestampHeader ("" when unset).
	TimestampHeader string
	// HeaderMap maps Flume header names to Kafka record header names
	// (header.<flumeName> = <kafkaName>).
	HeaderMap map[string]string
	// RecordHeaders is HeadersMapped or HeadersAll.
	RecordHeaders string

	// Producer holds the kafka.producer.* settings.
	Producer ProducerConfig
}

// ProducerConfig is what the kafka.producer.* keys set, in kafka-go's
// terms (internal/kafkaconf reads them, kafkaconf/kafkagoconf converts).
type ProducerConfig = kafkagoconf.Producer

// backoffMax is kafka-go's WriteBackoffMax for a retry.backoff.ms.
func backoffMax(d time.Duration) time.Duration {
	return kafkagoconf.Producer{RetryBackoff: d}.WriteBackoffMax()
}

// ParseConfig reads a Kafka sink's properties. Problems are recorded in cfg;
// check cfg.Err afterwards.
func ParseConfig(cfg *flume.Context) Config {
	g := kafkaconf.SystemGlobals()
	translateOldProps(cfg)
	kafkaconf.IgnoreObsolete(cfg, kafkaconf.ObsoleteSinkKeys)
	c := Config{
		BatchSize:           DefaultBatchSize,
		UseFlumeEventFormat: cfg.Bool(keyAvroEvent, false),
		PartitionHeader:     cfg.String(keyPartitionHeader, ""),
		AllowTopicOverride:  cfg.Bool(keyAllowTopicOverride, true),
		TopicHeader:         cfg.String(keyTopicHeader, "topic"),
		TimestampHeader:     cfg.String(keyTimestampHeader, ""),
		HeaderMap:           cfg.Sub(headerPrefix).Map(),
		RecordHeaders:       cfg.OneOf(keyRecordHeaders, HeadersMapped, HeadersMapped, HeadersAll),
	}
	cfg.MarkPrefixUsed(headerPrefix)
	if c.Topic, _, _ = kafkaconf.Value(cfg, keyTopic, oldTopic); c.Topic == "" {
		c.Topic = DefaultTopic
	}
	c.BatchSize, c.BatchSizeKey = batchSizeOf(cfg)
	if cfg.Has(keyStaticPartition) {
		c.StaticPartition = cfg.Int(keyStaticPartition, 0)
		c.HasStaticPartition = true
		if c.StaticPartition < 0 {
			cfg.Errorf(keyStaticPartition, "a partition id is 0 or more")
		}
	}
	for flumeName, kafkaName := range c.HeaderMap {
		if kafkaName == "" {
			cfg.Errorf(headerPrefix+flumeName, "the Kafka header name is empty")
		}
	}
	c.Brokers = kafkaconf.ParseBrokers(cfg, oldBrokerList)
	c.Producer = parseProducer(cfg, g)
	return c
}

// parseProducer reads the kafka.producer.* keys (and requiredAcks, the
// deprecated name of acks; Flume's sink defaults acks to 1) and converts
// them for kafka-go.
func parseProducer(cfg *flume.Context, g kafkaconf.Globals) ProducerConfig {
	p := kafkaconf.ParseProducer(cfg, kafkaconf.ProducerOptions{Acks: kafkaconf.AcksLeader, OldAcksKey: oldRequiredAcks, Globals: g})
	pc, err := kafkagoconf.NewProducer(p)
	if err != nil {
		cfg.Errorf(producerPrefix+"sasl.jaas.config", "%v", err)
	}
	return pc
}

// translateOldProps warns about Flume's deprecated names. Flume copies each
// old value onto the new key when the new key is absent; here
// kafkaconf.Value reads the new key and falls back to the old one, which
// has the same effect.
func translateOldProps(cfg *flume.Context) {
	kafkaconf.WarnRenamed(cfg, kafkaconf.SinkRenames)
	if cfg.Has(oldKeySerializer) {
		cfg.Lookup(oldKeySerializer)
		cfg.Warnf(oldKeySerializer, "deprecated and ignored: keys are strings (the key header), as Flume's kafka.producer.key.serializer StringSerializer writes them")
	}
	if cfg.Has(oldSerializer) {
		cfg.Lookup(oldSerializer)
		cfg.Warnf(oldSerializer, "deprecated and ignored: values are the event bodies as bytes (or Avro events with useFlumeEventFormat)")
	}
}

func batchSizeOf(cfg *flume.Context) (int, string) {
	_, key, ok := kafkaconf.Value(cfg, keyBatchSize, oldBatchSize)
	if !ok {
		return DefaultBatchSize, key
	}
	return cfg.Positive(key, DefaultBatchSize), key
}
