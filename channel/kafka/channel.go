package kafka

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkaconf/kgoconf"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ClassName is the Java class name Flume configurations use for this
// channel; Flume 1.11 gives it no short alias.
const ClassName = "org.apache.flume.channel.kafka.KafkaChannel"

// Register registers the Kafka channel under Flume's class name.
func Register(r *flume.Registry) error {
	return r.RegisterChannel(ClassName, Factory)
}

// Factory builds a Kafka channel from its Flume properties. It reads key
// and trust stores but opens no connection.
func Factory(set flume.Settings, cfg *flume.Context) (flume.Channel, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, fmt.Errorf("kafka channel %q: %w", set.Name, err)
	}
	ch, err := New(set, c)
	if err != nil {
		return nil, err
	}
	set.Publish(&ch.counter)
	return ch, nil
}

// New returns a channel for a configuration built in code (or parsed by
// ParseConfig).
func New(set flume.Settings, c Config) (*Channel, error) {
	if len(c.Brokers) == 0 || c.Topic == "" {
		return nil, fmt.Errorf("kafka channel %q: brokers and a topic are required", set.Name)
	}
	ch := &Channel{set: set, cfg: c, log: set.Log()}
	popts, err := kgoconf.ProducerOpts(c.Brokers, c.Producer)
	if err != nil {
		return nil, fmt.Errorf("kafka channel %q: producer: %w", set.Name, err)
	}
	copts, err := kgoconf.ConsumerOpts(c.Brokers, c.Consumer)
	if err != nil {
		return nil, fmt.Errorf("kafka channel %q: consumer: %w", set.Name, err)
	}
	if c.Producer.ClientID == "" {
		popts = append(popts, kgo.ClientID("flumego-"+set.Name))
	}
	if c.Consumer.ClientID == "" {
		copts = append(copts, kgo.ClientID("flumego-"+set.Name))
	}
	// Flume's channel flushes its producer at every commit: linger.ms
	// never delays a commit.
	ch.producerOpts = append(popts, kgo.DefaultProduceTopic(c.Topic), kgo.RecordPartitioner(newPartitioner()),
		kgo.ProducerLinger(0), kgoconf.Logger(ch.log))
	ch.consumerOpts = append(copts, kgo.ConsumeTopics(c.Topic), kgo.BlockRebalanceOnPoll(), kgoconf.Logger(ch.log))
	return ch, nil
}

// Channel is Flume's Kafka channel: a topic as a durable, shared channel.
// Puts produce records on commit; takes read them as a member of the
// consumer group and commit the group's offsets on commit.
type Channel struct {
	set          flume.Settings
	cfg          Config
	log          *slog.Logger
	producerOpts []kgo.Opt
	consumerOpts []kgo.Opt
	counter      Counter

	mu      sync.Mutex
	running bool
	prod    *kgo.Client
	cons    *consumer
	// stopping holds a consumer a Stop gave up waiting for; Start waits
	// for it first.
	stopping *consumer

	// The topic's partition count, for the puts that name a partition.
	partsMu    sync.Mutex
	nparts     int
	nrefreshed time.Time
}

var _ flume.Channel = (*Channel)(nil)

// Start creates the producer. The consumer is created by the first take,
// so that an agent that only puts never joins the consumer group (it would
// take partitions from the agents that read the channel), as in Flume.
// Neither connects before it is used.
func (ch *Channel) Start(context.Context) error {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.running {
		return nil
	}
	if s := ch.stopping; s != nil {
		select {
		case <-s.closed:
			ch.stopping = nil
		default:
			return fmt.Errorf("kafka channel %q: the previous consumer is still stopping", ch.set.Name)
		}
	}
	prod, err := kgo.NewClient(ch.producerOpts...)
	if err != nil {
		return fmt.Errorf("kafka channel %q: %w", ch.set.Name, err)
	}
	ch.prod, ch.running = prod, true
	ch.counter.Started()
	ch.log.Info("kafka channel started", "brokers", strings.Join(ch.cfg.Brokers, ","), "topic", ch.cfg.Topic,
		"group", ch.cfg.Consumer.GroupID, "parseAsFlumeEvent", ch.cfg.ParseAsFlumeEvent, "producer", ch.cfg.Producer.String())
	return nil
}

