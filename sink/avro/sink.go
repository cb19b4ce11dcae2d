package avro

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

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
	reset := cfg.Int("reset-connection-interval", 0)
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
	}
	k := &Sink{
		name: set.Name, target: target, ch: in, client: rc, reset: time.Duration(reset) * time.Second,
		log: set.Log(), newClient: rpc.New, now: time.Now,
	}
	set.Publish(&k.counter)
	return k, nil
}

// Sink is the avro sink.
type Sink struct {
	name      string
	target    string
	ch        flume.Channel
	client    rpc.Config
	reset     time.Duration
	log       *slog.Logger
	newClient func(rpc.Config) (rpc.Client, error)
	now       func() time.Time
	counter   flume.SinkCounter

	mu          sync.Mutex
	conn        rpc.Client
	connectedAt time.Time
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
	k.mu.Lock()
	k.destroy()
	k.mu.Unlock()
	k.counter.Stopped()
	return nil
}

// Process takes up to batch-size events and sends them in one call,
// committing only after OK.
func (k *Sink) Process(ctx context.Context) (flume.Status, error) {
	k.mu.Lock()
	if k.conn != nil && k.reset > 0 && k.now().Sub(k.connectedAt) >= k.reset {
		k.log.Debug("resetting the connection (reset-connection-interval)")
		k.destroy()
	}
	k.mu.Unlock()
	st, err := sink.Drain(ctx, k.ch, k.client.BatchSize, &k.counter, k.deliver)
	if err != nil {
		return st, fmt.Errorf("avro sink %q to %s: %w", k.name, k.target, err)
	}
	return st, nil
}

func (k *Sink) deliver(ctx context.Context, events []flume.Event) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conn == nil {
		c, err := k.newClient(k.client)
		if err != nil {
			k.counter.ConnectionFailedCount.Add(1)
			return err
		}
		k.conn, k.connectedAt = c, k.now()
		k.counter.ConnectionCreatedCount.Add(1)
	}
	if err := k.conn.AppendBatch(ctx, events); err != nil {
		k.destroy()
		return err
	}
	return nil
}

// destroy closes the client. Called with mu held.
func (k *Sink) destroy() {
	if k.conn == nil {
		return
	}
	if err := k.conn.Close(); err != nil {
		k.counter.ConnectionFailedCount.Add(1)
	} else {
		k.counter.ConnectionClosedCount.Add(1)
	}
	k.conn = nil
}
