package rpc

import (
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/rpc/thriftrpc"
)

// Flume's thrift property names besides the RpcClient ones.
const (
	// PropProtocol is the Thrift protocol of the thrift source, sink and
	// client: compact (default) or binary.
	PropProtocol = "protocol"
	// PropMaxFrameSize is the largest Thrift frame, in bytes (a flumego
	// addition; default thriftrpc.DefaultMaxFrameSize, Java Thrift's limit).
	PropMaxFrameSize = "max-frame-size"
	// PropKerberos turns on Flume's SASL/GSSAPI transport, which flumego
	// does not implement.
	PropKerberos = "kerberos"
)

// ParseThriftClient reads the client properties Flume's ThriftRpcClient and
// thrift sink read: batch-size (< 1 → 100 with a warning), connect-timeout
// and request-timeout (ms; < 1000 → 20000 with a warning), protocol, ssl
// and the truststore, protocol and cipher keys (internal/tlsconf), and the
// Kerberos keys (kerberos = true is refused as unsupported). flumego adds
// max-frame-size. Problems are recorded in cfg, located at their keys.
func ParseThriftClient(cfg *flume.Context) thriftrpc.ClientConfig {
	c := thriftrpc.ClientConfig{
		BatchSize:      parseBatchSize(cfg),
		ConnectTimeout: millisAtLeast1s(cfg, PropConnectTimeout, DefaultConnectTimeout),
		RequestTimeout: millisAtLeast1s(cfg, PropRequestTimeout, DefaultRequestTimeout),
		Protocol:       ParseThriftProtocol(cfg, false),
		MaxFrameSize:   ParseMaxFrameSize(cfg),
		TLS:            tlsconf.Client(cfg, tlsconf.ClientKeys, tlsconf.SystemGlobal()),
	}
	CheckKerberos(cfg, "client-principal", "client-keytab", "server-principal")
	return c
}

// ParseThriftProtocol reads the protocol property of a thrift source
// (server true) or of a thrift sink or client (server false).
//
// Flume validates the value ignoring case but selects binary only for the
// exact lower-case "binary": "BINARY" silently speaks compact. flumego
// selects what the user wrote (binary for any case) and warns that Java
// Flume would differ. An unknown value is an error for a source (Flume
// refuses to configure it) and a warning plus compact for a client (Flume's
// client falls back to compact).
func ParseThriftProtocol(cfg *flume.Context, server bool) thriftrpc.Protocol {
	p, ok := cfg.Lookup(PropProtocol)
	if !ok {
		return thriftrpc.Compact
	}
	proto, known := thriftrpc.ParseProtocolName(p.Value)
	switch {
	case !known && server:
		cfg.Errorf(PropProtocol, "expected compact or binary")
	case !known:
		cfg.Warnf(PropProtocol, "expected compact or binary; using compact, as Flume does")
	case proto == thriftrpc.Binary && p.Value != "binary":
		cfg.Warnf(PropProtocol, "flumego speaks binary, but Java Flume selects binary only for the exact lower-case value \"binary\" and would speak compact here; write \"binary\"")
	}
	return proto
}

// ParseMaxFrameSize reads max-frame-size (bytes, at least 1024; default
// thriftrpc.DefaultMaxFrameSize).
func ParseMaxFrameSize(cfg *flume.Context) int {
	return cfg.IntAtLeast(PropMaxFrameSize, thriftrpc.DefaultMaxFrameSize, 1024)
}

// CheckKerberos reads the kerberos switch of Flume's RPC sources and
// clients and its companion keys (agent-principal and agent-keytab for a
// source; client-principal, client-keytab and server-principal for a
// client). Flume's SASL/GSSAPI transport is not implemented: kerberos =
// true is recorded with cfg.Unsupportedf, so the configuration error
// matches flume.ErrUnsupported; companion keys set without it draw a
// warning (they have no effect).
func CheckKerberos(cfg *flume.Context, companions ...string) {
	if cfg.Bool(PropKerberos, false) {
		cfg.Unsupportedf(PropKerberos, "Kerberos (SASL/GSSAPI) authentication; set kerberos = false, and ssl = true to secure the connection")
		cfg.MarkUsed(companions...)
		return
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
}
