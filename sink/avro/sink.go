package avro

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/sink"
)

// Register adds the avro sink to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSink("avro", Factory, "org.apache.flume.sink.AvroSink")
}

// Config is the avro sink's configuration.
type Config struct {
	// Hostname and Port are the next hop. With hosts set, RPC.Hosts are the
	// next hops instead; otherwise RPC.Hosts is this one.
	Hostname string
	Port     int
	// RPC is the RPC client's configuration: as in Flume, the sink's
	// properties are also the client's.
	RPC rpc.Config
	// ResetInterval, when positive, is the age after which the connection
	// is closed and reopened before the next batch
	// (reset-connection-interval).
	ResetInterval time.Duration
}

// ParseConfig reads the sink's properties (see the package documentation),
// the RPC client's among them. Problems are recorded in cfg.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{Hostname: cfg.Required("hostname"), Port: cfg.Port("port"), ResetInterval: sink.ParseResetInterval(cfg)}
	c.RPC = rpc.ParseConfig(cfg)
	if cfg.Err() != nil {
		return c
	}
	if !cfg.Has(rpc.PropHosts) {
		c.RPC.Hosts = []rpc.Host{{Name: "h1", Addr: c.target()}}
		cfg.Need(flume.NeedPeerHost, "hostname", c.Hostname)
		return c
	}
	if len(c.RPC.Hosts) == 0 {
		cfg.Errorf(rpc.PropHosts, "no host of the list has an address (hosts.<name> = host:port)")
	}
	for _, h := range c.RPC.Hosts {
		cfg.Need(flume.NeedPeerAddress, rpc.PropHostsPrefix+h.Name, h.Addr)
	}
	return c
}

// target is hostname:port, the next hop the sink names in its log lines and
// errors.
func (c Config) target() string { return net.JoinHostPort(c.Hostname, strconv.Itoa(c.Port)) }

// Factory builds an avro sink (see the package documentation).
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, in), nil
}

// New returns a stopped avro sink that takes from in, and publishes its
// counters.
func New(set flume.Settings, c Config, in flume.Channel) *Sink {
	k := &Sink{name: set.Name, target: c.target(), ch: in, client: c.RPC, log: set.Log()}
	k.conn = sink.Conn[rpc.Client]{
		Dial:          func(context.Context) (rpc.Client, error) { return rpc.New(c.RPC) },
		ResetInterval: c.ResetInterval,
		Counter:       &k.counter,
		Log:           k.log,
	}
	set.Publish(&k.counter)
	return k
}

// Sink is the avro sink.
type Sink struct {
	name    string
	target  string
	ch      flume.Channel
	client  rpc.Config
	log     *slog.Logger
	counter flume.SinkCounter
	conn    sink.Conn[rpc.Client]
}

var (
	_ flume.Sink    = (*Sink)(nil)
	_ flume.Batcher = (*Sink)(nil)
)

// BatchSize returns batch-size.
func (k *Sink) BatchSize() (int, string) { return k.client.BatchSize, rpc.PropBatchSize }

// Start resets the counters. The connection is opened by the first
// Process, so Start never waits for the next hop (a missing next hop is not
// an error, as in Flume).
func (k *Sink) Start(context.Context) error {
	k.counter.Started()
	k.log.Info("avro sink started", "target", k.target, "batch_size", k.client.BatchSize)
	return nil
}

// Stop closes the connection.
func (k *Sink) Stop(context.Context) error {
	k.conn.Close()
	k.counter.Stopped()
	return nil
}

// Process takes up to batch-size events and sends them in one call,
// committing only after OK.
func (k *Sink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, k.ch, sink.Options{BatchSize: k.client.BatchSize}, &k.counter, k.deliver)
	if err != nil {
		return res.Status, fmt.Errorf("avro sink %q to %s: %w", k.name, k.target, err)
	}
	return res.Status, nil
}

func (k *Sink) deliver(ctx context.Context, events []flume.Event) error {
	return k.conn.Do(ctx, func(c rpc.Client) error { return c.AppendBatch(ctx, events) })
}
