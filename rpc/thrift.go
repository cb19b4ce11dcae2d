package rpc

import "fmt"

// NewThriftClient returns a client for the thrift source at hostAndPort.
// Placeholder until the Thrift client lands (issue 5).
func NewThriftClient(hostAndPort string, props map[string]string) (Client, error) {
	return nil, fmt.Errorf("thrift rpc client: not implemented yet")
}
