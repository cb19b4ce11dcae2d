package demo

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// KafkaEnv names the environment variable with the bootstrap servers of a
// Kafka cluster to use (host:port[,host:port...]) instead of the in-process
// broker.
const KafkaEnv = "KAFKA_BROKERS"

// Kafka is the cluster an example writes to: the user's ($KAFKA_BROKERS)
// or an in-process Kafka-protocol broker (franz-go's kfake) on 127.0.0.1.
type Kafka struct {
	Brokers  []string
	External bool // the user's cluster: it may hold records of earlier runs

	cluster *kfake.Cluster
}

// StartKafka returns the user's cluster when $KAFKA_BROKERS is set, else
// starts an in-process broker with topic already created with the given
// number of partitions.
func StartKafka(topic string, partitions int32) (*Kafka, error) {
	if v := strings.TrimSpace(os.Getenv(KafkaEnv)); v != "" {
		return &Kafka{Brokers: strings.Split(v, ","), External: true}, nil
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic))
	if err != nil {
		return nil, fmt.Errorf("start the in-process Kafka broker: %w", err)
	}
	return &Kafka{Brokers: c.ListenAddrs(), cluster: c}, nil
}

// BrokerList returns the brokers as a Kafka bootstrap list.
func (k *Kafka) BrokerList() string { return strings.Join(k.Brokers, ",") }

// Close stops the in-process broker (nothing for the user's cluster).
func (k *Kafka) Close() {
	if k.cluster != nil {
		k.cluster.Close()
	}
}

// EndOffsets returns the next offset of every partition of topic; a topic
// that does not exist yet has none.
func (k *Kafka) EndOffsets(ctx context.Context, topic string) (map[int32]int64, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.Brokers...))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	return endOffsets(ctx, cl, topic)
}

func endOffsets(ctx context.Context, cl *kgo.Client, topic string) (map[int32]int64, error) {
	mreq := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	mreq.Topics = append(mreq.Topics, mt)
	mresp, err := mreq.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("kafka metadata of %s: %w", topic, err)
	}
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for _, t := range mresp.Topics {
		if t.Topic == nil || *t.Topic != topic {
			continue
		}
		if t.ErrorCode == kerr.UnknownTopicOrPartition.Code {
			return map[int32]int64{}, nil
		}
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			return nil, fmt.Errorf("kafka metadata of %s: %w", topic, err)
		}
		for _, p := range t.Partitions {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition = p.Partition
			rp.Timestamp = -1 // the end
			rt.Partitions = append(rt.Partitions, rp)
		}
	}
	if len(rt.Partitions) == 0 {
		return map[int32]int64{}, nil
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("kafka list offsets of %s: %w", topic, err)
	}
	ends := map[int32]int64{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("kafka list offsets of %s/%d: %w", topic, p.Partition, err)
			}
			ends[p.Partition] = p.Offset
		}
	}
	return ends, nil
}

// Read returns the records of topic from the offsets in from (a partition
// missing from from is read from its start) up to the end offsets at the
// time of the call, read with franz-go's kgo client.
func (k *Kafka) Read(ctx context.Context, topic string, from map[int32]int64) ([]*kgo.Record, error) {
	admin, err := kgo.NewClient(kgo.SeedBrokers(k.Brokers...))
	if err != nil {
		return nil, err
	}
	ends, err := endOffsets(ctx, admin, topic)
	admin.Close()
	if err != nil {
		return nil, err
	}
	start := map[int32]kgo.Offset{}
	pending := map[int32]int64{} // partition → end offset still to reach
	for p, end := range ends {
		off, ok := from[p]
		if ok && off >= end {
			continue
		}
		if ok {
			start[p] = kgo.NewOffset().At(off)
		} else {
			start[p] = kgo.NewOffset().AtStart()
		}
		pending[p] = end
	}
	if len(pending) == 0 {
		return nil, nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.Brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}),
		kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var out []*kgo.Record
	for len(pending) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("read %s: %d records so far: %w", topic, len(out), err)
		}
		for _, e := range fs.Errors() {
			return out, fmt.Errorf("fetch %s/%d: %w", e.Topic, e.Partition, e.Err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			end, ok := pending[r.Partition]
			if !ok || r.Offset >= end {
				return // beyond the end offsets of the call
			}
			out = append(out, r)
			if r.Offset+1 >= end {
				delete(pending, r.Partition)
			}
		})
	}
	return out, nil
}
