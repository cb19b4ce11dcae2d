package kafkagoconf

import (
	"crypto/tls"
	"fmt"
	"time"

	"github.com/flumego/flume/internal/kafkaconf"
	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// Limits kafka-go needs that Java's producer does not.
const (
	// MaxMetadataTTL caps metadata.max.age.ms: kafka-go refreshes its
	// metadata only on this timer, where Java's producer also refreshes
	// after errors (a moved partition leader), so a leader change is
	// noticed within seconds.
	MaxMetadataTTL = 6 * time.Second
	// MinRetryBackoffMax is the least WriteBackoffMax: kafka-go backs off
	// exponentially between retry.backoff.ms and this.
	MinRetryBackoffMax = time.Second
)

// Security is kafkaconf.Security in kafka-go's terms.
type Security struct {
	// Protocol is PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
	Protocol string
	// Mechanism is the SASL mechanism (upper case) when Protocol is SASL_*.
	Mechanism string
	// TLS is set for SSL and SASL_SSL.
	TLS *tls.Config
	// SASL is set for SASL_PLAINTEXT and SASL_SSL.
	SASL sasl.Mechanism
}

// Producer is a producer configuration in kafka-go's terms: what the Kafka
// sink sets on its Writer and Transport.
type Producer struct {
	Acks            kafkago.RequiredAcks
	Compression     kafkago.Compression
	StickyBytes     int           // batch.size: bytes per sticky partition
	MaxRequestSize  int64         // max.request.size: the Writer's BatchBytes
	RequestTimeout  time.Duration // request.timeout.ms: read and write timeouts
	DeliveryTimeout time.Duration // delivery.timeout.ms: bound of one batch
	MaxAttempts     int           // 1 + retries, capped so attempts fit in DeliveryTimeout
	RetryBackoff    time.Duration // retry.backoff.ms: the Writer's WriteBackoffMin
	ClientID        string
	MetadataTTL     time.Duration // metadata.max.age.ms, capped at MaxMetadataTTL
	IdleTimeout     time.Duration
	DialTimeout     time.Duration
	Security        Security
}

// NewProducer converts p. It fails only when kafka-go refuses the SASL
// credentials (SCRAM's SASLprep).
func NewProducer(p kafkaconf.Producer) (Producer, error) {
	sec, err := NewSecurity(p.Security)
	if err != nil {
		return Producer{}, err
	}
	// Java bounds a record's delivery by delivery.timeout.ms and retries
	// until then; kafka-go counts attempts: as many as failing requests fit
	// in the delivery timeout, fewer when retries says so.
	maxAttempts := 1 + int(p.DeliveryTimeout/max(p.RequestTimeout, time.Millisecond))
	return Producer{
		Acks:            Acks(p.Acks),
		Compression:     Compression(p.Compression),
		StickyBytes:     p.BatchBytes,
		MaxRequestSize:  int64(p.MaxRequestSize),
		RequestTimeout:  p.RequestTimeout,
		DeliveryTimeout: p.DeliveryTimeout,
		MaxAttempts:     max(1, min(p.Retries+1, maxAttempts)),
		RetryBackoff:    p.RetryBackoff,
		ClientID:        p.ClientID,
		MetadataTTL:     min(p.MetadataMaxAge, MaxMetadataTTL),
		IdleTimeout:     p.IdleTimeout,
		DialTimeout:     p.DialTimeout,
		Security:        sec,
	}, nil
}

// WriteBackoffMax is the Writer's WriteBackoffMax for RetryBackoff.
func (p Producer) WriteBackoffMax() time.Duration { return max(p.RetryBackoff, MinRetryBackoffMax) }

// String summarises the settings for a start-up log line.
func (p Producer) String() string {
	return fmt.Sprintf("acks=%d compression=%v attempts=%d request.timeout=%s delivery.timeout=%s security=%s",
		p.Acks, p.Compression, p.MaxAttempts, p.RequestTimeout, p.DeliveryTimeout, p.Security.Protocol)
}

// NewSecurity converts s.
func NewSecurity(s kafkaconf.Security) (Security, error) {
	out := Security{Protocol: s.Protocol, Mechanism: s.Mechanism, TLS: s.TLS}
	if s.SASL != nil {
		m, err := SASL(*s.SASL)
		if err != nil {
			return Security{}, err
		}
		out.SASL = m
	}
	return out, nil
}

// SASL returns kafka-go's mechanism for s.
func SASL(s kafkaconf.SASL) (sasl.Mechanism, error) {
	switch s.Mechanism {
	case kafkaconf.MechanismPlain:
		return plain.Mechanism{Username: s.Username, Password: s.Password}, nil
	case kafkaconf.MechanismScramSHA256, kafkaconf.MechanismScramSHA512:
		algo := scram.SHA256
		if s.Mechanism == kafkaconf.MechanismScramSHA512 {
			algo = scram.SHA512
		}
		m, err := scram.Mechanism(algo, s.Username, s.Password)
		if err != nil {
			return nil, fmt.Errorf("SCRAM: %w", err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("SASL mechanism %q is not supported", s.Mechanism)
}

// Acks returns kafka-go's RequiredAcks for a.
func Acks(a kafkaconf.Acks) kafkago.RequiredAcks {
	switch a {
	case kafkaconf.AcksNone:
		return kafkago.RequireNone
	case kafkaconf.AcksAll:
		return kafkago.RequireAll
	}
	return kafkago.RequireOne
}

// Compression returns kafka-go's codec for c (0: none).
func Compression(c kafkaconf.Compression) kafkago.Compression {
	switch c {
	case kafkaconf.CompressionGzip:
		return kafkago.Gzip
	case kafkaconf.CompressionSnappy:
		return kafkago.Snappy
	case kafkaconf.CompressionLz4:
		return kafkago.Lz4
	case kafkaconf.CompressionZstd:
		return kafkago.Zstd
	}
	return 0
}
