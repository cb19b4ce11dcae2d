package thriftrpc

import (
	"crypto/tls"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf"
)

// Defaults of Flume's RPC clients.
const (
	DefaultBatchSize      = 100
	DefaultConnectTimeout = 20 * time.Second
	DefaultRequestTimeout = 20 * time.Second
)

// ClientConfig configures a client connection (the thrift sink, the SDK's
// thrift client).
type ClientConfig struct {
	// Protocol must match the source's.
	Protocol Protocol
	// BatchSize is the largest number of events per appendBatch.
	BatchSize int
	// ConnectTimeout bounds the TCP connect and the TLS handshake. (Flume's
	// thrift client ignores connect-timeout and waits for the OS; flumego
	// applies it.)
	ConnectTimeout time.Duration
	// RequestTimeout bounds each call, from sending to the reply.
	RequestTimeout time.Duration
	// TLS, when set, makes the client speak TLS.
	TLS *tls.Config
	// MaxFrameSize is the largest request the client sends: a batch that
	// encodes to more is refused locally with a clear error rather than
	// cut off by the server. DefaultMaxFrameSize when ≤ 0.
	MaxFrameSize int
}

// DefaultClientConfig returns Flume's defaults.
func DefaultClientConfig() ClientConfig {
	return ClientConfig{
		Protocol:       Compact,
		BatchSize:      DefaultBatchSize,
		ConnectTimeout: DefaultConnectTimeout,
		RequestTimeout: DefaultRequestTimeout,
		MaxFrameSize:   DefaultMaxFrameSize,
	}
}

// ParseClientConfig reads the client properties Flume's ThriftRpcClient and
// thrift sink read: batch-size (< 1 → 100 with a warning), connect-timeout
// and request-timeout (ms; < 1000 → 20000 with a warning), protocol, ssl
// and the truststore / protocol / cipher keys (internal/tlsconf), and the
// Kerberos keys (kerberos = true is refused: not supported). flumego adds
// max-frame-size. Problems are recorded in cfg; the second result reports
// that a Flume feature flumego does not support was asked for (see
// ConfigError).
func ParseClientConfig(cfg *flume.Context) (ClientConfig, bool) {
	c := DefaultClientConfig()
	c.BatchSize = cfg.IntOrDefault("batch-size", DefaultBatchSize, func(v int) bool { return v >= 1 }, "must be at least 1")
	c.ConnectTimeout = millisAtLeast1s(cfg, "connect-timeout", DefaultConnectTimeout)
	c.RequestTimeout = millisAtLeast1s(cfg, "request-timeout", DefaultRequestTimeout)
	c.Protocol = ParseProtocol(cfg, false)
	c.MaxFrameSize = ParseMaxFrameSize(cfg)
	c.TLS = tlsconf.Client(cfg, tlsconf.ClientKeys, tlsconf.SystemGlobal())
	unsupported := CheckKerberos(cfg, "client-principal", "client-keytab", "server-principal")
	return c, unsupported
}

// millisAtLeast1s reads a timeout in ms that Flume replaces by its default
// below one second.
func millisAtLeast1s(cfg *flume.Context, key string, def time.Duration) time.Duration {
	ms := cfg.IntOrDefault(key, int(def/time.Millisecond), func(v int) bool { return v >= 1000 }, "must be at least 1000 ms")
	return time.Duration(ms) * time.Millisecond
}

// ParseMaxFrameSize reads max-frame-size (bytes, a flumego addition;
// default DefaultMaxFrameSize, Java Thrift's limit).
func ParseMaxFrameSize(cfg *flume.Context) int {
	v := cfg.Int("max-frame-size", DefaultMaxFrameSize)
	if v < 1024 {
		cfg.Errorf("max-frame-size", "must be at least 1024 bytes")
		return DefaultMaxFrameSize
	}
	return v
}

// CheckKerberos reads the kerberos switch and its companion keys. Flume's
// SASL/GSSAPI transport is not implemented: kerberos = true is recorded as
// an error and true is returned; companion keys set without it get a
// warning (they have no effect in flumego).
func CheckKerberos(cfg *flume.Context, companions ...string) bool {
	on := cfg.Bool("kerberos", false)
	if on {
		cfg.Errorf("kerberos", "Kerberos (SASL/GSSAPI transport) is not supported by flumego; turn it off (ssl = true secures the connection)")
		cfg.MarkUsed(companions...)
		return true
	}
	var set []string
	for _, k := range companions {
		if cfg.Has(k) {
			set = append(set, k)
			cfg.MarkUsed(k)
		}
	}
	if len(set) > 0 {
		cfg.Warnf(set[0], "%s ignored: Kerberos is off (and not supported by flumego)", strings.Join(set, ", "))
	}
	return false
}

// ConfigError returns the errors recorded in cfg, nil when there are none.
// When unsupported is set the error also matches flume.ErrUnsupported, so
// callers can tell "not supported" from a typo.
func ConfigError(cfg *flume.Context, unsupported bool) error {
	err := cfg.Err()
	if err == nil || !unsupported {
		return err
	}
	return &unsupportedError{err}
}

type unsupportedError struct{ problems error }

func (e *unsupportedError) Error() string   { return e.problems.Error() }
func (e *unsupportedError) Unwrap() []error { return []error{e.problems, flume.ErrUnsupported} }
