package thrift

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/rpc/thriftrpc"
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
}

// ParseConfig reads the source's properties. Problems are recorded in cfg;
// the error is non-nil when the source cannot be built, and matches
// flume.ErrUnsupported when Kerberos was asked for.
func ParseConfig(cfg *flume.Context) (Config, error) {
	c := Config{
		Bind: cfg.Required("bind"),
		Port: cfg.Port("port"),
		// Flume warns about a threads value that does not parse and keeps
		// the default.
		Threads:      cfg.IntOrDefault("threads", 0, nil, ""),
		Protocol:     rpc.ParseThriftProtocol(cfg, true),
		MaxFrameSize: rpc.ParseMaxFrameSize(cfg),
		TLS:          tlsconf.Server(cfg, tlsconf.ServerKeys, tlsconf.SystemGlobal()),
	}
	rpc.CheckKerberos(cfg, "agent-principal", "agent-keytab")
	return c, cfg.Err()
}

// Source is the thrift source.
type Source struct {
	name    string
	log     *slog.Logger
	cfg     Config
	out     flume.ChannelProcessor
	counter flume.SourceCounter

	// refusing and failing remember that the last call was refused by a
	// channel or failed otherwise, so such streaks log once, not per call.
	refusing, failing atomic.Bool

	mu  sync.Mutex
	srv *thriftrpc.Server
}

var _ flume.Source = (*Source)(nil)

// Factory builds a thrift source from its properties.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c, err := ParseConfig(cfg)
	if err != nil {
		return nil, err
	}
	s := New(set, c, out)
	set.Publish(&s.counter)
	return s, nil
}

// New returns a stopped source that hands its events to out.
func New(set flume.Settings, cfg Config, out flume.ChannelProcessor) *Source {
	return &Source{name: set.Name, log: set.Log(), cfg: cfg, out: out}
}

// Register adds the thrift source to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSource("thrift", Factory, "org.apache.flume.source.ThriftSource")
}

// Counters returns the source's counters.
func (s *Source) Counters() *flume.SourceCounter { return &s.counter }

// Start listens on bind:port and serves in the background. It fails when
// the address cannot be bound.
func (s *Source) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return nil
	}
	addr := net.JoinHostPort(s.cfg.Bind, strconv.Itoa(s.cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("thrift source %q: %w", s.name, err)
	}
	s.counter.Started()
	s.srv = thriftrpc.NewServer(thriftrpc.ServerConfig{
		Protocol:     s.cfg.Protocol,
		MaxFrameSize: s.cfg.MaxFrameSize,
		Workers:      s.cfg.Threads,
		TLS:          s.cfg.TLS,
		Logger:       s.log,
		OnConn:       func(d int) { s.counter.OpenConnectionCount.Add(int64(d)) },
		OnBadRequest: func(error) { s.counter.EventReadFail.Add(1) },
	}, s.handle)
	s.srv.Start(ln)
	s.log.Info("thrift source listening", "address", ln.Addr().String(), "protocol", s.cfg.Protocol.String(),
		"ssl", s.cfg.TLS != nil, "threads", s.cfg.Threads)
	return nil
}

// Addr returns the address the source listens on, nil when stopped.
func (s *Source) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	return s.srv.Addr()
}

// Stop stops accepting, lets calls in progress finish within ctx and
// closes every connection.
func (s *Source) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	s.counter.Stopped()
	s.log.Info("thrift source stopped")
	if err != nil {
		return fmt.Errorf("thrift source %q: stop: %w", s.name, err)
	}
	return nil
}

// handle commits one call's events and answers for them.
func (s *Source) handle(ctx context.Context, call *thriftrpc.Call) (thriftrpc.Status, error) {
	n := int64(len(call.Events))
	batch := call.Method == thriftrpc.MethodAppendBatch
	if batch {
		s.counter.AppendBatchReceivedCount.Add(1)
	} else {
		s.counter.AppendReceivedCount.Add(1)
	}
	s.counter.EventReceivedCount.Add(n)
	err := s.out.Process(ctx, call.Events)
	switch {
	case err == nil:
		if batch {
			s.counter.AppendBatchAcceptedCount.Add(1)
		} else {
			s.counter.AppendAcceptedCount.Add(1)
		}
		s.counter.EventAcceptedCount.Add(n)
		if s.refusing.Swap(false) {
			s.log.Info("thrift source: channels accept events again")
		}
		s.failing.Store(false)
		return thriftrpc.OK, nil
	case flume.IsChannelError(err):
		s.counter.ChannelWriteFail.Add(1)
		if !s.refusing.Swap(true) {
			s.log.Warn("thrift source could not append events to the channel; answering FAILED, clients will retry",
				"events", n, "error", err)
		}
		return thriftrpc.FAILED, nil
	default:
		s.counter.GenericProcessingFail.Add(1)
		if !s.failing.Swap(true) && ctx.Err() == nil {
			s.log.Warn("thrift source failed to process events; answering with an INTERNAL_ERROR exception",
				"method", call.Method, "events", n, "error", err)
		}
		return thriftrpc.UNKNOWN, err
	}
}
