package thrift

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/rpc/thriftrpc"
	"github.com/flumego/flume/source"
)

// Config is the thrift source's parsed configuration.
type Config struct {
	// Bind is the listen address, Port the listen port (0: any free port).
	Bind string
	Port int
	// Threads bounds the calls processed at once; ≤ 0 is unbounded.
	Threads int
	// Protocol is compact (default) or binary.
	Protocol thriftrpc.Protocol
	// MaxFrameSize is the largest request accepted, in bytes.
	MaxFrameSize int
	// TLS is set when ssl = true.
	TLS *tls.Config
	// Limits are max-connections and request-read-timeout.
	Limits thriftrpc.Limits
}

// ParseConfig reads the source's properties. Problems are recorded in cfg;
// cfg.Err() matches flume.ErrUnsupported when Kerberos was asked for.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{
		Bind: cfg.Required("bind"),
		Port: cfg.Port("port"),
		// Flume warns about a threads value that does not parse and keeps
		// the default.
		Threads:      cfg.IntOrDefault("threads", 0, nil, ""),
		Protocol:     rpc.ParseThriftProtocol(cfg, true),
		MaxFrameSize: rpc.ParseMaxFrameSize(cfg),
		TLS:          tlsconf.Server(cfg, tlsconf.ServerKeys, tlsconf.SystemGlobal()),
		Limits:       netserver.ParseLimits(cfg),
	}
	cfg.Need(flume.NeedListenHost, "bind", c.Bind)
	rpc.CheckKerberos(cfg, "agent-principal", "agent-keytab")
	return c
}

// Source is the thrift source: a Thrift server (rpc/thriftrpc) whose calls
// go through the accept step network sources share (source.Acceptor) and
// whose lifecycle is a source.Endpoint.
type Source struct {
	*source.Endpoint
	name    string
	acc     *source.Acceptor
	counter source.ServerCounter
}

var _ flume.Source = (*Source)(nil)

// Factory builds a thrift source from its properties.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, out), nil
}

// New returns a stopped source that hands its events to out, and
// publishes its counters.
func New(set flume.Settings, cfg Config, out flume.ChannelProcessor) *Source {
	s := &Source{name: set.Name}
	log := set.Log()
	s.acc = source.NewAcceptor(log, out, &s.counter)
	srvCfg := thriftrpc.ServerConfig{
		Protocol:     cfg.Protocol,
		MaxFrameSize: cfg.MaxFrameSize,
		Workers:      cfg.Threads,
		Limits:       cfg.Limits,
		TLS:          cfg.TLS,
		Logger:       log,
		Hooks:        s.acc.Hooks(),
	}
	s.Endpoint = source.NewEndpoint("thrift source", set, net.JoinHostPort(cfg.Bind, strconv.Itoa(cfg.Port)), &s.counter,
		func() source.Server { return thriftrpc.NewServer(srvCfg, s.handle) },
		append([]any{"protocol", cfg.Protocol.String(), "ssl", cfg.TLS != nil, "threads", cfg.Threads}, cfg.Limits.LogAttrs()...)...)
	set.Publish(&s.counter)
	return s
}

// Register adds the thrift source to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSource("thrift", Factory, "org.apache.flume.source.ThriftSource")
}

// handle commits one call's events and answers for them: OK, FAILED when a
// channel refused them, an INTERNAL_ERROR exception otherwise.
func (s *Source) handle(ctx context.Context, call *thriftrpc.Call) (thriftrpc.Status, error) {
	kind := source.Append
	if call.Method == thriftrpc.MethodAppendBatch {
		kind = source.AppendBatch
	}
	switch out, err := s.acc.Accept(ctx, kind, call.Events); out {
	case source.OK:
		return thriftrpc.OK, nil
	case source.Failed:
		return thriftrpc.Failed, nil
	default:
		return thriftrpc.Unknown, fmt.Errorf("thrift source %q: %w", s.name, err)
	}
}
