package kafkatest

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume/internal/kafkaadmin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Cluster is a kfake cluster on 127.0.0.1 that a test can take down and
// bring back.
type Cluster struct {
	opts  []kfake.Opt
	addrs []string

	mu sync.Mutex
	c  *kfake.Cluster
}

// Options say what cluster Start makes.
type Options struct {
	// Brokers is the number of brokers (3 when 0).
	Brokers int
	// Topics are created with Partitions partitions each (6 when 0).
	Topics     []string
	Partitions int32
	// Restartable keeps the cluster's data in a directory of the test, so
	// that Outage can stop and restart it.
	Restartable bool
	// Extra are more kfake options.
	Extra []kfake.Opt
}

// Start starts a cluster, closed when the test ends. Consumer groups
// accept session timeouts down to 100 ms.
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	if o.Brokers == 0 {
		o.Brokers = 3
	}
	if o.Partitions == 0 {
		o.Partitions = 6
	}
	ports := make([]int, o.Brokers)
	if o.Restartable {
		for i := range ports {
			ports[i] = freePort(t)
		}
	}
	opts := append([]kfake.Opt{kfake.Ports(ports...), kfake.GroupMinSessionTimeout(100 * time.Millisecond)}, o.Extra...)
	if len(o.Topics) > 0 {
		opts = append(opts, kfake.SeedTopics(o.Partitions, o.Topics...))
	}
	if o.Restartable {
		opts = append(opts, kfake.DataDir(t.TempDir()))
	}
	c := &Cluster{opts: opts}
	kc, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	c.c, c.addrs = kc, kc.ListenAddrs()
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.c != nil {
			c.c.Close()
		}
	})
	return c
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Addrs returns the brokers' addresses.
func (c *Cluster) Addrs() []string { return c.addrs }

// Bootstrap returns the brokers as kafka.bootstrap.servers lists them.
func (c *Cluster) Bootstrap() string { return strings.Join(c.addrs, ",") }

// Kfake returns the running kfake cluster (nil during an outage).
func (c *Cluster) Kfake() *kfake.Cluster {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c
}

// Outage stops every broker (a Restartable cluster saves its data and
// committed offsets) and returns the function that starts them again on
// the same ports.
func (c *Cluster) Outage(t testing.TB) (restart func()) {
	t.Helper()
	c.mu.Lock()
	kc := c.c
	c.c = nil
	c.mu.Unlock()
	if kc == nil {
		t.Fatal("the cluster is already down")
	}
	kc.Close()
	return func() {
		t.Helper()
		var kc *kfake.Cluster
		var err error
		// A port may linger a moment after its listener closed.
		for range 50 {
			if kc, err = kfake.NewCluster(c.opts...); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("restart kfake on %v: %v", c.addrs, err)
		}
		c.mu.Lock()
		c.c = kc
		c.mu.Unlock()
	}
}

// CreateTopic creates topic with the given number of partitions.
func (c *Cluster) CreateTopic(t testing.TB, topic string, partitions int32) {
	t.Helper()
	cl := c.Client(t)
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, partitions, 1
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	for _, r := range resp.Topics {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			t.Fatalf("create topic %s: %v", topic, err)
		}
	}
}

// Client returns a kgo client of the cluster, closed when the test ends.
func (c *Cluster) Client(t testing.TB, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.addrs...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// Produce writes records to topic and waits until every one is
// acknowledged by all in-sync replicas.
func (c *Cluster) Produce(t testing.TB, topic string, recs ...*kgo.Record) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.addrs...), kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce %d records to %s: %v", len(recs), topic, err)
	}
}

// Stream produces the numbered records from to to-1 (Numbered) in
// batches of per, one batch every interval, until done or ctx ends, and
// calls progress (may be nil) with the count written so far after each
// batch. It runs in the caller's goroutine and returns the first produce
// error.
func (c *Cluster) Stream(ctx context.Context, topic string, from, to, per int, interval time.Duration, progress func(int)) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.addrs...), kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(0))
	if err != nil {
		return err
	}
	defer cl.Close()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := from; i < to; i += per {
		if err := cl.ProduceSync(ctx, Numbered(i, min(i+per, to))...).FirstErr(); err != nil {
			return fmt.Errorf("produce records %d to %d: %w", i, min(i+per, to)-1, err)
		}
		if progress != nil {
			progress(min(i+per, to) - from)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// Numbered returns records whose values are the numbers from to to-1 in
// decimal, without keys (spread by the sticky partitioner).
func Numbered(from, to int) []*kgo.Record {
	out := make([]*kgo.Record, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, &kgo.Record{Value: []byte(strconv.Itoa(i))})
	}
	return out
}

// ReadAll reads every record of topic up to the partitions' end offsets
// at the time of the call, partition by partition.
func (c *Cluster) ReadAll(t testing.TB, topic string) []*kgo.Record {
	t.Helper()
	return ReadAll(t, c.addrs, topic)
}

// ReadAll reads every record of topic from the brokers at addrs, up to the
// partitions' end offsets at the time of the call, partition by partition;
// opts (TLS, SASL) go to the clients it uses.
func ReadAll(t testing.TB, addrs []string, topic string, opts ...kgo.Opt) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := func(more ...kgo.Opt) *kgo.Client {
		cl, err := kgo.NewClient(append(append([]kgo.Opt{kgo.SeedBrokers(addrs...)}, opts...), more...)...)
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	admin := client()
	ends, err := kafkaadmin.EndOffsets(ctx, admin, topic)
	admin.Close()
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	offsets := map[int32]kgo.Offset{}
	for p, end := range ends {
		want += end
		offsets[p] = kgo.NewOffset().At(0)
	}
	if want == 0 {
		return nil
	}
	cl := client(kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}), kgo.FetchMaxWait(100*time.Millisecond))
	defer cl.Close()
	var out []*kgo.Record
	for int64(len(out)) < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records of %s: %v", len(out), want, topic, ctx.Err())
		}
		for _, e := range fs.Errors() {
			t.Fatalf("fetch %s/%d: %v", e.Topic, e.Partition, e.Err)
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}

// EndOffsets returns each partition's high watermark (none for a topic
// that does not exist).
func (c *Cluster) EndOffsets(ctx context.Context, topic string) (map[int32]int64, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.addrs...))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	return kafkaadmin.EndOffsets(ctx, cl, topic)
}

// Committed returns the offsets group committed for topic, by partition.
func (c *Cluster) Committed(t testing.TB, group, topic string) map[int32]int64 {
	t.Helper()
	cl := c.Client(t)
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	for p := range int32(64) {
		rt.Partitions = append(rt.Partitions, p)
	}
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("offset fetch: %v", err)
	}
	out := map[int32]int64{}
	for _, rt := range resp.Topics {
		for _, p := range rt.Partitions {
			if p.Offset >= 0 {
				out[p.Partition] = p.Offset
			}
		}
	}
	return out
}
