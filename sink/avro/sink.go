package avro

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/sink"
)

// Register adds the avro sink to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSink("avro", Factory, "org.apache.flume.sink.AvroSink")
}

// Factory builds an avro sink (see the package documentation). As in
// Flume, the sink's properties are also the RPC client's, read once here.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	hostname := cfg.Required("hostname")
	port := cfg.Port("port")
	reset := sink.ParseResetInterval(cfg)
	rc, err := rpc.ParseConfig(cfg)
	if err == nil && cfg.Has(rpc.PropHosts) && len(rc.Hosts) == 0 {
		cfg.Errorf(rpc.PropHosts, "no host of the list has an address (hosts.<name> = host:port)")
		err = cfg.Err()
	}
	if err != nil {
		return nil, err
	}
	target := net.JoinHostPort(hostname, strconv.Itoa(port))
	if !cfg.Has(rpc.PropHosts) {
		rc.Hosts = []rpc.Host{{Name: "h1", Addr: target}}
		cfg.Need(flume.NeedPeerHost, "hostname", hostname)
	} else {
		for _, h := range rc.Hosts {
			cfg.Need(flume.NeedPeerAddress, rpc.PropHostsPrefix+h.Name, h.Addr)
		}
	}
	k := &Sink{name: set.Name, target: target, ch: in, client: rc, log: set.Log()}
	k.conn = sink.Conn[rpc.Client]{
		Dial:          func(context.Context) (rpc.Client, error) { return rpc.New(rc) },
		ResetInterval: reset,
		Counter:       &k.counter,
		Log:           k.log,
	}
	set.Publish(&k.counter)
	return k, nil
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

// Counters returns the sink's counters.
func (k *Sink) Counters() *flume.SinkCounter { return &k.counter }

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
