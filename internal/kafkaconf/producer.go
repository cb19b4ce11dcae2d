package kafkaconf

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/flumego/flume"
)

// Acks is the producer's acks: how many replicas must have a record before
// the broker acknowledges it.
type Acks int

// The values of acks.
const (
	AcksNone   Acks = 0  // no acknowledgement
	AcksLeader Acks = 1  // the partition leader
	AcksAll    Acks = -1 // every in-sync replica
)

// Compression is the producer's compression.type.
type Compression string

// The values of compression.type.
const (
	CompressionNone   Compression = "none"
	CompressionGzip   Compression = "gzip"
	CompressionSnappy Compression = "snappy"
	CompressionLz4    Compression = "lz4"
	CompressionZstd   Compression = "zstd"
)

// Producer is what the kafka.producer.* keys set, independent of the
// client library.
type Producer struct {
	Client
	// Acks is acks.
	Acks Acks
	// Compression is compression.type.
	Compression Compression
	// BatchBytes is batch.size: the bytes gathered per partition, which is
	// also where Java's sticky partitioner moves on to another partition.
	BatchBytes int
	// Linger is linger.ms. Flume's sink flushes after every batch, so it
	// does not delay a batch there.
	Linger time.Duration
	// MaxRequestSize is max.request.size: the largest request.
	MaxRequestSize int
	// DeliveryTimeout is delivery.timeout.ms: how long a record may take
	// to be acknowledged, retries included (at least RequestTimeout).
	DeliveryTimeout time.Duration
	// Retries is retries: how often a failed request is sent again within
	// DeliveryTimeout (Java's default is math.MaxInt32: until the
	// timeout).
	Retries int
	// Idempotent is enable.idempotence: the brokers drop a retried batch
	// they already have, so retries write no duplicates. Only where the
	// client supports it (ProducerOptions.Idempotence).
	Idempotent bool
}

// Kafka 2.7's producer defaults.
const (
	DefaultBatchBytes      = 16384
	DefaultMaxRequestSize  = 1048576
	DefaultDeliveryTimeout = 120 * time.Second
	DefaultRetries         = math.MaxInt32
)

// ProducerOptions are the component's defaults for ParseProducer.
type ProducerOptions struct {
	// Acks is the default of acks: AcksLeader for Flume's sink, AcksAll for
	// its channel.
	Acks Acks
	// OldAcksKey is a deprecated top-level name of kafka.producer.acks
	// (the sink's requiredAcks), or "".
	OldAcksKey string
	// Globals are the process-wide TLS and JAAS settings.
	Globals Globals
	// Idempotence says that the component's client library has an
	// idempotent producer (franz-go's kgo; kafka-go has none), so that
	// enable.idempotence = true is honoured instead of refused.
	Idempotence bool
}

// ProducerTable is what flumego's producer (kafka-go, through
// kafkaconf/kafkagoconf) does with each kafka.producer.* key.
var ProducerTable = Table{
	Kind: "producer",
	Mapped: merge(clientMapped, securityMapped, map[string]string{
		"acks":                                  "0, 1, -1 or all",
		"compression.type":                      "none, gzip, snappy, lz4 or zstd",
		"batch.size":                            "bytes per partition batch; the sticky partitioner's switch point",
		"linger.ms":                             "accepted; each Flume batch is flushed at once",
		"max.request.size":                      "the largest request",
		"delivery.timeout.ms":                   "the bound of one record's delivery, retries included",
		"retries":                               "retries within delivery.timeout.ms",
		"max.in.flight.requests.per.connection": "accepted; one request per partition at a time keeps records in order",
		"enable.idempotence":                    "true where the client has an idempotent producer (the Kafka channel's kgo), refused as unsupported otherwise (the sink's kafka-go)",
		"key.serializer":                        "org.apache.kafka.common.serialization.StringSerializer only",
		"value.serializer":                      "org.apache.kafka.common.serialization.ByteArraySerializer only",
		"partitioner.class":                     "org.apache.kafka.clients.producer.internals.DefaultPartitioner only",
	}),
	NoEffect: merge(commonNoEffect, map[string]string{
		"buffer.memory":          "kafka-go holds only the batch being written",
		"max.block.ms":           "sends never block on a full buffer here",
		"transaction.timeout.ms": "Kafka transactions are not used",
	}),
	Unsupported: merge(commonUnsupported, map[string]string{
		"transactional.id":    "Kafka transactions (nor are they by Flume 1.11's Kafka sink)",
		"interceptor.classes": "Java producer interceptors cannot be loaded",
	}),
}

