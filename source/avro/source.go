package avro

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/rpc/avrorpc"
)

// Register adds the avro source to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSource("avro", Factory, "org.apache.flume.source.AvroSource")
}

// Factory builds an avro source from its properties (see the package
// documentation).
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	bind := cfg.Required("bind")
	port := cfg.Port("port")
	if cfg.Has("threads") {
		if _, err := flume.ParseJavaInt(cfg.String("threads", ""), 32); err != nil {
			cfg.Warnf("threads", "the avro source's threads property must be an integer (it is ignored anyway, as in Flume 1.11)")
		}
	}
	deflate := false
	switch ct := strings.ToLower(cfg.String("compression-type", "none")); ct {
	case "deflate":
		deflate = true
	case "none":
	default:
		cfg.Warnf("compression-type", "unknown compression type; no compression is used, as Flume does (expected none or deflate)")
	}
	tc := tlsconf.Server(cfg, tlsconf.ServerKeys, tlsconf.SystemGlobal())
	var filter *ipFilter
	if cfg.Bool("ipFilter", false) {
		spec := strings.TrimSpace(cfg.String("ipFilterRules", ""))
		if spec == "" {
			cfg.Errorf("ipFilterRules", "ipFilter is true but ipFilterRules is not set")
		} else if rules, err := parseIPFilterRules(spec); err != nil {
			cfg.Errorf("ipFilterRules", "%v", err)
		} else {
			filter = &ipFilter{rules: rules, resolve: net.DefaultResolver.LookupAddr}
		}
	} else {
		cfg.MarkUsed("ipFilterRules")
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	s := &Source{
		name: set.Name,
		addr: net.JoinHostPort(bind, strconv.Itoa(port)),
		out:  out,
		log:  set.Log(),
	}
	s.srvCfg = avrorpc.ServerConfig{
		Handler:     s.handle,
		TLS:         tc,
		Deflate:     deflate,
		Connections: &s.counter.OpenConnectionCount,
		Logger:      s.log,
	}
	if filter != nil {
		s.srvCfg.Accept = filter.accept
	}
	if bl, ok := out.(flume.BatchLimiter); ok {
		s.srvCfg.MaxBatch = bl.MaxBatch
		s.srvCfg.OnTooManyEvents = s.tooManyEvents
	}
	set.Publish(&s.counter)
	return s, nil
}

// Source is the avro source.
type Source struct {
	name    string
	addr    string
	out     flume.ChannelProcessor
	log     *slog.Logger
	srvCfg  avrorpc.ServerConfig
	counter flume.SourceCounter

	// failures keeps refused batches to one warning per 10 s.
	failures ratelog.Limiter

	mu  sync.Mutex
	srv *avrorpc.Server
}

var _ flume.Source = (*Source)(nil)

// Start listens on bind:port; a port in use is an error (the agent
// retries).
func (s *Source) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("avro source %q: %w", s.name, err)
	}
	s.counter.Started()
	s.srv = avrorpc.NewServer(s.srvCfg)
	s.srv.Start(ln)
	s.log.Info("avro source listening", "address", ln.Addr().String(),
		"compression", map[bool]string{true: "deflate", false: "none"}[s.srvCfg.Deflate], "ssl", s.srvCfg.TLS != nil)
	return nil
}

// Addr returns the address the source listens on (nil when stopped); with
// port 0 it tells which port was picked.
func (s *Source) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	return s.srv.Addr()
}

// Stop closes the listener and every connection; calls in progress are
// cancelled and their senders see the connection close (no OK was sent,
// so they resend).
func (s *Source) Stop(context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	srv.Close()
	s.counter.OpenConnectionCount.Store(0)
	s.counter.Stopped()
	s.log.Info("avro source stopped")
	return nil
}

// Counters returns the source's counters.
func (s *Source) Counters() *flume.SourceCounter { return &s.counter }

// tooManyEvents counts a batch the server refused, unread, for being larger
// than the channels take in one transaction, as a batch the channel refused.
func (s *Source) tooManyEvents(err *avroevent.TooManyEventsError) {
	c := &s.counter
	c.AppendBatchReceivedCount.Add(1)
	c.EventReceivedCount.Add(int64(err.Declared))
	c.ChannelWriteFail.Add(1)
}

func (s *Source) handle(ctx context.Context, batch bool, events []flume.Event) (avrorpc.Status, error) {
	n := int64(len(events))
	c := &s.counter
	if batch {
		c.AppendBatchReceivedCount.Add(1)
	} else {
		c.AppendReceivedCount.Add(1)
	}
	c.EventReceivedCount.Add(n)
	if n > 0 {
		if err := s.out.Process(ctx, events); err != nil {
			c.ChannelWriteFail.Add(1)
			s.failures.Warn(s.log, "avro source could not commit events; the sender is told to resend", "events", n, "error", err)
			if flume.IsChannelError(err) {
				return avrorpc.Failed, nil
			}
			return 0, fmt.Errorf("avro source %q: %w", s.name, err)
		}
	}
	if batch {
		c.AppendBatchAcceptedCount.Add(1)
	} else {
		c.AppendAcceptedCount.Add(1)
	}
	c.EventAcceptedCount.Add(n)
	return avrorpc.OK, nil
}
