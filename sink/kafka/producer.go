package kafka

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/flumego/flume"
	kafkago "github.com/segmentio/kafka-go"
)

// Producer settings flumego maps, or accepts knowing what they mean.
var producerKeys = map[string]bool{
	"acks": true, "compression.type": true, "linger.ms": true, "batch.size": true,
	"max.request.size": true, "request.timeout.ms": true, "delivery.timeout.ms": true,
	"retries": true, "retry.backoff.ms": true, "client.id": true, "metadata.max.age.ms": true,
	"connections.max.idle.ms": true, "socket.connection.setup.timeout.ms": true,
	"bootstrap.servers": true, "key.serializer": true, "value.serializer": true,
	"enable.idempotence": true, "max.in.flight.requests.per.connection": true,
	"partitioner.class": true, "interceptor.classes": true, "transactional.id": true,
	"ssl.protocol": true,
}

// Producer settings that Java's producer knows and kafka-go has no use for.
// They draw a warning saying so.
var producerNoEffect = map[string]string{
	"buffer.memory":                          "kafka-go holds only the batch being written",
	"max.block.ms":                           "sends never block on a full buffer here",
	"send.buffer.bytes":                      "the system's socket buffer sizes are used",
	"receive.buffer.bytes":                   "the system's socket buffer sizes are used",
	"reconnect.backoff.ms":                   "reconnections follow retry.backoff.ms",
	"reconnect.backoff.max.ms":               "reconnections follow retry.backoff.ms",
	"socket.connection.setup.timeout.max.ms": "socket.connection.setup.timeout.ms bounds each connection",
	"client.dns.lookup":                      "every address a name resolves to is tried",
	"metric.reporters":                       "the sink's counters are published by the agent",
	"metrics.num.samples":                    "the sink's counters are published by the agent",
	"metrics.sample.window.ms":               "the sink's counters are published by the agent",
	"metrics.recording.level":                "the sink's counters are published by the agent",
	"transaction.timeout.ms":                 "Kafka transactions are not used",
	"ssl.provider":                           "Go's TLS is used",
	"ssl.secure.random.implementation":       "Go's TLS is used",
	"ssl.keymanager.algorithm":               "Go's TLS is used",
	"ssl.trustmanager.algorithm":             "Go's TLS is used",
	"security.providers":                     "Go's TLS is used",
	"sasl.login.refresh.window.factor":       "SASL PLAIN and SCRAM need no login refresh",
	"sasl.login.refresh.window.jitter":       "SASL PLAIN and SCRAM need no login refresh",
	"sasl.login.refresh.min.period.seconds":  "SASL PLAIN and SCRAM need no login refresh",
	"sasl.login.refresh.buffer.seconds":      "SASL PLAIN and SCRAM need no login refresh",
}

// producerUnsupported are settings whose meaning kafka-go cannot give; asking
// for them is an error rather than a silent downgrade.
var producerUnsupported = map[string]string{
	"ssl.keystore.certificate.chain":     "inline PEM key stores are not supported; put the chain and key in a PEM file and set ssl.keystore.location and ssl.keystore.type = PEM",
	"ssl.keystore.key":                   "inline PEM key stores are not supported; put the chain and key in a PEM file and set ssl.keystore.location and ssl.keystore.type = PEM",
	"ssl.truststore.certificates":        "inline PEM trust stores are not supported; put the certificates in a PEM file and set ssl.truststore.location and ssl.truststore.type = PEM",
	"ssl.engine.factory.class":           "Java SSL engine factories cannot be loaded",
	"sasl.login.class":                   "Java login classes cannot be loaded",
	"sasl.login.callback.handler.class":  "Java callback handlers cannot be loaded",
	"sasl.client.callback.handler.class": "Java callback handlers cannot be loaded",
}