// Stop refuses new transactions, commits the offsets of committed takes,
// leaves the consumer group and closes the clients, at most until ctx
// ends. Open transactions fail to commit; their takes are read again by
// the group.
func (ch *Channel) Stop(ctx context.Context) error {
	ch.mu.Lock()
	prod, cons := ch.prod, ch.cons
	wasRunning := ch.running
	ch.running, ch.prod, ch.cons = false, nil, nil
	if cons == nil {
		cons = ch.stopping
	}
	ch.mu.Unlock()
	if prod != nil {
		prod.Close()
	}
	if cons != nil {
		if err := cons.close(ctx); err != nil {
			ch.mu.Lock()
			ch.stopping = cons
			ch.mu.Unlock()
			return fmt.Errorf("kafka channel %q: stop: %w", ch.set.Name, err)
		}
		ch.mu.Lock()
		if ch.stopping == cons {
			ch.stopping = nil
		}
		ch.mu.Unlock()
	}
	if wasRunning {
		ch.counter.Stopped()
		ch.log.Info("kafka channel stopped")
	}
	return nil
}

// Begin opens a transaction.
func (ch *Channel) Begin() (flume.Transaction, error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if !ch.running {
		return nil, flume.ErrClosed
	}
	return &tx{ch: ch, highest: -1}, nil
}

// Len returns 0: the events are in Kafka, where the channel does not count
// them (Flume's Kafka channel reports no size either). The agent therefore
// never waits at shutdown for a sink to drain it; nothing is lost, the
// group reads on from its committed offsets.
func (ch *Channel) Len() int { return 0 }

// Capacity returns 0: the channel holds what the topic holds.
func (ch *Channel) Capacity() int { return 0 }

// TransactionCapacity returns math.MaxInt32: Flume's Kafka channel bounds
// no transaction, so any batch size fits.
func (ch *Channel) TransactionCapacity() int { return math.MaxInt32 }

// producer returns the running producer, or ErrClosed.
func (ch *Channel) producer() (*kgo.Client, error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if !ch.running {
		return nil, flume.ErrClosed
	}
	return ch.prod, nil
}

// consumer returns the running consumer, creating it on first use.
func (ch *Channel) consumer() (*consumer, error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if !ch.running {
		return nil, flume.ErrClosed
	}
	if ch.cons == nil {
		c, err := newConsumer(ch)
		if err != nil {
			return nil, fmt.Errorf("kafka channel %q: consumer: %w", ch.set.Name, err)
		}
		ch.cons = c
		ch.log.Info("kafka channel: consumer created, joining the group", "group", ch.cfg.Consumer.GroupID, "topic", ch.cfg.Topic)
	}
	return ch.cons, nil
}

// checkPartition fails unless partition exists in the topic. It asks the
// brokers when the count it knows is older than metadata.max.age.ms or too
// small (partitions may have been added), so that a transaction naming a
// partition the topic lacks fails before any of its records is written:
// offered again, it would otherwise write its good records every time.
func (ch *Channel) checkPartition(ctx context.Context, prod *kgo.Client, partition int32) error {
	ch.partsMu.Lock()
	defer ch.partsMu.Unlock()
	if int(partition) < ch.nparts && time.Since(ch.nrefreshed) < ch.cfg.Producer.MetadataMaxAge {
		return nil
	}
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(ch.cfg.Topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, prod)
	if err != nil {
		return fmt.Errorf("%w: kafka channel %q: metadata of %s: %w", errCommitFailed, ch.set.Name, ch.cfg.Topic, err)
	}
	for _, t := range resp.Topics {
		if t.Topic != nil && *t.Topic == ch.cfg.Topic && t.ErrorCode == 0 {
			ch.nparts, ch.nrefreshed = len(t.Partitions), time.Now()
		}
	}
	if int(partition) >= ch.nparts {
		return fmt.Errorf("%w: kafka channel %q: partition %d does not exist: topic %s has %d partitions",
			flume.NewChannelError("invalid partition"), ch.set.Name, partition, ch.cfg.Topic, ch.nparts)
	}
	return nil
}

// revokeWait bounds how long a revocation waits for the transactions that
// hold records of the revoked partitions: half the rebalance timeout, at
// most 10 s (the whole group waits meanwhile).
func (ch *Channel) revokeWait() time.Duration {
	return min(ch.cfg.Consumer.MaxPollInterval/2, 10*time.Second)
}

// newUUID returns a random (version 4) UUID in its text form.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
