package agent_test

import (
	"context"
	"fmt"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/builtin"
	"github.com/flumego/flume/conf"
)

// An agent embedded in a program: the configuration is built in memory, Run
// runs the agent until its context ends, and Snapshot shows the topology
// and the counters while it runs.
func Example() {
	props, err := conf.Parse("embedded.properties", []byte(`
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 500
a1.sources.r1.batchSize = 50
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
`))
	if err != nil {
		panic(err)
	}
	reg := flume.NewRegistry()
	if err := builtin.Register(reg); err != nil {
		panic(err)
	}
	a, err := agent.New(agent.Config{Source: agent.Static(conf.Agent("a1", props)), Registry: reg})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	// Wait until the channel has taken every event the source made.
	for taken(a.Snapshot()) < 500 {
		time.Sleep(10 * time.Millisecond)
	}
	s := a.Snapshot()
	for _, src := range s.Sources {
		fmt.Printf("source %s (%s) writes to %v through a %s selector\n", src.Name, src.Type, src.Channels, src.Selector)
	}
	for _, ch := range s.Channels {
		fmt.Printf("channel %s (%s) holds at most %d events\n", ch.Name, ch.Type, ch.Capacity)
	}
	for _, sk := range s.Sinks {
		fmt.Printf("sink %s (%s) takes from %s, run by %s\n", sk.Name, sk.Type, sk.Channel, sk.Runner)
	}
	cancel()
	fmt.Println("stopped:", <-done)
	// Output:
	// source r1 (seq) writes to [c1] through a replicating selector
	// channel c1 (memory) holds at most 100 events
	// sink k1 (null) takes from c1, run by k1
	// stopped: <nil>
}

// taken returns the channel c1's EventTakeSuccessCount.
func taken(s agent.Snapshot) float64 {
	ch, ok := s.Channel("c1")
	if !ok || len(ch.Counters) == 0 {
		return 0
	}
	for _, attr := range ch.Counters[0].Attributes() {
		if attr.Name == "EventTakeSuccessCount" {
			return attr.Value
		}
	}
	return 0
}
