package thriftrpc

import (
	"strconv"
	"strings"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/flumego/flume"
)

// Protocol is the Thrift protocol spoken inside the frames. Both ends must
// use the same one; Thrift has no negotiation.
type Protocol uint8

const (
	// Compact is TCompactProtocol, Flume's default.
	Compact Protocol = iota
	// Binary is TBinaryProtocol (strict writes, lenient reads, as Java's
	// and Python's defaults).
	Binary
)

// String returns "compact" or "binary".
func (p Protocol) String() string {
	if p == Binary {
		return "binary"
	}
	return "compact"
}

// ParseProtocolName returns the protocol named s ("compact" or "binary",
// any case).
func ParseProtocolName(s string) (Protocol, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "compact":
		return Compact, true
	case "binary":
		return Binary, true
	}
	return Compact, false
}

// ParseProtocol reads the "protocol" property of a thrift source (server
// true) or of a thrift sink or client (server false).
//
// Flume validates the value ignoring case but selects binary only for the
// exact lower-case "binary": "BINARY" silently speaks compact. flumego
// selects what the user wrote (binary for any case) and warns that Java
// Flume would differ. An unknown value is an error for a source (Flume
// refuses to configure it) and a warning plus compact for a client (Flume's
// client falls back to compact).
func ParseProtocol(cfg *flume.Context, server bool) Protocol {
	p, ok := cfg.Lookup("protocol")
	if !ok {
		return Compact
	}
	proto, known := ParseProtocolName(p.Value)
	switch {
	case !known && server:
		cfg.Errorf("protocol", "expected compact or binary")
	case !known:
		cfg.Warnf("protocol", "expected compact or binary; using compact, as Flume does")
	case proto == Binary && p.Value != "binary":
		cfg.Warnf("protocol", "flumego speaks binary, but Java Flume selects binary only for the exact lower-case value \"binary\" and would speak compact here; write \"binary\"")
	}
	return proto
}

// Status is the answer of the thrift source to append and appendBatch.
// Its ordinals differ from Avro's Status (which has no ERROR).
type Status int32

const (
	// OK means every event was committed to every required channel.
	OK Status = 0
	// FAILED means a channel refused the events (full, closed); the client
	// may send them again later.
	FAILED Status = 1
	// ERROR is defined by the IDL; Flume 1.11 never returns it.
	ERROR Status = 2
	// UNKNOWN is defined by the IDL; Flume 1.11 never returns it.
	UNKNOWN Status = 3
)

// String returns the IDL name of s ("OK", "FAILED", ...).
func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case FAILED:
		return "FAILED"
	case ERROR:
		return "ERROR"
	case UNKNOWN:
		return "UNKNOWN"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Method names of ThriftSourceProtocol.
const (
	MethodAppend      = "append"
	MethodAppendBatch = "appendBatch"
)

// newProtocol returns a protocol of kind p over t.
func newProtocol(p Protocol, t thrift.TTransport, conf *thrift.TConfiguration) thrift.TProtocol {
	if p == Binary {
		return thrift.NewTBinaryProtocolConf(t, conf)
	}
	return thrift.NewTCompactProtocolConf(t, conf)
}