// parseProducer reads the kafka.producer.* keys (and requiredAcks, the
// deprecated name of acks) onto kafka-go's settings.
func parseProducer(cfg *flume.Context, unsupported *bool) ProducerConfig {
	p := cfg.Sub(producerPrefix)
	pc := ProducerConfig{
		Acks:           kafkago.RequireOne,
		StickyBytes:    p.Int("batch.size", defaultBatchBytes),
		MaxRequestSize: int64(p.Int("max.request.size", defaultMaxRequestSize)),
		RequestTimeout: p.Millis("request.timeout.ms", defaultRequestTimeout),
		RetryBackoff:   p.Millis("retry.backoff.ms", defaultRetryBackoff),
		ClientID:       p.String("client.id", ""),
		MetadataTTL:    p.Millis("metadata.max.age.ms", defaultMetadataTTL),
		IdleTimeout:    p.Millis("connections.max.idle.ms", defaultIdleTimeout),
		DialTimeout:    p.Millis("socket.connection.setup.timeout.ms", defaultDialTimeout),
	}
	fail := func(key, format string, args ...any) {
		*unsupported = true
		p.Errorf(key, "not supported by flumego: "+format, args...)
	}

	if v, key, ok := value(cfg, keyAcks, oldRequiredAcks); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "0":
			pc.Acks = kafkago.RequireNone
		case "1":
			pc.Acks = kafkago.RequireOne
		case "-1", "all":
			pc.Acks = kafkago.RequireAll
		default:
			cfg.Errorf(key, "expected 0, 1, -1 or all")
		}
	}
	switch ct := strings.ToLower(p.String("compression.type", "none")); ct {
	case "none":
	case "gzip":
		pc.Compression = kafkago.Gzip
	case "snappy":
		pc.Compression = kafkago.Snappy
	case "lz4":
		pc.Compression = kafkago.Lz4
	case "zstd":
		pc.Compression = kafkago.Zstd
	default:
		p.Errorf("compression.type", "expected none, gzip, snappy, lz4 or zstd")
	}
	if p.Int64("linger.ms", 0) < 0 {
		p.Errorf("linger.ms", "must not be negative")
	}
	positive := func(key string, d time.Duration) {
		if d <= 0 {
			p.Errorf(key, "must be positive")
		}
	}
	positive("request.timeout.ms", pc.RequestTimeout)
	positive("metadata.max.age.ms", pc.MetadataTTL)
	// kafka-go refreshes its metadata only on this timer, where Java's
	// producer also refreshes after errors (a moved partition leader): the
	// interval is capped so a leader change is noticed within seconds.
	pc.MetadataTTL = min(pc.MetadataTTL, defaultMetadataTTL)
	positive("connections.max.idle.ms", pc.IdleTimeout)
	positive("socket.connection.setup.timeout.ms", pc.DialTimeout)
	if pc.RetryBackoff < 0 {
		p.Errorf("retry.backoff.ms", "must not be negative")
	}
	if pc.StickyBytes < 0 {
		p.Errorf("batch.size", "must not be negative")
	}
	if pc.MaxRequestSize < 1 {
		p.Errorf("max.request.size", "must be positive")
	}

	// Kafka bounds a record's delivery by delivery.timeout.ms and retries
	// until then; kafka-go counts attempts. Attempts are capped so that
	// failing requests fit in the delivery timeout.
	pc.DeliveryTimeout = p.Millis("delivery.timeout.ms", defaultDeliveryTimeout)
	if p.Has("delivery.timeout.ms") && pc.DeliveryTimeout < pc.RequestTimeout {
		p.Errorf("delivery.timeout.ms", "must be at least request.timeout.ms (%d)", pc.RequestTimeout.Milliseconds())
	}
	if pc.DeliveryTimeout < pc.RequestTimeout {
		pc.DeliveryTimeout = pc.RequestTimeout
	}
	maxAttempts := 1 + int(pc.DeliveryTimeout/max(pc.RequestTimeout, time.Millisecond))
	pc.MaxAttempts = maxAttempts
	if p.Has("retries") {
		r := p.Int("retries", 0)
		if r < 0 {
			p.Errorf("retries", "must not be negative")
		}
		pc.MaxAttempts = max(1, min(r+1, maxAttempts))
	}

	if p.Has("bootstrap.servers") {
		p.Warnf("bootstrap.servers", "ignored: the brokers are set by %s, as in Flume", keyBootstrap)
	}
	if v := p.String("enable.idempotence", "false"); strings.EqualFold(v, "true") {
		fail("enable.idempotence", "kafka-go has no idempotent producer; without it, duplicates are possible when a broker's acknowledgement is lost (remove the setting to accept that)")
	}
	if p.Has("transactional.id") {
		fail("transactional.id", "Kafka transactions are not supported (nor are they by Flume 1.11's Kafka sink)")
	}
	if v := p.String("max.in.flight.requests.per.connection", "5"); v != "" {
		if n, err := flume.ParseJavaInt(v, 32); err != nil || n < 1 {
			p.Errorf("max.in.flight.requests.per.connection", "expected a positive integer")
		}
		// kafka-go sends one request at a time per partition, which keeps
		// records in order whatever the setting.
	}
	javaClass := func(key, want string) {
		if v := p.String(key, want); v != want {
			fail(key, "Java class %q cannot be loaded (only %s)", v, want)
		}
	}
	javaClass("key.serializer", "org.apache.kafka.common.serialization.StringSerializer")
	javaClass("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer")
	javaClass("partitioner.class", "org.apache.kafka.clients.producer.internals.DefaultPartitioner")
	if p.Has("interceptor.classes") {
		fail("interceptor.classes", "Java producer interceptors cannot be loaded")
	}
	p.String("ssl.protocol", "") // the enabled protocols are what counts

	pc.Security = parseSecurity(p, unsupported)

	var keys []string
	for _, k := range p.Keys() {
		if _, old := oldKafkaKeys[producerPrefix+k]; old {
			continue // ignoreOldKafkaKeys warns about it
		}
		if !producerKeys[k] && !securityKeys[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case producerNoEffect[k] != "":
			p.Warnf(k, "has no effect in flumego (%s)", producerNoEffect[k])
		case producerUnsupported[k] != "":
			fail(k, "%s", producerUnsupported[k])
		case strings.HasPrefix(k, "sasl.kerberos."):
			if pc.Security.Mechanism == "GSSAPI" {
				continue // already an error
			}
			if pc.Security.Mechanism == "" {
				p.Warnf(k, "has no effect: security.protocol %s uses no SASL", pc.Security.Protocol)
			} else {
				p.Warnf(k, "has no effect: Kerberos is not used (sasl.mechanism is %s)", pc.Security.Mechanism)
			}
		default:
			p.Warnf(k, "unknown Kafka producer property; ignored (flumego's producer is kafka-go; see the sink/kafka documentation for the supported settings)")
		}
	}
	// Every key is accounted for above; the agent need not report them again.
	cfg.MarkPrefixUsed(producerPrefix)
	return pc
}

// backoffMax is kafka-go's WriteBackoffMax for a retry.backoff.ms.
func backoffMax(d time.Duration) time.Duration { return max(d, maxRetryBackoff) }

// String summarises the producer settings for the start-up log line.
func (pc ProducerConfig) String() string {
	return fmt.Sprintf("acks=%d compression=%v attempts=%d request.timeout=%s delivery.timeout=%s security=%s",
		pc.Acks, pc.Compression, pc.MaxAttempts, pc.RequestTimeout, pc.DeliveryTimeout, pc.Security.Protocol)
}
