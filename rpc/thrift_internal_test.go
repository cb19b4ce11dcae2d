package rpc

import "testing"

// The failover and load-balancing clients build their per-host clients
// with newHostClient; host-client-type = thrift must give a ThriftClient
// configured from the same properties.
func TestHostClientTypeThrift(t *testing.T) {
	c, err := newHostClient("thrift", "127.0.0.1:4141", map[string]string{"batch-size": "7", "protocol": "binary"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc, ok := c.(*ThriftClient)
	if !ok || tc.BatchSize() != 7 || tc.cfg.Protocol.String() != "binary" {
		t.Fatalf("host client %T %+v", c, c)
	}
}
