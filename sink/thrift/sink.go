package thrift

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/rpc/thriftrpc"
	"github.com/flumego/flume/sink"
)

// Config is the thrift sink's parsed configuration.
type Config struct {
	// Hostname and Port locate the thrift source.
	Hostname string
	Port     int
	// Client holds the batch size, timeouts, protocol, TLS and frame
	// limit.
	Client thriftrpc.ClientConfig
	// ResetInterval, when positive, is the age after which the connection
	// is closed and reopened before the next batch.
	ResetInterval time.Duration
}

// ParseConfig reads the sink's properties. Problems are recorded in cfg;
// the error is non-nil when the sink cannot be built, and matches
// flume.ErrUnsupported when Kerberos was asked for.
func ParseConfig(cfg *flume.Context) (Config, error) {
	c := Config{Hostname: cfg.Required("hostname"), Port: cfg.Port("port")}
	c.Client = rpc.ParseThriftClient(cfg)
	c.ResetInterval = parseResetInterval(cfg)
	return c, cfg.Err()
}

// parseResetInterval reads reset-connection-interval, the key Flume's
// code reads, or the user guide's connection-reset-interval.
func parseResetInterval(cfg *flume.Context) time.Duration {
	const key, guideKey = "reset-connection-interval", "connection-reset-interval"
	nonNegative := func(v int) bool { return v >= 0 }
	if cfg.Has(guideKey) {
		if cfg.Has(key) {
			cfg.MarkUsed(guideKey)
			cfg.Warnf(guideKey, "ignored: %s is also set and takes precedence", key)
		} else {
			secs := cfg.IntOrDefault(guideKey, 0, nonNegative, "must not be negative")
			cfg.Warnf(guideKey, "the user guide's name for %s; Java Flume ignores it, flumego honours it (write %s)", key, key)
			return time.Duration(secs) * time.Second
		}
	}
	return time.Duration(cfg.IntOrDefault(key, 0, nonNegative, "must not be negative")) * time.Second
}

// Sink is the thrift sink. The sink runner calls Process from one
// goroutine.
type Sink struct {
	name    string
	log     *slog.Logger
	ch      flume.Channel
	cfg     Config
	addr    string
	counter flume.SinkCounter
	// now is the clock of the reset interval; tests replace it.
	now func() time.Time

	mu          sync.Mutex
	conn        *thriftrpc.Conn
	connectedAt time.Time
}

var (
	_ flume.Sink    = (*Sink)(nil)
	_ flume.Batcher = (*Sink)(nil)
)

// Factory builds a thrift sink from its properties.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c, err := ParseConfig(cfg)
	if err != nil {
		return nil, err
	}
	s := New(set, c, in)
	set.Publish(&s.counter)
	return s, nil
}

// New returns a sink that drains in to the source cfg names.
func New(set flume.Settings, cfg Config, in flume.Channel) *Sink {
	return &Sink{
		name: set.Name, log: set.Log(), ch: in, cfg: cfg,
		addr: net.JoinHostPort(cfg.Hostname, strconv.Itoa(cfg.Port)),
		now:  time.Now,
	}
}

// Register adds the thrift sink to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSink("thrift", Factory, "org.apache.flume.sink.ThriftSink")
}

// BatchSize returns batch-size.
func (s *Sink) BatchSize() (int, string) { return s.cfg.Client.BatchSize, "batch-size" }

// Counters returns the sink's counters.
func (s *Sink) Counters() *flume.SinkCounter { return &s.counter }

// Start resets the counters. The connection is opened by the first
// Process, so a source that is down does not keep the sink from starting.
func (s *Sink) Start(context.Context) error {
	s.counter.Started()
	s.log.Info("thrift sink started", "target", s.addr, "protocol", s.cfg.Client.Protocol.String(),
		"ssl", s.cfg.Client.TLS != nil, "batch_size", s.cfg.Client.BatchSize)
	return nil
}

// Stop closes the connection.
func (s *Sink) Stop(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
	s.counter.Stopped()
	return nil
}

// Process takes up to batch-size events and sends them; it commits only
// when the source answered OK (see the package documentation).
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil && s.cfg.ResetInterval > 0 && s.now().Sub(s.connectedAt) >= s.cfg.ResetInterval {
		s.log.Debug("thrift sink: reset-connection-interval elapsed; reconnecting", "target", s.addr)
		s.closeLocked()
	}
	st, err := sink.Drain(ctx, s.ch, s.cfg.Client.BatchSize, &s.counter, s.deliver)
	if err != nil {
		return st, fmt.Errorf("thrift sink %q to %s: %w", s.name, s.addr, err)
	}
	return st, nil
}

// deliver sends events, in several calls if they do not fit one frame.
func (s *Sink) deliver(ctx context.Context, events []flume.Event) error {
	if s.conn == nil {
		conn, err := thriftrpc.Dial(ctx, s.addr, s.cfg.Client)
		if err != nil {
			s.counter.ConnectionFailedCount.Add(1)
			return err
		}
		s.counter.ConnectionCreatedCount.Add(1)
		s.conn, s.connectedAt = conn, s.now()
	}
	if err := s.send(ctx, events); err != nil {
		s.closeLocked()
		return err
	}
	return nil
}

func (s *Sink) send(ctx context.Context, events []flume.Event) error {
	st, err := s.conn.AppendBatch(ctx, events)
	if errors.Is(err, thriftrpc.ErrMessageTooLarge) && len(events) > 1 {
		half := len(events) / 2
		if err := s.send(ctx, events[:half]); err != nil {
			return err
		}
		return s.send(ctx, events[half:])
	}
	if err != nil {
		return err
	}
	if st != thriftrpc.OK {
		return &rpc.StatusError{Status: st.String()}
	}
	return nil
}

func (s *Sink) closeLocked() {
	if s.conn == nil {
		return
	}
	_ = s.conn.Close()
	s.conn = nil
	s.counter.ConnectionClosedCount.Add(1)
}
