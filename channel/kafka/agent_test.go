package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/flumego/flume/serializer"
	"github.com/flumego/flume/sink/fileroll"
	"github.com/flumego/flume/source"
	"github.com/flumego/flume/source/exec"
	kafkasource "github.com/flumego/flume/source/kafka"
	"github.com/flumego/flume/source/seq"
)

// runAgent builds and starts an agent from a properties text, failing on
// any problem (warnings included); it is stopped when the test ends.
func runAgent(t *testing.T, name, text string) *agent.Graph {
	t.Helper()
	r := flume.NewRegistry()
	if err := errors.Join(Register(r), kafkasource.Register(r), seq.Register(r), exec.Register(r), memory.Register(r), fileroll.Register(r),
		source.Register(r), serializer.Register(r)); err != nil {
		t.Fatal(err)
	}
	props, err := conf.Parse(name+".properties", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	g, problems := agent.Build(conf.Agent(name, props), agent.Options{Registry: r})
	for _, p := range problems {
		t.Errorf("agent %s: %v", name, p)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := g.Stop(ctx); err != nil {
			t.Errorf("stop agent %s: %v", name, err)
		}
	})
	return g
}

// TestAgentsShareTheChannel: the deployment the Kafka channel is for, as
// Flume runs it. One agent has a source and the channel and no sink (the
// channel is its output); another has the channel and a sink and no source
// (another process produces). Neither agent drops its channel, and every
// event the first one generates lands in the second one's files, once.
func TestAgentsShareTheChannel(t *testing.T) {
	const n = 20000
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"events"}})
	runAgent(t, "producer", fmt.Sprintf(`
producer.sources = r1
producer.channels = c1
producer.sources.r1.type = seq
producer.sources.r1.totalEvents = %d
producer.sources.r1.batchSize = 500
producer.sources.r1.channels = c1
producer.channels.c1.type = org.apache.flume.channel.kafka.KafkaChannel
producer.channels.c1.kafka.bootstrap.servers = %s
producer.channels.c1.kafka.topic = events
`, n, c.Bootstrap()))
	out := t.TempDir()
	runAgent(t, "consumer", fmt.Sprintf(`
consumer.channels = c1
consumer.sinks = k1
consumer.channels.c1.type = org.apache.flume.channel.kafka.KafkaChannel
consumer.channels.c1.kafka.bootstrap.servers = %s
consumer.channels.c1.kafka.topic = events
consumer.channels.c1.kafka.consumer.group.id = writers
consumer.sinks.k1.type = file_roll
consumer.sinks.k1.channel = c1
consumer.sinks.k1.sink.directory = %s
consumer.sinks.k1.sink.rollInterval = 0
consumer.sinks.k1.sink.batchSize = 500
`, c.Bootstrap(), out))
	flumetest.WaitFor(t, time.Minute, "every event in the files", func() bool { return countLines(t, out) >= n })
	seen := numbersIn(t, out)
	for v, k := range seen {
		if v < 0 || v >= n || k > 1 {
			t.Fatalf("number %d: out of range or repeated", v)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d distinct events, want %d", len(seen), n)
	}
}

// completeLines returns the complete lines of the files in dir: a file
// being written may end in part of a line.
func completeLines(t testing.TB, dir string) [][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
			out = append(out, bytes.Split(data[:i], []byte("\n"))...)
		}
	}
	return out
}

func countLines(t testing.TB, dir string) int { return len(completeLines(t, dir)) }

// numbersIn tallies the numbers written in dir: number → times.
func numbersIn(t testing.TB, dir string) map[int]int {
	t.Helper()
	seen := map[int]int{}
	for _, l := range completeLines(t, dir) {
		v, err := strconv.Atoi(string(l))
		if err != nil {
			t.Fatalf("line %q in %s", l, dir)
		}
		seen[v]++
	}
	return seen
}
