package rpc

import (
	"context"
	"errors"

	"github.com/flumego/flume"
)

// Client sends events to a Flume source. A Client is safe for concurrent
// use unless its documentation says otherwise.
type Client interface {
	// Append sends one event and waits for the server's answer.
	Append(ctx context.Context, e flume.Event) error
	// AppendBatch sends events, split into calls of at most BatchSize
	// events, and waits for every answer. On error some leading calls may
	// have succeeded; resending the whole slice is safe (at-least-once).
	AppendBatch(ctx context.Context, events []flume.Event) error
	// BatchSize is the largest number of events sent in one call.
	BatchSize() int
	// Close releases the connections; the client refuses calls afterwards.
	Close() error
}

// StatusError is returned when the server answered a call with a status
// other than OK (FAILED, ERROR or UNKNOWN). The events were not accepted
// and may be sent again.
type StatusError struct {
	Status string
}

// Error says which status the server answered.
func (e *StatusError) Error() string { return "server answered " + e.Status }

// ErrClientClosed is returned by calls on a closed client.
var ErrClientClosed = errors.New("rpc client closed")

// newHostClient returns the single-host client of type c.HostType for
// addr. The failover and load-balancing clients build one per host with it.
func newHostClient(c Config, addr string) (Client, error) {
	if c.HostType == TypeThrift {
		return NewThriftClientConfig(addr, c.Thrift, c.ThriftConnections)
	}
	return newAvroClient(addr, c.Avro, c.BatchSize)
}
