package kafka

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// newCluster starts an in-process Kafka cluster (franz-go's kfake, a real
// implementation of the wire protocol) on 127.0.0.1 and closes it with the
// test.
func newCluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// newChannel returns a started memory channel holding events.
func newChannel(t testing.TB, capacity, txCapacity int, events []flume.Event) *memory.Channel {
	t.Helper()
	ch := flumetest.MemoryChannel(t, capacity, txCapacity, 10*time.Millisecond)
	for i := 0; i < len(events); i += txCapacity {
		flumetest.Put(t, ch, events[i:min(i+txCapacity, len(events))]...)
	}
	return ch
}

// newSinkFrom builds and starts a sink from properties.
func newSinkFrom(t testing.TB, props map[string]string, ch flume.Channel) *Sink {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	s, err := Factory(flume.Settings{Name: "k1"}, cfg, ch)
	if err != nil {
		t.Fatalf("factory: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s.(*Sink)
}

// drainAll calls Process until n events were committed, failing on any
// error.
func drainAll(t testing.TB, s *Sink, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for s.counter.EventDrainSuccessCount.Load() < int64(n) {
		if _, err := s.Process(ctx); err != nil {
			t.Fatalf("process after %d events: %v", s.counter.EventDrainSuccessCount.Load(), err)
		}
	}
}

// readAll reads every record of topic with franz-go's kgo client (not with
// kafka-go, the library under test), up to the partitions' end offsets at
// the time of the call, in partition order.
func readAll(t testing.TB, addrs []string, topic string, opts ...kgo.Opt) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addrs...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ends := endOffsets(t, ctx, admin, topic)
	var want int64
	offsets := map[int32]kgo.Offset{}
	for p, end := range ends {
		want += end
		offsets[p] = kgo.NewOffset().At(0)
	}
	if want == 0 {
		return nil
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addrs...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}),
		kgo.FetchMaxWait(100 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
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

// endOffsets returns each partition's high watermark.
func endOffsets(t testing.TB, ctx context.Context, cl *kgo.Client, topic string) map[int32]int64 {
	t.Helper()
	mreq := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	mreq.Topics = append(mreq.Topics, mt)
	mresp, err := mreq.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("metadata: %v", err)
	}
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for _, mt := range mresp.Topics {
		if mt.Topic == nil || *mt.Topic != topic {
			continue
		}
		if mt.ErrorCode != 0 {
			t.Fatalf("metadata of %s: error code %d", topic, mt.ErrorCode)
		}
		for _, p := range mt.Partitions {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition = p.Partition
			rp.Timestamp = -1 // latest
			rt.Partitions = append(rt.Partitions, rp)
		}
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("list offsets: %v", err)
	}
	ends := map[int32]int64{}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if rp.ErrorCode != 0 {
				t.Fatalf("list offsets %s/%d: error code %d", topic, rp.Partition, rp.ErrorCode)
			}
			ends[rp.Partition] = rp.Offset
		}
	}
	return ends
}

// problems returns the problems recorded in cfg as lines.
func problems(cfg *flume.Context) string {
	var b strings.Builder
	for _, p := range cfg.Problems() {
		b.WriteString(p.Severity.String() + ": " + p.Error() + "\n")
	}
	return b.String()
}
