package kgoconf

import (
	"context"
	"crypto/tls"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkaconf"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestProduceAndConsumeOverSASLSSL: Flume properties read by kafkaconf and
// adapted here make kgo clients that talk to a real Kafka-protocol broker
// (kfake) over TLS with SCRAM, and a consumer group that starts at the
// earliest offset and commits only when told.
func TestProduceAndConsumeOverSASLSSL(t *testing.T) {
	f := tlstest.Generate(t)
	cert, err := tls.LoadX509KeyPair(f.ServerCertPEM, f.ServerKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "t"),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}}),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "flume", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)

	security := map[string]string{
		"security.protocol":       "SASL_SSL",
		"sasl.mechanism":          "SCRAM-SHA-512",
		"sasl.jaas.config":        kafkaconf.ScramLoginModule + ` required username="flume" password="secret";`,
		"ssl.truststore.location": f.TruststoreP12,
		"ssl.truststore.password": tlstest.Password,
		"ssl.truststore.type":     "PKCS12",
	}
	props := map[string]string{
		"kafka.producer.acks":                          "all",
		"kafka.producer.compression.type":              "zstd",
		"kafka.consumer.group.id":                      "g1",
		"kafka.consumer.fetch.max.wait.ms":             "0", // below kgo's minimum: clamped
		"kafka.consumer.partition.assignment.strategy": "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
	}
	for k, v := range security {
		props["kafka.producer."+k] = v
		props["kafka.consumer."+k] = v
	}
	cfg := flume.ContextFromMap(props)
	brokers := cluster.ListenAddrs()
	prod := kafkaconf.ParseProducer(cfg, kafkaconf.ProducerOptions{Acks: kafkaconf.AcksLeader})
	cons := kafkaconf.ParseConsumer(cfg, kafkaconf.ConsumerOptions{AutoOffsetReset: "earliest"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}

	popts, err := ProducerOpts(brokers, prod)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := kgo.NewClient(append(popts, kgo.DefaultProduceTopic("t"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprintf("event %d", i))
		if err := pc.ProduceSync(ctx, &kgo.Record{Value: []byte(want[i])}).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}

	copts, err := ConsumerOpts(brokers, cons)
	if err != nil {
		t.Fatal(err)
	}
	consume := func() *kgo.Client {
		cc, err := kgo.NewClient(append(copts, kgo.ConsumeTopics("t"))...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for len(got) < len(want) {
			fs := cc.PollRecords(ctx, cons.MaxPollRecords)
			if err := ctx.Err(); err != nil {
				t.Fatalf("consumed %d of %d records: %v", len(got), len(want), err)
			}
			fs.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", topic, p, err) })
			fs.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("consumed %q", got)
		}
		return cc
	}
	// The first member leaves without committing: auto-commit is off, so
	// the next member of the group reads every record again.
	consume().Close()
	cc := consume()
	defer cc.Close()
	if cc.OptValue(kgo.DisableAutoCommit) != true || cc.OptValue(kgo.ConsumerGroup) != "g1" ||
		pc.OptValue(kgo.RequiredAcks) != kgo.AllISRAcks() {
		t.Fatalf("options: auto-commit disabled %v, group %v, acks %v", cc.OptValue(kgo.DisableAutoCommit),
			cc.OptValue(kgo.ConsumerGroup), pc.OptValue(kgo.RequiredAcks))
	}
	if err := cc.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	var committed int64
	for _, ps := range cc.CommittedOffsets() {
		for _, o := range ps {
			committed += o.Offset
		}
	}
	if committed != int64(len(want)) {
		t.Fatalf("committed offsets add up to %d, want %d", committed, len(want))
	}
}

// The adapter keeps values Java accepts but kgo would refuse within kgo's
// bounds, so a configuration Flume takes never fails when the client is
// built.
func TestOptionsWithinKgoBounds(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{
		"kafka.producer.metadata.max.age.ms":     "7200000",
		"kafka.producer.connections.max.idle.ms": "3600000",
		"kafka.producer.request.timeout.ms":      "10",
		"kafka.producer.delivery.timeout.ms":     "10",
		"kafka.producer.linger.ms":               "600000",
		"kafka.consumer.metadata.max.age.ms":     "7200000",
		"kafka.consumer.session.timeout.ms":      "50",
		"kafka.consumer.heartbeat.interval.ms":   "10",
		"kafka.consumer.max.poll.interval.ms":    "10",
		"kafka.consumer.fetch.max.wait.ms":       "1",
		"kafka.consumer.auto.offset.reset":       "none",
		"kafka.consumer.check.crcs":              "false",
		"kafka.consumer.client.rack":             "r1",
		"kafka.consumer.group.instance.id":       "i1",
	})
	prod := kafkaconf.ParseProducer(cfg, kafkaconf.ProducerOptions{})
	cons := kafkaconf.ParseConsumer(cfg, kafkaconf.ConsumerOptions{})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	for name, build := range map[string]func() ([]kgo.Opt, error){
		"producer": func() ([]kgo.Opt, error) { return ProducerOpts([]string{"127.0.0.1:1"}, prod) },
		"consumer": func() ([]kgo.Opt, error) { return ConsumerOpts([]string{"127.0.0.1:1"}, cons) },
	} {
		opts, err := build()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c, err := kgo.NewClient(append(opts, kgo.ConsumeTopics("t"))...)
		if err != nil {
			t.Fatalf("%s: kgo refuses the options: %v", name, err)
		}
		if got := c.OptValue(kgo.MetadataMaxAge); got != time.Hour {
			t.Errorf("%s: metadata max age %v, want it capped at 1h", name, got)
		}
		c.Close()
	}
}

// A metadata age below kgo's default minimum (5 s) lowers the minimum
// with it instead of making kgo refuse the client: a source that must see
// new topics of its pattern quickly sets a low kafka.consumer.metadata.max.age.ms.
func TestShortMetadataAge(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"kafka.consumer.metadata.max.age.ms": "300"})
	cons := kafkaconf.ParseConsumer(cfg, kafkaconf.ConsumerOptions{})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	opts, err := ConsumerOpts([]string{"127.0.0.1:1"}, cons)
	if err != nil {
		t.Fatal(err)
	}
	c, err := kgo.NewClient(append(opts, kgo.ConsumeTopics("t"))...)
	if err != nil {
		t.Fatalf("kgo refuses the options: %v", err)
	}
	defer c.Close()
	if got := c.OptValue(kgo.MetadataMinAge); got != 300*time.Millisecond {
		t.Errorf("metadata min age %v, want 300ms", got)
	}
}

func TestDescribePartitions(t *testing.T) {
	if got := DescribePartitions(map[string][]int32{"b": {3, 1}, "a": {0}}); got != "a[0] b[1 3]" {
		t.Errorf("got %q", got)
	}
}
