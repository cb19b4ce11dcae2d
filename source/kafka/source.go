package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/background"
	"github.com/flumego/flume/internal/kafkaconf"
	"github.com/flumego/flume/internal/kafkaconf/kgoconf"
	"github.com/flumego/flume/internal/zookeeper"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ClassName is the Java class name Flume configurations use for this
// source; Flume 1.11 gives it no short alias.
const ClassName = "org.apache.flume.source.kafka.KafkaSource"

// Register registers the Kafka source under Flume's class name.
func Register(r *flume.Registry) error {
	return r.RegisterSource(ClassName, Factory)
}

// Factory builds a Kafka source from its Flume properties. It reads key
// and trust stores but opens no connection: the consumer joins its group
// in Start.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, fmt.Errorf("kafka source %q: %w", set.Name, err)
	}
	s, err := New(set, c, out)
	if err != nil {
		return nil, err
	}
	set.Publish(&s.counter)
	return s, nil
}

// New returns a source for a configuration built in code (or parsed by
// ParseConfig).
func New(set flume.Settings, c Config, out flume.ChannelProcessor) (*Source, error) {
	if (len(c.Brokers) == 0 && c.ZooKeeper == "") || c.BatchSize < 1 || (len(c.Topics) == 0 && c.Regex == nil) {
		return nil, fmt.Errorf("kafka source %q: brokers, topics and a positive batch size are required", set.Name)
	}
	if c.Regex != nil && c.Regex.RE2() == nil {
		return nil, fmt.Errorf("kafka source %q: %s: the pattern needs a backtracking regex engine", set.Name, keyTopicsRegex)
	}
	s := &Source{set: set, cfg: c, out: out, log: set.Log(), fastHeaders: plainHeaders(c)}
	brokers := c.Brokers
	if len(brokers) == 0 {
		brokers = []string{"127.0.0.1:9092"} // looked up in ZooKeeper at Start: check the options now
	}
	opts, err := s.clientOpts(brokers)
	if err != nil {
		return nil, fmt.Errorf("kafka source %q: %w", set.Name, err)
	}
	if len(c.Brokers) > 0 {
		s.opts = opts
	}
	return s, nil
}

// Source is Flume's Kafka source: a member of a Kafka consumer group that
// hands the records of its partitions to its channels in batches and
// commits their offsets once the channels committed them.
type Source struct {
	set     flume.Settings
	cfg     Config
	out     flume.ChannelProcessor
	log     *slog.Logger
	opts    []kgo.Opt
	counter Counter
	task    background.Task
	// fastHeaders: see plainHeaders.
	fastHeaders bool
}

var (
	_ flume.Source  = (*Source)(nil)
	_ flume.Batcher = (*Source)(nil)
)

// BatchSize returns batchSize.
func (s *Source) BatchSize() (int, string) { return s.cfg.BatchSize, keyBatchSize }

// clientOpts returns the consumer's options: kafka.consumer.* through
// kafkaconf/kgoconf, the subscription, and the rebalance discipline the
// delivery guarantee rests on (BlockRebalanceOnPoll; the callbacks are
// added per run).
func (s *Source) clientOpts(brokers []string) ([]kgo.Opt, error) {
	opts, err := kgoconf.ConsumerOpts(brokers, s.cfg.Consumer)
	if err != nil {
		return nil, err
	}
	if s.cfg.Consumer.ClientID == "" {
		opts = append(opts, kgo.ClientID("flumego-"+s.set.Name))
	}
	if s.cfg.Regex != nil {
		opts = append(opts, kgo.ConsumeRegex(), kgo.ConsumeTopics(s.cfg.Regex.RE2().String()))
	} else {
		opts = append(opts, kgo.ConsumeTopics(s.cfg.Topics...))
	}
	return append(opts, kgo.BlockRebalanceOnPoll(), kgoconf.Logger(s.log)), nil
}

// Start creates the consumer, which joins its group in the background, and
// starts the source's goroutine. An unreachable cluster is not an error:
// the consumer keeps trying, as Java's does. With zookeeperConnect instead
// of brokers, Start first looks the brokers up in ZooKeeper (for at most
// 10 s); failing that, it fails, and the agent starts it again later.
func (s *Source) Start(ctx context.Context) error {
	opts := s.opts
	if opts == nil {
		brokers, err := s.lookUpBrokers(ctx)
		if err != nil {
			return fmt.Errorf("kafka source %q: %w", s.set.Name, err)
		}
		if opts, err = s.clientOpts(brokers); err != nil {
			return fmt.Errorf("kafka source %q: %w", s.set.Name, err)
		}
	}
	r := newRun(s)
	cl, err := kgo.NewClient(append(opts,
		kgo.OnPartitionsAssigned(r.assigned),
		kgo.OnPartitionsRevoked(r.revoked),
		kgo.OnPartitionsLost(r.lost),
	)...)
	if err != nil {
		return fmt.Errorf("kafka source %q: %w", s.set.Name, err)
	}
	r.cl = cl
	started, err := s.task.Start(r.loop)
	if !started {
		cl.Close() // already running, or the previous run is still stopping
		if err != nil {
			return fmt.Errorf("kafka source %q: %w", s.set.Name, err)
		}
		return nil
	}
	s.counter.Started()
	s.log.Info("kafka source started", "brokers", strings.Join(s.cfg.Brokers, ","), "topics", s.subscription(),
		"group", s.cfg.Consumer.GroupID, "batchSize", s.cfg.BatchSize, "batchDurationMillis", s.cfg.BatchDuration.Milliseconds())
	return nil
}

func (s *Source) subscription() string {
	if s.cfg.Regex != nil {
		return "regex " + s.cfg.Regex.String()
	}
	return strings.Join(s.cfg.Topics, ",")
}

// Stop ends the source: a batch the channels have not committed is
// abandoned (its records are read again by whoever owns their partitions
// next), the offsets of every batch the channels committed are committed,
// and the consumer leaves its group, so that its partitions move to the
// other members at once. It waits at most until ctx ends.
func (s *Source) Stop(ctx context.Context) error {
	ended, err := s.task.Stop(ctx)
	if ended {
		s.counter.Stopped()
		s.log.Info("kafka source stopped", "accepted", s.counter.EventAcceptedCount.Load())
	}
	if err != nil {
		return fmt.Errorf("kafka source %q: %w", s.set.Name, err)
	}
	return nil
}

// lookUpBrokers reads the brokers Kafka registered in ZooKeeper, with the
// listener named after the consumer's security protocol, as Flume's
// KafkaSource.lookupBootstrap does.
func (s *Source) lookUpBrokers(ctx context.Context) ([]string, error) {
	cs, err := zookeeper.ParseConnectString(s.cfg.ZooKeeper)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	zc, err := zookeeper.Dial(ctx, cs, 30*time.Second)
	if err != nil {
		return nil, err
	}
	defer zc.Close()
	listener := s.cfg.Consumer.Security.Protocol
	if listener == "" {
		listener = kafkaconf.Plaintext
	}
	brokers, err := zc.KafkaBrokers(ctx, listener)
	if err != nil {
		return nil, err
	}
	s.log.Info("kafka source: brokers looked up in ZooKeeper", "zookeeper", s.cfg.ZooKeeper, "brokers", strings.Join(brokers, ","))
	return brokers, nil
}

// commitTimeout bounds an offset commit: the request timeout, at least
// 5 s.
func (s *Source) commitTimeout() time.Duration {
	return max(s.cfg.Consumer.RequestTimeout, 5*time.Second)
}