// ParseProducer reads the kafka.producer.* keys of cfg (and the deprecated
// o.OldAcksKey) into a Producer. Problems are recorded in cfg at the user's
// keys; every kafka.producer.* key is accounted for (ProducerTable).
func ParseProducer(cfg *flume.Context, o ProducerOptions) Producer {
	p := cfg.Sub(ProducerPrefix)
	pc := Producer{
		Client:      parseClient(p, o.Globals),
		Acks:        parseAcks(cfg, o),
		Compression: parseCompression(p),
	}
	parseBatching(p, &pc)
	parseDelivery(p, &pc)
	pc.Idempotent = parseIdempotence(p, pc, o.Idempotence)
	checkProducerFixed(p)
	ProducerTable.Check(p)
	return pc
}

// parseAcks reads acks, or the deprecated top-level name.
func parseAcks(cfg *flume.Context, o ProducerOptions) Acks {
	v, key, ok := Value(cfg, ProducerPrefix+"acks", o.OldAcksKey)
	if !ok {
		return o.Acks
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "0":
		return AcksNone
	case "1":
		return AcksLeader
	case "-1", "all":
		return AcksAll
	}
	cfg.Errorf(key, "expected 0, 1, -1 or all")
	return o.Acks
}

func parseCompression(p *flume.Context) Compression {
	switch c := Compression(strings.ToLower(p.String("compression.type", "none"))); c {
	case CompressionNone, CompressionGzip, CompressionSnappy, CompressionLz4, CompressionZstd:
		return c
	}
	p.Errorf("compression.type", "expected none, gzip, snappy, lz4 or zstd")
	return CompressionNone
}

// parseBatching reads how records are grouped into requests.
func parseBatching(p *flume.Context, pc *Producer) {
	pc.BatchBytes = p.IntAtLeast("batch.size", DefaultBatchBytes, 0)
	pc.Linger = p.MillisAtLeast("linger.ms", 0, 0)
	pc.MaxRequestSize = p.Positive("max.request.size", DefaultMaxRequestSize)
	// Kafka's producer pipelines up to this many requests per broker and
	// may reorder on retries; flumego's sends one at a time per partition,
	// which keeps records in order whatever the setting.
	p.Positive("max.in.flight.requests.per.connection", 5)
}

// parseDelivery reads how long and how often a record is tried.
func parseDelivery(p *flume.Context, pc *Producer) {
	pc.DeliveryTimeout = p.Millis("delivery.timeout.ms", DefaultDeliveryTimeout)
	if p.Has("delivery.timeout.ms") && pc.DeliveryTimeout < pc.RequestTimeout {
		p.Errorf("delivery.timeout.ms", "must be at least request.timeout.ms (%d)", pc.RequestTimeout.Milliseconds())
	}
	pc.DeliveryTimeout = max(pc.DeliveryTimeout, pc.RequestTimeout)
	pc.Retries = p.IntAtLeast("retries", DefaultRetries, 0)
}

// parseIdempotence reads enable.idempotence (Kafka 2.7's default: false).
// Kafka requires acks = all for it, as Java's producer does.
func parseIdempotence(p *flume.Context, pc Producer, supported bool) bool {
	if !p.Bool("enable.idempotence", false) {
		return false
	}
	if !supported {
		p.Unsupportedf("enable.idempotence", "kafka-go has no idempotent producer; without it, duplicates are possible when a broker's acknowledgement is lost (remove the setting to accept that)")
		return false
	}
	if pc.Acks != AcksAll {
		p.Errorf("enable.idempotence", "needs acks = all (Kafka's rule)")
		return false
	}
	return true
}

// checkProducerFixed refuses settings whose only value flumego can honour
// is the default: Java classes.
func checkProducerFixed(p *flume.Context) {
	javaClass(p, "key.serializer", "org.apache.kafka.common.serialization.StringSerializer")
	javaClass(p, "value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer")
	javaClass(p, "partitioner.class", "org.apache.kafka.clients.producer.internals.DefaultPartitioner")
}

// String summarises the settings for a start-up log line.
func (pc Producer) String() string {
	return fmt.Sprintf("acks=%d compression=%s retries=%d request.timeout=%s delivery.timeout=%s security=%s",
		pc.Acks, pc.Compression, pc.Retries, pc.RequestTimeout, pc.DeliveryTimeout, pc.Security.Protocol)
}
