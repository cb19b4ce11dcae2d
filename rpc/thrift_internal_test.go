package rpc

import (
	"testing"

	"github.com/flumego/flume"
)

// The failover and load-balancing clients build their per-host clients
// with newHostClient; host-client-type = thrift must give a ThriftClient
// configured from the same properties.
func TestHostClientTypeThrift(t *testing.T) {
	props := flume.ContextFromMap(map[string]string{"client.type": "default_failover", "host-client-type": "thrift",
		"hosts": "h1", "hosts.h1": "127.0.0.1:4141", "batch-size": "7", "protocol": "binary"})
	cfg := ParseConfig(props)
	if err := props.Err(); err != nil {
		t.Fatal(err)
	}
	c, err := newHostClient(cfg, "127.0.0.1:4141")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc, ok := c.(*ThriftClient)
	if !ok || tc.BatchSize() != 7 || tc.cfg.Protocol.String() != "binary" {
		t.Fatalf("host client %T %+v", c, c)
	}
}
