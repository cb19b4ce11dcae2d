package rpc

import "fmt"

// NewAvroClient returns a client for the avro source at hostAndPort.
// Placeholder until the Avro client lands (issue 4).
func NewAvroClient(hostAndPort string, props map[string]string) (Client, error) {
	return nil, fmt.Errorf("avro rpc client: not implemented yet")
}
