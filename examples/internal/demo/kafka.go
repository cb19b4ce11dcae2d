package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flumego/flume/internal/kafkaadmin"
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
	return StartKafkaCluster(1, topic, partitions)
}

// StartKafkaCluster is StartKafka with an in-process cluster of the given
// number of brokers. Its consumer groups accept session timeouts down to
// 100 ms, so that an example can show a group noticing a dead member
// within seconds.
func StartKafkaCluster(brokers int, topic string, partitions int32) (*Kafka, error) {
	if v := strings.TrimSpace(os.Getenv(KafkaEnv)); v != "" {
		return &Kafka{Brokers: strings.Split(v, ","), External: true}, nil
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(brokers), kfake.SeedTopics(partitions, topic),
		kfake.GroupMinSessionTimeout(100*time.Millisecond))
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
	return kafkaadmin.EndOffsets(ctx, cl, topic)
}

// Collect consumes topic with franz-go's kgo client from the offsets in
// from (partitions missing from it, or all of a topic that had none, from
// their start), handing every record to add, until done returns true or
// ctx ends.
func (k *Kafka) Collect(ctx context.Context, topic string, from map[int32]int64, add func(*kgo.Record), done func() bool) error {
	opts := []kgo.Opt{kgo.SeedBrokers(k.Brokers...), kgo.FetchMaxWait(100 * time.Millisecond)}
	if len(from) > 0 {
		start := map[int32]kgo.Offset{}
		for p, off := range from {
			start[p] = kgo.NewOffset().At(off)
		}
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}))
	} else {
		opts = append(opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	for !done() {
		pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		fs := cl.PollFetches(pctx)
		cancel()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("reading %s: %w", topic, err)
		}
		for _, e := range fs.Errors() {
			if errors.Is(e.Err, context.DeadlineExceeded) || errors.Is(e.Err, context.Canceled) {
				continue // the poll's own timeout
			}
			return fmt.Errorf("fetch %s/%d: %w", e.Topic, e.Partition, e.Err)
		}
		fs.EachRecord(add)
	}
	return nil
}

// TopicCount counts, in the background, the records of a topic that its
// parse function recognises, by stream and sequence number.
type TopicCount struct {
	Tally *Tally

	records atomic.Int64
	cancel  context.CancelFunc
	done    chan struct{}
	err     error
}

// Count starts consuming topic from the offsets in from (see Collect) and
// counting the records parse recognises (ok), until Stop.
func (k *Kafka) Count(ctx context.Context, topic string, from map[int32]int64, parse func(*kgo.Record) (stream string, seq int64, ok bool)) *TopicCount {
	ctx, cancel := context.WithCancel(ctx)
	c := &TopicCount{Tally: NewTally(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		err := k.Collect(ctx, topic, from, func(r *kgo.Record) {
			if stream, seq, ok := parse(r); ok {
				c.Tally.Add(stream, seq)
				c.records.Add(1)
			}
		}, func() bool { return false })
		if ctx.Err() == nil {
			c.err = err
		}
	}()
	return c
}

// Records returns how many recognised records were read so far.
func (c *TopicCount) Records() int64 { return c.records.Load() }

// WaitFor waits until every stream of want has had each of its numbers
// 1..want[stream] counted, or the consumer failed, or ctx ends.
func (c *TopicCount) WaitFor(ctx context.Context, want map[string]int64) error {
	return Wait(ctx, "every record in Kafka", func() (bool, error) {
		select {
		case <-c.done:
			if c.err != nil {
				return false, c.err
			}
		default:
		}
		for stream, n := range want {
			if c.Tally.Distinct(stream) < n {
				return false, nil
			}
		}
		return true, nil
	})
}

// Stop ends the consumer.
func (c *TopicCount) Stop() {
	c.cancel()
	<-c.done
}

// RefuseWrites makes the in-process broker answer every produce request
// for topic with NOT_ENOUGH_REPLICAS (a retriable error; nothing is
// written) until restore is called: a Kafka outage as producers see it.
// ok is false for the user's cluster, which the demo cannot take down.
func (k *Kafka) RefuseWrites(topic string) (restore func(), ok bool) {
	if k.cluster == nil {
		return func() {}, false
	}
	h := k.cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: topic, Err: kerr.NotEnoughReplicas, Count: -1})
	return h.Remove, true
}
