package kafka

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/flumego/flume/source"
	"github.com/flumego/flume/source/exec"
	"github.com/twmb/franz-go/pkg/kfake"
)

// The whole agent from a properties file, as the seed's configuration
// writes it: exec `seq 1 50000` → memory → Kafka sink with the old-style
// names (topic, brokerList, requiredAcks, batchSize), against a 3-broker
// kfake cluster, read back with kgo.
func TestAgentExecSeqToKafka(t *testing.T) {
	const n = 50000
	c := newCluster(t, kfake.NumBrokers(3), kfake.SeedTopics(3, "seq-agent"))
	r := flume.NewRegistry()
	if err := errors.Join(memory.Register(r), exec.Register(r), source.Register(r)); err != nil {
		t.Fatal(err)
	}
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	props, err := conf.Parse("agent.properties", []byte(`
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = exec
a1.sources.r1.command = seq 1 `+strconv.Itoa(n)+`
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 100
a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink
a1.sinks.k1.channel = c1
a1.sinks.k1.topic = seq-agent
a1.sinks.k1.brokerList = `+strings.Join(c.ListenAddrs(), ",")+`
a1.sinks.k1.requiredAcks = 1
a1.sinks.k1.batchSize = 20
`))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	groups := map[string]flume.CounterGroup{}
	g, problems := agent.Build(conf.Agent("a1", props), agent.Options{
		Registry: r,
		Publish: func(name string, cg flume.CounterGroup) {
			mu.Lock()
			defer mu.Unlock()
			groups[name] = cg
		},
	})
	for _, p := range problems {
		if p.Severity == flume.Error || !strings.Contains(p.Message, "deprecated") {
			t.Errorf("unexpected problem: %v", p)
		}
	}
	if len(problems) != 4 {
		t.Errorf("want 4 deprecation warnings, got %v", problems)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	sinkCounters := groups["k1"]
	mu.Unlock()
	if sinkCounters == nil {
		t.Fatal("the Kafka sink published no counters")
	}
	flumetest.WaitFor(t, 2*time.Minute, "the sink to commit every line", func() bool {
		return attr(sinkCounters, "EventDrainSuccessCount") == n
	})
	if err := g.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkSeq(t, kafkatest.ReadAll(t, c.ListenAddrs(), "seq-agent"), n)
}
