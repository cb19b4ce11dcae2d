package thriftrpc

import (
	"strconv"
	"strings"

	"github.com/apache/thrift/lib/go/thrift"
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

// Status is the answer of the thrift source to append and appendBatch.
// Its ordinals differ from Avro's Status (which has no ERROR); the names
// are spelt as avrorpc's.
type Status int32

const (
	// OK means every event was committed to every required channel.
	OK Status = 0
	// Failed (the IDL's FAILED) means a channel refused the events (full,
	// closed); the client may send them again later.
	Failed Status = 1
	// Error (ERROR) is defined by the IDL; Flume 1.11 never returns it.
	Error Status = 2
	// Unknown (UNKNOWN) is defined by the IDL; Flume 1.11 never returns
	// it.
	Unknown Status = 3
)

// String returns the IDL name of s ("OK", "FAILED", ...).
func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case Failed:
		return "FAILED"
	case Error:
		return "ERROR"
	case Unknown:
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
