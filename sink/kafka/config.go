package kafka

import (
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume"
	kafkago "github.com/segmentio/kafka-go"
)

// Flume's property names (KafkaSinkConstants of Flume 1.11).
const (
	keyBootstrap          = "kafka.bootstrap.servers"
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
	producerPrefix        = "kafka.producer."

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

	// unsupported is set when the configuration asks for something
	// flumego recognises but cannot do (flume.ErrUnsupported).
	unsupported bool
}

// ProducerConfig is what the kafka.producer.* keys set, in kafka-go's terms.
type ProducerConfig struct {
	Acks            kafkago.RequiredAcks
	Compression     kafkago.Compression
	StickyBytes     int           // batch.size: bytes per sticky partition
	MaxRequestSize  int64         // max.request.size: kafka-go BatchBytes
	RequestTimeout  time.Duration // request.timeout.ms
	DeliveryTimeout time.Duration // delivery.timeout.ms: bound of one batch
	MaxAttempts     int           // 1 + retries, capped by DeliveryTimeout
	RetryBackoff    time.Duration // retry.backoff.ms
	ClientID        string
	MetadataTTL     time.Duration
	IdleTimeout     time.Duration
	DialTimeout     time.Duration
	Security        securityConfig
}

// Kafka 2.7 producer defaults, where kafka-go's differ.
const (
	defaultBatchBytes      = 16384
	defaultMaxRequestSize  = 1048576
	defaultRequestTimeout  = 30 * time.Second
	defaultDeliveryTimeout = 120 * time.Second
	defaultRetryBackoff    = 100 * time.Millisecond
	maxRetryBackoff        = time.Second
	defaultMetadataTTL     = 6 * time.Second // kafka-go's default, and the cap (see parseProducer)
	defaultIdleTimeout     = 540 * time.Second
	defaultDialTimeout     = 10 * time.Second
)

// ParseConfig reads a Kafka sink's properties. Problems are recorded in cfg;
// check cfg.Err afterwards.
func ParseConfig(cfg *flume.Context) Config {
	translateOldProps(cfg)
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
	if c.Topic, _, _ = value(cfg, keyTopic, oldTopic); c.Topic == "" {
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
	c.Brokers = brokersOf(cfg)
	c.Producer = parseProducer(cfg, &c.unsupported)
	ignoreOldKafkaKeys(cfg)
	return c
}

// translateOldProps warns about Flume's deprecated names. Flume copies each
// old value onto the new key when the new key is absent; here value() reads
// the new key and falls back to the old one, which has the same effect.
func translateOldProps(cfg *flume.Context) {
	for _, p := range []struct{ old, cur string }{
		{oldTopic, keyTopic},
		{oldBrokerList, keyBootstrap},
		{oldBatchSize, keyBatchSize},
		{oldRequiredAcks, keyAcks},
	} {
		if cfg.Has(p.old) {
			if cfg.Has(p.cur) {
				cfg.Warnf(p.old, "deprecated and ignored: %s is set", p.cur)
			} else {
				cfg.Warnf(p.old, "deprecated: use %s", p.cur)
			}
		}
	}
	if cfg.Has(oldKeySerializer) {
		cfg.Lookup(oldKeySerializer)
		cfg.Warnf(oldKeySerializer, "deprecated and ignored: keys are strings (the key header), as Flume's kafka.producer.key.serializer StringSerializer writes them")
	}
	if cfg.Has(oldSerializer) {
		cfg.Lookup(oldSerializer)
		cfg.Warnf(oldSerializer, "deprecated and ignored: values are the event bodies as bytes (or Avro events with useFlumeEventFormat)")
	}
}

// value returns the new key's value, else the deprecated key's (both marked
// used), and which key it came from.
func value(cfg *flume.Context, cur, old string) (string, string, bool) {
	if p, ok := cfg.Lookup(cur); ok {
		cfg.MarkUsed(old)
		return p.Value, cur, true
	}
	if p, ok := cfg.Lookup(old); ok && p.Value != "" {
		return p.Value, old, true
	}
	return "", cur, false
}

func batchSizeOf(cfg *flume.Context) (int, string) {
	v, key, ok := value(cfg, keyBatchSize, oldBatchSize)
	if !ok {
		return DefaultBatchSize, key
	}
	n, err := flume.ParseJavaInt(v, 32)
	if err != nil {
		cfg.Errorf(key, "%v", err)
		return DefaultBatchSize, key
	}
	if n < 1 {
		cfg.Errorf(key, "the batch size must be at least 1")
		return DefaultBatchSize, key
	}
	return int(n), key
}

func brokersOf(cfg *flume.Context) []string {
	v, key, ok := value(cfg, keyBootstrap, oldBrokerList)
	if !ok || strings.TrimSpace(v) == "" {
		cfg.Errorf(keyBootstrap, "Bootstrap Servers must be specified (set %s, or the deprecated %s)", keyBootstrap, oldBrokerList)
		return nil
	}
	var out []string
	for _, b := range strings.Split(v, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		host, port, err := net.SplitHostPort(b)
		if err != nil || host == "" {
			cfg.Errorf(key, "%q is not a host:port address", b)
			continue
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			cfg.Errorf(key, "%q: not a port number", b)
			continue
		}
		out = append(out, b)
	}
	if len(out) == 0 && cfg.Err() == nil {
		cfg.Errorf(key, "no broker address")
	}
	return out
}

// oldKafkaKeys are keys of Flume's 0.8-era Kafka sink, passed to the old
// producer under "kafka.". Flume 1.11 ignores them; so do we, loudly.
var oldKafkaKeys = map[string]string{
	"kafka.flumeBatchSize":           "flumeBatchSize",
	"kafka.batchSize":                "flumeBatchSize",
	"kafka.request.required.acks":    "kafka.producer.acks",
	"kafka.requiredAcks":             "kafka.producer.acks",
	"kafka.metadata.broker.list":     "kafka.bootstrap.servers",
	"kafka.brokerList":               "kafka.bootstrap.servers",
	"kafka.producer.type":            "",
	"kafka.serializer.class":         "",
	"kafka.key.serializer.class":     "",
	"kafka.partitioner.class":        "",
	"kafka.compression.codec":        "kafka.producer.compression.type",
	"kafka.request.timeout.ms":       "kafka.producer.request.timeout.ms",
	"kafka.message.send.max.retries": "kafka.producer.retries",
	"kafka.queue.buffering.max.ms":   "kafka.producer.linger.ms",
}

func ignoreOldKafkaKeys(cfg *flume.Context) {
	keys := make([]string, 0, len(oldKafkaKeys))
	for k := range oldKafkaKeys {
		if cfg.Has(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		cfg.MarkUsed(k)
		if repl := oldKafkaKeys[k]; repl != "" {
			cfg.Warnf(k, "a property of Flume's old Kafka sink; ignored, as Flume 1.11 ignores it: use %s", repl)
		} else {
			cfg.Warnf(k, "a property of Flume's old Kafka sink; ignored, as Flume 1.11 ignores it")
		}
	}
}
