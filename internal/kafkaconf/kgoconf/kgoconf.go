package kgoconf

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/flumego/flume/internal/kafkaconf"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// maxWireTimeout is the longest timeout a Kafka request carries (an int32
// of milliseconds).
const maxWireTimeout = time.Duration(1<<31-1) * time.Millisecond

// clamp brings d within kgo's bounds, which are narrower than Java's
// for a few settings (kgo refuses a client configured outside them).
func clamp(d, lo, hi time.Duration) time.Duration { return min(max(d, lo), hi) }

// ClientOpts returns the options every client needs: the seed brokers,
// client id, timeouts, metadata age, retry backoff, TLS and SASL. Values
// outside the ranges kgo accepts are brought within them (a metadata age
// of at most an hour, an idle timeout of 100 ms to 15 min, a delivery
// timeout of at least 1 s, a fetch wait of at least 10 ms, ...).
func ClientOpts(brokers []string, c kafkaconf.Client) ([]kgo.Opt, error) {
	backoff := c.RetryBackoff
	maxAge := clamp(c.MetadataMaxAge, 10*time.Millisecond, time.Hour)
	opts := []kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.DialTimeout(c.DialTimeout),
		kgo.ConnIdleTimeout(clamp(c.IdleTimeout, 100*time.Millisecond, 15*time.Minute)),
		kgo.MetadataMaxAge(maxAge),
		// kgo waits at least this long between two refreshes (5 s by
		// default) and refuses a max age below it.
		kgo.MetadataMinAge(min(5*time.Second, maxAge)),
		kgo.RetryBackoffFn(func(int) time.Duration { return backoff }),
	}
	if c.ClientID != "" {
		opts = append(opts, kgo.ClientID(c.ClientID))
	}
	if c.Security.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(c.Security.TLS.Clone()))
	}
	if c.Security.SASL != nil {
		m, err := SASL(*c.Security.SASL)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// SASL returns kgo's mechanism for s.
func SASL(s kafkaconf.SASL) (sasl.Mechanism, error) {
	switch s.Mechanism {
	case kafkaconf.MechanismPlain:
		return plain.Auth{User: s.Username, Pass: s.Password}.AsMechanism(), nil
	case kafkaconf.MechanismScramSHA256:
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha256Mechanism(), nil
	case kafkaconf.MechanismScramSHA512:
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("SASL mechanism %q is not supported", s.Mechanism)
}

// ProducerOpts returns the options of a producer: ClientOpts and acks,
// compression, request sizes, linger, the delivery timeout, retries, and
// idempotence only with enable.idempotence = true (Kafka 2.7's default is
// off; kgo's own default is on).
func ProducerOpts(brokers []string, p kafkaconf.Producer) ([]kgo.Opt, error) {
	opts, err := ClientOpts(brokers, p.Client)
	if err != nil {
		return nil, err
	}
	var acks kgo.Acks
	switch p.Acks {
	case kafkaconf.AcksNone:
		acks = kgo.NoAck()
	case kafkaconf.AcksAll:
		acks = kgo.AllISRAcks()
	default:
		acks = kgo.LeaderAck()
	}
	if !p.Idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	return append(opts,
		kgo.RequiredAcks(acks),
		kgo.ProducerBatchCompression(compression(p.Compression)),
		kgo.ProducerBatchMaxBytes(int32(min(p.MaxRequestSize, 1<<30))),
		kgo.ProducerLinger(min(p.Linger, time.Minute)),
		kgo.ProduceRequestTimeout(clamp(p.RequestTimeout, 100*time.Millisecond, maxWireTimeout)),
		kgo.RecordDeliveryTimeout(max(p.DeliveryTimeout, time.Second)),
		kgo.RecordRetries(p.Retries),
	), nil
}

func compression(c kafkaconf.Compression) kgo.CompressionCodec {
	switch c {
	case kafkaconf.CompressionGzip:
		return kgo.GzipCompression()
	case kafkaconf.CompressionSnappy:
		return kgo.SnappyCompression()
	case kafkaconf.CompressionLz4:
		return kgo.Lz4Compression()
	case kafkaconf.CompressionZstd:
		return kgo.ZstdCompression()
	}
	return kgo.NoCompression()
}

// ConsumerOpts returns the options of a group consumer: ClientOpts and the
// group, its timing and balancers, where to start without a committed
// offset, the fetch sizes, the isolation level and rack, and auto-commit
// off (the component commits after its channel commit). The topics to
// consume are the component's to add.
func ConsumerOpts(brokers []string, c kafkaconf.Consumer) ([]kgo.Opt, error) {
	opts, err := ClientOpts(brokers, c.Client)
	if err != nil {
		return nil, err
	}
	var reset kgo.Offset
	switch c.AutoOffsetReset {
	case "earliest":
		reset = kgo.NewOffset().AtStart()
	case "none":
		reset = kgo.NoResetOffset()
	default:
		reset = kgo.NewOffset().AtEnd()
	}
	var balancers []kgo.GroupBalancer
	for _, a := range c.Assignors {
		switch a {
		case kafkaconf.AssignorRange:
			balancers = append(balancers, kgo.RangeBalancer())
		case kafkaconf.AssignorRoundRobin:
			balancers = append(balancers, kgo.RoundRobinBalancer())
		case kafkaconf.AssignorSticky:
			balancers = append(balancers, kgo.StickyBalancer())
		case kafkaconf.AssignorCooperativeSticky:
			balancers = append(balancers, kgo.CooperativeStickyBalancer())
		default:
			return nil, fmt.Errorf("partition assignor %q is not supported", a)
		}
	}
	isolation := kgo.ReadUncommitted()
	if c.ReadCommitted {
		isolation = kgo.ReadCommitted()
	}
	opts = append(opts,
		kgo.ConsumerGroup(c.GroupID),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(reset),
		kgo.SessionTimeout(clamp(c.SessionTimeout, 100*time.Millisecond, maxWireTimeout)),
		kgo.HeartbeatInterval(c.HeartbeatInterval),
		kgo.RebalanceTimeout(clamp(c.MaxPollInterval, 100*time.Millisecond, maxWireTimeout)),
		kgo.FetchMinBytes(int32(c.FetchMinBytes)),
		kgo.FetchMaxBytes(int32(c.FetchMaxBytes)),
		kgo.FetchMaxWait(max(c.FetchMaxWait, 10*time.Millisecond)),
		kgo.FetchMaxPartitionBytes(int32(c.MaxPartitionFetchBytes)),
		kgo.FetchIsolationLevel(isolation),
	)
	if len(balancers) > 0 {
		opts = append(opts, kgo.Balancers(balancers...))
	}
	if c.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(c.InstanceID))
	}
	if c.Rack != "" {
		opts = append(opts, kgo.Rack(c.Rack))
	}
	if !c.CheckCRCs {
		opts = append(opts, kgo.DisableFetchCRCValidation())
	}
	if c.AllowAutoTopicCreation {
		opts = append(opts, kgo.AllowAutoTopicCreation())
	}
	return opts, nil
}

// Logger returns the option that sends kgo's log to log at debug level
// (kgo logs every retry; the components report what matters to an
// operator themselves, rate limited). kgo builds no log line unless log
// is enabled for debug.
func Logger(log *slog.Logger) kgo.Opt {
	return kgo.WithLogger(slogLogger{log})
}

type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Level() kgo.LogLevel {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		return kgo.LogLevelDebug
	}
	return kgo.LogLevelNone
}

func (l slogLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	l.log.Debug("kgo: "+msg, append(keyvals, "kgo_level", level.String())...)
}

// DescribePartitions formats the partitions kgo hands a rebalance callback
// for a log line: "topic[0 1 2] other[3]", topics and partitions sorted.
func DescribePartitions(parts map[string][]int32) string {
	topics := make([]string, 0, len(parts))
	for t := range parts {
		topics = append(topics, t)
	}
	slices.Sort(topics)
	var b strings.Builder
	for _, t := range topics {
		ps := slices.Clone(parts[t])
		slices.Sort(ps)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s%v", t, ps)
	}
	return b.String()
}
