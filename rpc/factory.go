package rpc

import (
	"fmt"
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
// name is not supported (there is no Java class loading). Values Flume
// replaces by its default are logged as warnings (to slog's default logger,
// or the one WithLogger names).
func NewClient(props map[string]string, opts ...Option) (Client, error) {
	cfg := propsContext(props)
	c := ParseConfig(cfg)
	logWarnings(cfg, opts)
	if err := cfg.Err(); err != nil {
		return nil, fmt.Errorf("rpc client: %w", err)
	}
	return New(c)
}

// New returns the client c describes.
func New(c Config) (Client, error) {
	switch c.Type {
	case TypeFailover:
		return newFailoverClient(c)
	case TypeLoadBalance:
		return newLoadBalancingClient(c)
	}
	if len(c.Hosts) == 0 {
		return nil, fmt.Errorf("rpc client: no usable host (set hosts = h1 and hosts.h1 = host:port)")
	}
	return newHostClient(c, c.Hosts[0].Addr)
}
