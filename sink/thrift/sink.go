package thrift

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
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
	// is closed and reopened before the next batch
	// (reset-connection-interval).
	ResetInterval time.Duration
}

// ParseConfig reads the sink's properties. Problems are recorded in cfg;
// cfg.Err() matches flume.ErrUnsupported when Kerberos was asked for.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{Hostname: cfg.Required("hostname"), Port: cfg.Port("port")}
	cfg.Need(flume.NeedPeerHost, "hostname", c.Hostname)
	c.Client = rpc.ParseThriftClient(cfg)
	c.ResetInterval = sink.ParseResetInterval(cfg)
	return c
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
	conn    sink.Conn[*thriftrpc.Conn]
}

var (
	_ flume.Sink    = (*Sink)(nil)
	_ flume.Batcher = (*Sink)(nil)
)

// Factory builds a thrift sink from its properties.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, in), nil
}

// New returns a sink that drains in to the source cfg names, and publishes
// its counters.
func New(set flume.Settings, cfg Config, in flume.Channel) *Sink {
	s := &Sink{
		name: set.Name, log: set.Log(), ch: in, cfg: cfg,
		addr: net.JoinHostPort(cfg.Hostname, strconv.Itoa(cfg.Port)),
	}
	s.conn = sink.Conn[*thriftrpc.Conn]{
		Dial:          func(ctx context.Context) (*thriftrpc.Conn, error) { return thriftrpc.Dial(ctx, s.addr, cfg.Client) },
		ResetInterval: cfg.ResetInterval,
		Counter:       &s.counter,
		Log:           s.log,
	}
	set.Publish(&s.counter)
	return s
}

// Register adds the thrift sink to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSink("thrift", Factory, "org.apache.flume.sink.ThriftSink")
}

// BatchSize returns batch-size.
func (s *Sink) BatchSize() (int, string) { return s.cfg.Client.BatchSize, "batch-size" }

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
	s.conn.Close()
	s.counter.Stopped()
	return nil
}

// Process takes up to batch-size events and sends them; it commits only
// when the source answered OK (see the package documentation).
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: s.cfg.Client.BatchSize}, &s.counter, s.deliver)
	if err != nil {
		return res.Status, fmt.Errorf("thrift sink %q to %s: %w", s.name, s.addr, err)
	}
	return res.Status, nil
}

// deliver sends events, in several calls if they do not fit one frame.
func (s *Sink) deliver(ctx context.Context, events []flume.Event) error {
	return s.conn.Do(ctx, func(c *thriftrpc.Conn) error { return send(ctx, c, events) })
}

func send(ctx context.Context, c *thriftrpc.Conn, events []flume.Event) error {
	st, err := c.AppendBatch(ctx, events)
	if errors.Is(err, thriftrpc.ErrMessageTooLarge) && len(events) > 1 {
		half := len(events) / 2
		if err := send(ctx, c, events[:half]); err != nil {
			return err
		}
		return send(ctx, c, events[half:])
	}
	if err != nil {
		return err
	}
	if st != thriftrpc.OK {
		return &rpc.StatusError{Status: st.String()}
	}
	return nil
}
