package avro

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/rpc/avrorpc"
	"github.com/flumego/flume/source"
)

// Register adds the avro source to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSource("avro", Factory, "org.apache.flume.source.AvroSource")
}

// Config is the avro source's parsed configuration.
type Config struct {
	// Bind is the listen address, Port the listen port (0: any free port).
	Bind string
	Port int
	// Deflate is compression-type = deflate.
	Deflate bool
	// TLS is set when ssl = true.
	TLS *tls.Config
	// Accept, when set, decides per connection from the client address
	// (ipFilter and ipFilterRules).
	Accept func(remote net.Addr) bool
	// Limits are max-connections and request-read-timeout.
	Limits avrorpc.Limits
}

// ParseConfig reads the source's properties (see the package
// documentation). Problems are recorded in cfg.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{Bind: cfg.Required("bind"), Port: cfg.Port("port")}
	cfg.Need(flume.NeedListenHost, "bind", c.Bind)
	if cfg.Has("threads") {
		if _, err := flume.ParseJavaInt(cfg.String("threads", ""), 32); err != nil {
			cfg.Warnf("threads", "the avro source's threads property must be an integer (it is ignored anyway, as in Flume 1.11)")
		}
	}
	switch ct := strings.ToLower(cfg.String("compression-type", "none")); ct {
	case "deflate":
		c.Deflate = true
	case "none":
	default:
		cfg.Warnf("compression-type", "unknown compression type; no compression is used, as Flume does (expected none or deflate)")
	}
	c.TLS = tlsconf.Server(cfg, tlsconf.ServerKeys, tlsconf.SystemGlobal())
	if cfg.Bool("ipFilter", false) {
		spec := strings.TrimSpace(cfg.String("ipFilterRules", ""))
		if spec == "" {
			cfg.Errorf("ipFilterRules", "ipFilter is true but ipFilterRules is not set")
		} else if rules, err := parseIPFilterRules(spec); err != nil {
			cfg.Errorf("ipFilterRules", "%v", err)
		} else {
			c.Accept = (&ipFilter{rules: rules, resolve: net.DefaultResolver.LookupAddr}).accept
		}
	} else {
		cfg.MarkUsed("ipFilterRules")
	}
	c.Limits = netserver.ParseLimits(cfg)
	return c
}

// Factory builds an avro source from its properties (see the package
// documentation).
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, out), nil
}

// Source is the avro source: an Avro RPC server (rpc/avrorpc) whose calls
// go through the accept step network sources share (source.Acceptor) and
// whose lifecycle is a source.Endpoint.
type Source struct {
	*source.Endpoint
	name    string
	acc     *source.Acceptor
	counter source.ServerCounter
}

var _ flume.Source = (*Source)(nil)

// New returns a stopped source that hands its events to out, and
// publishes its counters.
func New(set flume.Settings, cfg Config, out flume.ChannelProcessor) *Source {
	s := &Source{name: set.Name}
	log := set.Log()
	s.acc = source.NewAcceptor(log, out, &s.counter)
	srvCfg := avrorpc.ServerConfig{
		TLS:     cfg.TLS,
		Deflate: cfg.Deflate,
		Accept:  cfg.Accept,
		Limits:  cfg.Limits,
		Hooks:   s.acc.Hooks(),
		Logger:  log,
	}
	s.Endpoint = source.NewEndpoint("avro source", set, net.JoinHostPort(cfg.Bind, strconv.Itoa(cfg.Port)), &s.counter,
		func() source.Server { return avrorpc.NewServer(srvCfg, s.handle) },
		append([]any{"compression", map[bool]string{true: "deflate", false: "none"}[cfg.Deflate], "ssl", cfg.TLS != nil},
			cfg.Limits.LogAttrs()...)...)
	set.Publish(&s.counter)
	return s
}

// handle commits one call's events and answers for them: OK, FAILED when
// a channel refused them, an Avro error otherwise.
func (s *Source) handle(ctx context.Context, batch bool, events []flume.Event) (avrorpc.Status, error) {
	call := source.Append
	if batch {
		call = source.AppendBatch
	}
	switch out, err := s.acc.Accept(ctx, call, events); out {
	case source.OK:
		return avrorpc.OK, nil
	case source.Failed:
		return avrorpc.Failed, nil
	default:
		return avrorpc.Unknown, fmt.Errorf("avro source %q: %w", s.name, err)
	}
}
