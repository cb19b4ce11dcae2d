package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func init() {
	Register(Scenario{Name: "kafka-source-null", Desc: "Kafka source (a topic of 6 partitions on 3 in-process brokers, N records already there) → memory → null, as a separate agent process", Run: kafkaSourceNull})
	Register(Scenario{Name: "exec-kafkachannel-null", Desc: "exec `cat` of N lines (-headers headers each) → Kafka channel (3 in-process brokers, 6 partitions, acks=all) → null, in one agent process", Run: execKafkaChannelNull})
}

const kafkaTopic = "bench"

// startKafka starts 3 in-process brokers (franz-go's kfake) with the
// benchmark topic in 6 partitions. The agent reaches them over loopback;
// their memory is the benchmark process's, not the agent's.
func startKafka() (*kfake.Cluster, error) {
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(6, kafkaTopic))
	if err != nil {
		return nil, fmt.Errorf("start the in-process Kafka brokers: %w", err)
	}
	return c, nil
}

// fillTopic writes p.Events records of p.EventSize-1 bytes (a line
// without its newline) to the topic.
func fillTopic(ctx context.Context, c *kfake.Cluster, p Params) (int64, error) {
	// Uncompressed, as Java producers write by default (compression.type
	// none): the padding would otherwise compress a hundredfold, and the
	// consumer's fetches (bounded in compressed bytes) would hold that
	// much more once decompressed.
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic(kafkaTopic),
		kgo.ProducerBatchMaxBytes(1<<20), kgo.ProducerLinger(5*time.Millisecond), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	pad := strings.Repeat("x", p.EventSize)
	var bytes int64
	const chunk = 10000
	for i := 0; i < p.Events; i += chunk {
		recs := make([]*kgo.Record, 0, chunk)
		for j := i; j < min(i+chunk, p.Events); j++ {
			num := strconv.Itoa(j + 1)
			v := num + " " + pad
			v = v[:max(p.EventSize-1, len(num))]
			recs = append(recs, &kgo.Record{Value: []byte(v)})
			bytes += int64(len(v) + 1)
		}
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			return 0, fmt.Errorf("fill the topic: %w", err)
		}
	}
	return bytes, nil
}

func kafkaSourceNull(ctx context.Context, p Params) (Result, error) {
	c, err := startKafka()
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	size, err := fillTopic(ctx, c, p)
	if err != nil {
		return Result{}, err
	}
	props := fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = org.apache.flume.source.kafka.KafkaSource
a1.sources.r1.kafka.bootstrap.servers = %s
a1.sources.r1.kafka.topics = %s
a1.sources.r1.kafka.consumer.auto.offset.reset = earliest
a1.sources.r1.batchSize = %d
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = %d
a1.channels.c1.transactionCapacity = %d
%s`, strings.Join(c.ListenAddrs(), ","), kafkaTopic, p.Batch, 10*p.Batch, p.Batch, nullSink("k1", p))
	r, err := runUntilLogged(ctx, p, "kafka-source-null", props, "null sink progress", size)
	r.Note = "from process start (group join included) to the null sink's last batch"
	return r, err
}

func execKafkaChannelNull(ctx context.Context, p Params) (Result, error) {
	in, size, err := input(p)
	if err != nil {
		return Result{}, err
	}
	c, err := startKafka()
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	props := fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.command = cat %s
a1.sources.r1.batchSize = %d
a1.sources.r1.channels = c1
%sa1.channels.c1.type = org.apache.flume.channel.kafka.KafkaChannel
a1.channels.c1.kafka.bootstrap.servers = %s
a1.channels.c1.kafka.topic = %s
%s`, in, p.Batch, headerInterceptors(p.Headers), strings.Join(c.ListenAddrs(), ","), kafkaTopic, nullSink("k1", p))
	r, err := runUntilLogged(ctx, p, "exec-kafkachannel-null", props, "null sink progress", size)
	r.Note = "from process start to the null sink's last batch: every event produced (acks=all) and consumed"
	return r, err
}
