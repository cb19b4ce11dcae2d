package rpc

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/rpc/avrorpc"
	"github.com/flumego/flume/rpc/thriftrpc"
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

// The client types of client.type (and of host-client-type, which takes
// the first two).
const (
	TypeDefault     = "default" // Avro, Flume's NettyAvroRpcClient
	TypeThrift      = "thrift"
	TypeFailover    = "default_failover"
	TypeLoadBalance = "default_loadbalance"
)

// Host is one entry of the "hosts" list: its reference name and address.
type Host struct {
	Name string // the name in "hosts", e.g. h1
	Addr string // host:port from "hosts.<name>"
}

// Config is a parsed RpcClient configuration, what New builds a client
// from. ParseConfig fills it from Flume's properties.
type Config struct {
	// Type is client.type: TypeDefault, TypeThrift, TypeFailover or
	// TypeLoadBalance.
	Type string
	// Hosts is the "hosts" list with the addresses of "hosts.<name>".
	Hosts []Host
	// HostType is the type of the single-host clients: Type itself for
	// default and thrift, host-client-type for failover and load balancing.
	HostType string
	// BatchSize is the largest number of events sent in one call.
	BatchSize int
	// Avro configures the connections of Avro clients.
	Avro avrorpc.ClientConfig
	// Thrift configures the connections of Thrift clients, and
	// ThriftConnections is the size of their pool (maxConnections).
	Thrift            thriftrpc.ClientConfig
	ThriftConnections int
	// MaxAttempts is the failover client's tries per call (max-attempts;
	// 0: the number of hosts).
	MaxAttempts int
	// RandomHosts (host-selector = random), Backoff and MaxBackoff (0: 30
	// s) configure the load-balancing client.
	RandomHosts bool
	Backoff     bool
	MaxBackoff  time.Duration
}

// ParseConfig reads Flume's RpcClient properties (see NewClient) from cfg.
// Problems are recorded in cfg, located at their keys: errors for what
// makes a client impossible, warnings for values Flume replaces by its
// default; cfg.Err() matches flume.ErrUnsupported (through the Problems)
// when a Flume feature flumego lacks (Kerberos, a custom class) was asked
// for. Hosts may be empty: New refuses that, and the avro sink fills in its
// hostname and port.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{Type: TypeDefault, HostType: TypeDefault}
	switch t := strings.ToLower(cfg.String(PropClientType, TypeDefault)); t {
	case "", TypeDefault:
	case TypeThrift, TypeFailover, TypeLoadBalance:
		c.Type = t
	default:
		cfg.Errorf(PropClientType, "unknown client.type (expected default, default_failover, default_loadbalance or thrift)")
	}
	c.Hosts = parseHosts(cfg)
	switch c.Type {
	case TypeThrift:
		c.HostType = TypeThrift
		cfg.MarkUsed(PropHostClientType)
	case TypeFailover, TypeLoadBalance:
		switch t := strings.ToLower(cfg.String(PropHostClientType, TypeDefault)); t {
		case "", TypeDefault, "avro":
		case TypeThrift:
			c.HostType = TypeThrift
		default:
			cfg.Errorf(PropHostClientType, "unknown client type (expected default or thrift)")
		}
	default:
		cfg.MarkUsed(PropHostClientType)
	}
	if c.HostType == TypeThrift {
		c.Thrift = ParseThriftClient(cfg)
		c.BatchSize = c.Thrift.BatchSize
		c.ThriftConnections = parseMaxConnections(cfg)
	} else {
		c.Avro, c.BatchSize = parseAvro(cfg)
	}

	cfg.MarkUsed(PropMaxAttempts, PropHostSelector, PropBackoff, PropMaxBackoff)
	switch c.Type {
	case TypeFailover:
		if p, ok := cfg.Lookup(PropMaxAttempts); ok {
			if n, err := flume.ParseJavaInt(p.Value, 32); err == nil && n > 0 {
				c.MaxAttempts = int(n)
			} else {
				cfg.Warnf(PropMaxAttempts, "expected a positive integer; the number of hosts is used")
			}
		}
	case TypeLoadBalance:
		switch sel := strings.ToLower(cfg.String(PropHostSelector, "round_robin")); sel {
		case "round_robin":
		case "random":
			c.RandomHosts = true
		default:
			cfg.Unsupportedf(PropHostSelector, "custom selector classes cannot be loaded (use round_robin or random)")
		}
		c.Backoff = cfg.Bool(PropBackoff, false)
		c.MaxBackoff = cfg.MillisAtLeast(PropMaxBackoff, 0, 0)
	}
	return c
}

