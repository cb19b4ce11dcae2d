package rpc

import (
	"fmt"
	"strings"
)

// NewClient builds a client from Flume's RpcClient properties, as Flume's
// RpcClientFactory.getInstance:
//
//	client.type = default | default_failover | default_loadbalance | thrift
//	hosts = h1 h2 ...            hosts.h1 = host:port
//	batch-size (100), connect-timeout (20000 ms), request-timeout (20000 ms)
//	compression-type (none | deflate), compression-level (6)
//	ssl, trust-all-certs, truststore, truststore-password, truststore-type
//	max-attempts (failover; default: the number of hosts)
//	host-selector (round_robin | random), backoff, maxBackoff (load balancing)
//
// default and thrift use the first host; default_failover and
// default_loadbalance build one client per host with the type named by
// host-client-type (default Avro). A custom client or host-selector class
// name is not supported (there is no Java class loading).
func NewClient(props map[string]string) (Client, error) {
	typ := strings.ToLower(strings.TrimSpace(props[PropClientType]))
	switch typ {
	case "", "default", "thrift":
		hosts, err := ParseHosts(props)
		if err != nil {
			return nil, err
		}
		if len(hosts) == 0 {
			return nil, fmt.Errorf("rpc client: no usable host in %q (set hosts = h1 and hosts.h1 = host:port)", props[PropHosts])
		}
		return newHostClient(typ, hosts[0].Addr, props)
	case "default_failover":
		return newFailoverClient(props)
	case "default_loadbalance":
		return newLoadBalancingClient(props)
	}
	return nil, fmt.Errorf("rpc client: unknown client.type %q (expected default, default_failover, default_loadbalance or thrift)", props[PropClientType])
}
