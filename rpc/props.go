package rpc

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume"
)

// Flume's RpcClient property names (RpcClientConfigurationConstants).
const (
	PropClientType       = "client.type"
	PropHosts            = "hosts"
	PropHostsPrefix      = "hosts."
	PropBatchSize        = "batch-size"
	PropConnectTimeout   = "connect-timeout"
	PropRequestTimeout   = "request-timeout"
	PropMaxAttempts      = "max-attempts"
	PropHostSelector     = "host-selector"
	PropBackoff          = "backoff"
	PropMaxBackoff       = "maxBackoff"
	PropCompressionType  = "compression-type"
	PropCompressionLevel = "compression-level"
	PropMaxIoWorkers     = "maxIoWorkers"
	// PropHostClientType is a flumego addition: the client type the
	// failover and load-balancing clients use per host (default: Avro, as
	// Flume's; "thrift" for Thrift sources).
	PropHostClientType = "host-client-type"
)

// Flume's RpcClient defaults.
const (
	DefaultBatchSize        = 100
	DefaultConnectTimeout   = 20 * time.Second
	DefaultRequestTimeout   = 20 * time.Second
	DefaultCompressionLevel = 6
)

// Host is one entry of the "hosts" list: its reference name and address.
type Host struct {
	Name string // the name in "hosts", e.g. h1
	Addr string // host:port from "hosts.<name>"
}

// ParseHosts reads "hosts" (space-separated names) and "hosts.<name>"
// (host:port), as Flume's HostInfo.getHostInfoList: names without an
// address are skipped; a malformed address is an error.
func ParseHosts(props map[string]string) ([]Host, error) {
	var hosts []Host
	for _, name := range strings.Fields(props[PropHosts]) {
		v, ok := props[PropHostsPrefix+name]
		if !ok {
			continue
		}
		addr, err := parseHostPort(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("%s%s: %w", PropHostsPrefix, name, err)
		}
		hosts = append(hosts, Host{Name: name, Addr: addr})
	}
	return hosts, nil
}

func parseHostPort(v string) (string, error) {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return "", fmt.Errorf("invalid host address %q (expected host:port)", v)
	}
	p, err := flume.ParseJavaInt(port, 32)
	if err != nil || p < 0 || p > 65535 {
		return "", fmt.Errorf("invalid port number in %q", v)
	}
	return net.JoinHostPort(strings.TrimSpace(host), strconv.Itoa(int(p))), nil
}

// BatchSize reads "batch-size" as Flume's AbstractRpcClient.parseBatchSize:
// missing, unparsable or below 1 gives 100.
func BatchSize(props map[string]string) int {
	v, ok := props[PropBatchSize]
	if !ok || strings.TrimSpace(v) == "" {
		return DefaultBatchSize
	}
	n, err := flume.ParseJavaInt(v, 32)
	if err != nil || n < 1 {
		slog.Default().Warn("rpc client: invalid batch-size; using the default", "value", v, "default", DefaultBatchSize)
		return DefaultBatchSize
	}
	return int(n)
}

// timeoutProp reads a millisecond timeout as NettyAvroRpcClient does:
// values below 1000 ms or unparsable ones give the default.
func timeoutProp(props map[string]string, key string, def time.Duration) time.Duration {
	v, ok := props[key]
	if !ok || strings.TrimSpace(v) == "" {
		return def
	}
	n, err := flume.ParseJavaInt(v, 64)
	if err != nil || n < 1000 {
		slog.Default().Warn("rpc client: invalid or below 1000 ms; using the default", "key", key, "value", v, "default", def)
		return def
	}
	return time.Duration(n) * time.Millisecond
}

// intProp reads a Java int with a default for missing or bad values.
func intProp(props map[string]string, key string, def int) int {
	v, ok := props[key]
	if !ok || strings.TrimSpace(v) == "" {
		return def
	}
	n, err := flume.ParseJavaInt(v, 32)
	if err != nil {
		slog.Default().Warn("rpc client: not an integer; using the default", "key", key, "value", v, "default", def)
		return def
	}
	return int(n)
}

// boolProp reads a Java boolean: only "true" (any case) is true.
func boolProp(props map[string]string, key string) bool {
	return strings.EqualFold(strings.TrimSpace(props[key]), "true")
}