// parseAvro reads the settings of Flume's NettyAvroRpcClient and the batch
// size.
func parseAvro(cfg *flume.Context) (avrorpc.ClientConfig, int) {
	c := avrorpc.ClientConfig{
		ConnectTimeout: millisAtLeast1s(cfg, PropConnectTimeout, DefaultConnectTimeout),
		RequestTimeout: millisAtLeast1s(cfg, PropRequestTimeout, DefaultRequestTimeout),
	}
	batch := parseBatchSize(cfg)
	switch strings.ToLower(cfg.String(PropCompressionType, "none")) {
	case "deflate":
		c.Deflate = true
		c.DeflateLevel = cfg.IntOrDefault(PropCompressionLevel, DefaultCompressionLevel, nil, "")
		if c.DeflateLevel < 0 || c.DeflateLevel > 9 {
			cfg.Errorf(PropCompressionLevel, "expected a zlib level from 0 to 9")
		}
	case "none":
		cfg.MarkUsed(PropCompressionLevel)
	default:
		cfg.Warnf(PropCompressionType, "unknown compression type; no compression is used, as Flume does (expected none or deflate)")
		cfg.MarkUsed(PropCompressionLevel)
	}
	if cfg.Has(PropMaxIoWorkers) {
		cfg.MarkUsed(PropMaxIoWorkers)
		cfg.Warnf(PropMaxIoWorkers, "no longer supported; ignored, as in Flume 1.11")
	}
	CheckKerberos(cfg, "client-principal", "client-keytab", "server-principal")
	c.TLS = tlsconf.Client(cfg, tlsconf.ClientKeys, tlsconf.SystemGlobal())
	return c, batch
}

// parseBatchSize reads batch-size as Flume's AbstractRpcClient: missing,
// unparsable or below 1 gives 100 (with a warning).
func parseBatchSize(cfg *flume.Context) int {
	return cfg.LenientIntAtLeast(PropBatchSize, DefaultBatchSize, 1)
}

// parseMaxConnections reads the thrift client's maxConnections (< 1 → 5
// with a warning).
func parseMaxConnections(cfg *flume.Context) int {
	return cfg.LenientIntAtLeast("maxConnections", DefaultThriftMaxConnections, 1)
}

// millisAtLeast1s reads a timeout in milliseconds that Flume replaces by
// its default below one second.
func millisAtLeast1s(cfg *flume.Context, key string, def time.Duration) time.Duration {
	return time.Duration(cfg.LenientIntAtLeast(key, int(def/time.Millisecond), 1000)) * time.Millisecond
}

// parseHosts reads "hosts" (space-separated names) and "hosts.<name>"
// (host:port), as Flume's HostInfo.getHostInfoList: names without an
// address are skipped; a malformed address is an error.
func parseHosts(cfg *flume.Context) []Host {
	cfg.MarkPrefixUsed(PropHostsPrefix) // addresses of hosts not listed are ignored, as in Flume
	var hosts []Host
	for _, name := range cfg.Fields(PropHosts) {
		p, ok := cfg.Lookup(PropHostsPrefix + name)
		if !ok {
			continue
		}
		addr, err := parseHostPort(p.Value)
		if err != nil {
			cfg.Errorf(PropHostsPrefix+name, "%v", err)
			continue
		}
		hosts = append(hosts, Host{Name: name, Addr: addr})
	}
	return hosts
}

func parseHostPort(v string) (string, error) {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return "", fmt.Errorf("invalid host address (expected host:port)")
	}
	p, err := flume.ParseJavaInt(port, 32)
	if err != nil || p < 0 || p > 65535 {
		return "", fmt.Errorf("invalid port number (expected an integer from 0 to 65535)")
	}
	return net.JoinHostPort(strings.TrimSpace(host), strconv.Itoa(int(p))), nil
}

// propsContext returns a context over RpcClient properties given as a map.
// Empty values are left out, as a properties file leaves them out.
func propsContext(props map[string]string) *flume.Context {
	m := make(map[string]string, len(props))
	for k, v := range props {
		if strings.TrimSpace(v) != "" {
			m[k] = v
		}
	}
	return flume.ContextFromMap(m)
}

// Option changes how NewClient, NewAvroClient and NewThriftClient build a
// client.
type Option func(*options)

type options struct {
	log *slog.Logger
}

// WithLogger sends the warnings about the properties (values Flume
// replaces by its default) to log instead of slog's default logger.
func WithLogger(log *slog.Logger) Option {
	return func(o *options) { o.log = log }
}

// logWarnings logs the warnings recorded while reading a map of
// properties, which have no file to be reported against, to the logger
// opts name (slog's default logger without one).
func logWarnings(cfg *flume.Context, opts []Option) {
	o := options{log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	for _, p := range cfg.Problems() {
		if p.Severity == flume.Warning {
			o.log.Warn("rpc client: " + p.Error())
		}
	}
}
