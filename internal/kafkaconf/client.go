package kafkaconf

import (
	"time"

	"github.com/flumego/flume"
)

// Client holds the settings every Kafka client has, producer or consumer,
// independent of the client library.
type Client struct {
	// ClientID is client.id ("" when unset: the component picks one).
	ClientID string
	// Security is security.protocol with its TLS and SASL settings.
	Security Security
	// RequestTimeout is request.timeout.ms: the longest wait for a
	// broker's answer.
	RequestTimeout time.Duration
	// RetryBackoff is retry.backoff.ms: the pause before a retry.
	RetryBackoff time.Duration
	// MetadataMaxAge is metadata.max.age.ms: how often cluster metadata
	// is refreshed at the latest.
	MetadataMaxAge time.Duration
	// IdleTimeout is connections.max.idle.ms.
	IdleTimeout time.Duration
	// DialTimeout is socket.connection.setup.timeout.ms.
	DialTimeout time.Duration
}

// Kafka 2.7's defaults of the common client settings.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryBackoff   = 100 * time.Millisecond
	DefaultMetadataMaxAge = 300 * time.Second
	DefaultIdleTimeout    = 540 * time.Second
	DefaultDialTimeout    = 10 * time.Second
)

// clientMapped are the keys parseClient reads, for the tables.
var clientMapped = map[string]string{
	"client.id":                          "the client id sent to the brokers",
	"request.timeout.ms":                 "the longest wait for a broker's answer",
	"retry.backoff.ms":                   "the pause before a retry",
	"metadata.max.age.ms":                "the metadata refresh interval",
	"connections.max.idle.ms":            "when idle connections close",
	"socket.connection.setup.timeout.ms": "the connect timeout",
	"bootstrap.servers":                  "ignored with a warning: kafka.bootstrap.servers sets the brokers",
}

// parseClient reads the common client settings from p (the keys under
// kafka.producer. or kafka.consumer.).
func parseClient(p *flume.Context, g Globals) Client {
	c := Client{
		ClientID:       p.String("client.id", ""),
		RequestTimeout: p.MillisAtLeast("request.timeout.ms", DefaultRequestTimeout, time.Millisecond),
		RetryBackoff:   p.MillisAtLeast("retry.backoff.ms", DefaultRetryBackoff, 0),
		MetadataMaxAge: p.MillisAtLeast("metadata.max.age.ms", DefaultMetadataMaxAge, time.Millisecond),
		IdleTimeout:    p.MillisAtLeast("connections.max.idle.ms", DefaultIdleTimeout, time.Millisecond),
		DialTimeout:    p.MillisAtLeast("socket.connection.setup.timeout.ms", DefaultDialTimeout, time.Millisecond),
	}
	if p.Has("bootstrap.servers") {
		p.MarkUsed("bootstrap.servers")
		p.Warnf("bootstrap.servers", "ignored: the brokers are set by %s, as in Flume", KeyBootstrap)
	}
	c.Security = ParseSecurity(p, g)
	return c
}

// javaClass accepts only the Java class Flume configures by default for
// key: any other class cannot be loaded.
func javaClass(p *flume.Context, key, want string) {
	if v := p.String(key, want); v != want {
		p.Unsupportedf(key, "Java class %q cannot be loaded (only %s)", v, want)
	}
}
