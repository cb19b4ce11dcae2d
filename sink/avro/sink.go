package avro

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/sink"
)

// Register adds the avro sink to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSink("avro", Factory, "org.apache.flume.sink.AvroSink")
}

// rpcClientKeys are RpcClient properties a sink may carry besides its own.
var rpcClientKeys = []string{
	rpc.PropClientType, rpc.PropHosts, rpc.PropMaxAttempts, rpc.PropHostSelector, rpc.PropBackoff,
	rpc.PropMaxBackoff, rpc.PropHostClientType,
}

// Factory builds an avro sink (see the package documentation).
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	hostname := cfg.Required("hostname")
	port := cfg.Port("port")
	batch := cfg.IntOrDefault("batch-size", rpc.DefaultBatchSize, func(v int) bool { return v >= 1 }, "must be at least 1")
	for _, k := range []string{"connect-timeout", "request-timeout"} {
		if v := cfg.Int64(k, 20000); v < 1000 {
			cfg.Warnf(k, "below 1000 ms; the default 20000 ms is used, as Flume does")
		}
	}
	reset := cfg.Int("reset-connection-interval", 0)
	switch strings.ToLower(cfg.String("compression-type", "none")) {
	case "deflate":
		if lvl := cfg.Int("compression-level", rpc.DefaultCompressionLevel); lvl < 0 || lvl > 9 {
			cfg.Errorf("compression-level", "expected a zlib level from 0 to 9")
		}
	case "none":
		cfg.MarkUsed("compression-level")
	default:
		cfg.Warnf("compression-type", "unknown compression type; no compression is used, as Flume does (expected none or deflate)")
		cfg.MarkUsed("compression-level")
	}
	if cfg.Has("maxIoWorkers") {
		cfg.MarkUsed("maxIoWorkers")
		cfg.Warnf("maxIoWorkers", "no longer supported; ignored, as in Flume 1.11")
	}
	_ = tlsconf.Client(cfg) // validates the TLS settings now; the client reads them again
	cfg.MarkUsed(rpcClientKeys...)
	cfg.MarkPrefixUsed(rpc.PropHostsPrefix)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	props := cfg.Map()
	delete(props, "maxIoWorkers") // warned above; keep the client quiet
	if _, ok := props[rpc.PropHosts]; !ok {
		props[rpc.PropHosts] = "h1"
		props[rpc.PropHostsPrefix+"h1"] = net.JoinHostPort(hostname, strconv.Itoa(port))
	}
	k := &Sink{
		name: set.Name, target: net.JoinHostPort(hostname, strconv.Itoa(port)), ch: in, props: props,
		batchSize: batch, reset: time.Duration(reset) * time.Second, log: set.Log(), newClient: rpc.NewClient, now: time.Now,
	}
	set.Publish(&k.counter)
	return k, nil
}

// Sink is the avro sink.
type Sink struct {
	name      string
	target    string
	ch        flume.Channel
	props     map[string]string
	batchSize int
	reset     time.Duration
	log       *slog.Logger
	newClient func(map[string]string) (rpc.Client, error)
	now       func() time.Time
	counter   flume.SinkCounter

	mu          sync.Mutex
	client      rpc.Client
	connectedAt time.Time
}

var (
	_ flume.Sink    = (*Sink)(nil)
	_ flume.Batcher = (*Sink)(nil)
)

// BatchSize returns batch-size.
func (k *Sink) BatchSize() int { return k.batchSize }

// Counters returns the sink's counters.
func (k *Sink) Counters() *flume.SinkCounter { return &k.counter }

// Start resets the counters. The connection is opened by the first
// Process, so Start never waits for the next hop (a missing next hop is not
// an error, as in Flume).
func (k *Sink) Start(context.Context) error {
	k.counter.Started()
	k.log.Info("avro sink started", "target", k.target, "batch_size", k.batchSize)
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
	if k.client != nil && k.reset > 0 && k.now().Sub(k.connectedAt) >= k.reset {
		k.log.Debug("resetting the connection (reset-connection-interval)")
		k.destroy()
	}
	k.mu.Unlock()
	st, err := sink.Drain(ctx, k.ch, k.batchSize, &k.counter, k.deliver)
	if err != nil {
		return st, fmt.Errorf("avro sink %q to %s: %w", k.name, k.target, err)
	}
	return st, nil
}

func (k *Sink) deliver(ctx context.Context, events []flume.Event) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.client == nil {
		c, err := k.newClient(k.props)
		if err != nil {
			k.counter.ConnectionFailedCount.Add(1)
			return err
		}
		k.client, k.connectedAt = c, k.now()
		k.counter.ConnectionCreatedCount.Add(1)
	}
	if err := k.client.AppendBatch(ctx, events); err != nil {
		k.destroy()
		return err
	}
	return nil
}

// destroy closes the client. Called with mu held.
func (k *Sink) destroy() {
	if k.client == nil {
		return
	}
	if err := k.client.Close(); err != nil {
		k.counter.ConnectionFailedCount.Add(1)
	} else {
		k.counter.ConnectionClosedCount.Add(1)
	}
	k.client = nil
}
