package thriftrpc

import (
	"crypto/tls"
	"time"
)

// defaultTimeout bounds a connect or a call when the configuration leaves
// the timeout zero.
const defaultTimeout = 20 * time.Second

// ClientConfig configures a client connection (the thrift sink, the SDK's
// thrift client). Package rpc reads it from Flume's properties
// (rpc.ParseThriftClient); the zero value speaks compact with 20 s
// timeouts.
type ClientConfig struct {
	// Protocol must match the source's.
	Protocol Protocol
	// BatchSize is the largest number of events its users put in one
	// appendBatch (a Conn sends the batches it is given).
	BatchSize int
	// ConnectTimeout bounds the TCP connect and the TLS handshake. (Flume's
	// thrift client ignores connect-timeout and waits for the OS; flumego
	// applies it.) 20 s when ≤ 0.
	ConnectTimeout time.Duration
	// RequestTimeout bounds each call, from sending to the reply. 20 s
	// when ≤ 0.
	RequestTimeout time.Duration
	// TLS, when set, makes the client speak TLS.
	TLS *tls.Config
	// MaxFrameSize is the largest request the client sends: a batch that
	// encodes to more is refused locally with a clear error rather than
	// cut off by the server. DefaultMaxFrameSize when ≤ 0.
	MaxFrameSize int
}
