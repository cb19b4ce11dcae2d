package kafka

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
)

// outage is how long the brokers are down in TestBrokerOutage: issue 15's
// 20 s, twice the consumers' default session timeout (10 s), so that the
// groups lose their members, which must reconnect, rejoin and refetch
// their offsets, and longer than every request timeout and retry backoff.
const outage = 20 * time.Second

// TestBrokerOutage: all three brokers go down for 20 s in the middle of
// two streams, one through each of the components that talk to Kafka, on
// their default settings:
//
//   - relay: exec (numbers, paced) → Kafka channel → file_roll: put
//     commits wait through the producer's retries (or fail, and the exec
//     source offers the batch again), takes find nothing until the
//     consumer has rejoined;
//   - reader: Kafka source → memory → file_roll, while a producer keeps
//     writing the source's topic: polls fail until the brokers are back.
//
// Nothing moves during the outage; afterwards both resume on their own and
// every number arrives. Duplicates are counted: only what was taken or
// read but whose offsets the outage kept from being committed.
func TestBrokerOutage(t *testing.T) {
	const n, per = 20000, 100 // numbers per stream, written in steps of per
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"relay", "in"}, Restartable: true})
	relayOut, readerOut := t.TempDir(), t.TempDir()
	// 100 numbers every 50 ms: about 10 s of stream, some 3 s of it
	// before the outage.
	gen := fmt.Sprintf(`i=0; while [ $i -lt %d ]; do seq $((i*%d)) $((i*%d+%d)); i=$((i+1)); sleep 0.05; done`, n/per, per, per, per-1)
	runAgent(t, "relay", fmt.Sprintf(`
relay.sources = r1
relay.channels = c1
relay.sinks = k1
relay.sources.r1.type = exec
relay.sources.r1.shell = /bin/sh -c
relay.sources.r1.command = %s
relay.sources.r1.batchSize = 100
relay.sources.r1.batchTimeout = 100
relay.sources.r1.channels = c1
relay.channels.c1.type = org.apache.flume.channel.kafka.KafkaChannel
relay.channels.c1.kafka.bootstrap.servers = %s
relay.channels.c1.kafka.topic = relay
relay.sinks.k1.type = file_roll
relay.sinks.k1.channel = c1
relay.sinks.k1.sink.directory = %s
relay.sinks.k1.sink.rollInterval = 0
relay.sinks.k1.sink.batchSize = 500
`, gen, c.Bootstrap(), relayOut))
	runAgent(t, "reader", fmt.Sprintf(`
reader.sources = r1
reader.channels = c1
reader.sinks = k1
reader.sources.r1.type = org.apache.flume.source.kafka.KafkaSource
reader.sources.r1.kafka.bootstrap.servers = %s
reader.sources.r1.kafka.topics = in
reader.sources.r1.kafka.consumer.auto.offset.reset = earliest
reader.sources.r1.batchSize = 500
reader.sources.r1.batchDurationMillis = 100
reader.sources.r1.channels = c1
reader.channels.c1.type = memory
reader.channels.c1.capacity = 10000
reader.channels.c1.transactionCapacity = 500
reader.sinks.k1.type = file_roll
reader.sinks.k1.channel = c1
reader.sinks.k1.sink.directory = %s
reader.sinks.k1.sink.rollInterval = 0
reader.sinks.k1.sink.batchSize = 500
`, c.Bootstrap(), readerOut))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var written atomic.Int64
	produced := make(chan error, 1)
	go func() { // the reader's topic: 2,000 records a second, through the outage
		produced <- c.Stream(ctx, "in", 0, n, per, 50*time.Millisecond, func(k int) { written.Store(int64(k)) })
	}()

	flumetest.WaitFor(t, time.Minute, "both streams under way", func() bool {
		return countLines(t, relayOut) >= n/10 && countLines(t, readerOut) >= n/10
	})
	if countLines(t, relayOut) >= n || written.Load() >= n {
		t.Fatal("a stream ended before the outage")
	}
	restart := c.Outage(t)
	start := time.Now()
	// Whatever was in flight when the brokers went (a sink's batch, the
	// memory channel's events) is written within seconds; after that
	// nothing can move until they are back.
	time.Sleep(outage / 2)
	relayMid, readerMid := countLines(t, relayOut), countLines(t, readerOut)
	time.Sleep(outage - time.Since(start))
	if got := countLines(t, relayOut); got != relayMid {
		t.Errorf("the relay wrote %d lines in the second half of the outage", got-relayMid)
	}
	if got := countLines(t, readerOut); got != readerMid {
		t.Errorf("the reader wrote %d lines in the second half of the outage", got-readerMid)
	}
	restart()
	back := time.Now()
	t.Logf("brokers back after %.1fs; %d and %d lines written by then", time.Since(start).Seconds(), relayMid, readerMid)
	flumetest.WaitFor(t, time.Minute, "both agents to resume", func() bool {
		return countLines(t, relayOut) > relayMid && countLines(t, readerOut) > readerMid
	})
	t.Logf("both resumed within %.1fs", time.Since(back).Seconds())

	for _, s := range []struct {
		name, dir string
		bound     int
	}{
		// The relay's duplicates: takes committed to file_roll whose
		// offsets could not be committed, at most a few sink batches.
		{"relay", relayOut, 4 * 500},
		// The reader's: the batch whose offset commit the outage
		// failed (the source reads no more until it succeeds), and one
		// in flight.
		{"reader", readerOut, 2 * 500},
	} {
		var seen map[int]int
		flumetest.WaitFor(t, 2*time.Minute, s.name+": every number after the outage", func() bool {
			seen = numbersIn(t, s.dir)
			return len(seen) >= n
		})
		dups := 0
		for i := range n {
			if seen[i] == 0 {
				t.Fatalf("%s: number %d never arrived", s.name, i)
			}
			dups += seen[i] - 1
		}
		if len(seen) != n {
			t.Fatalf("%s: %d distinct numbers, want %d", s.name, len(seen), n)
		}
		t.Logf("%s: all %d numbers %.1fs after the brokers came back, %d twice", s.name, n, time.Since(back).Seconds(), dups)
		if dups > s.bound {
			t.Errorf("%s: %d duplicates, more than %d", s.name, dups, s.bound)
		}
	}
	if err := <-produced; err != nil {
		t.Fatalf("producer: %v", err)
	}
}

// TestStopWhileBrokersDown: Stop returns promptly with every broker down,
// the consumer included.
func TestStopWhileBrokersDown(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Brokers: 1, Topics: []string{"down"}, Partitions: 1, Restartable: true})
	ch := newChannel(t, "c1", props(c, "down"))
	put(t, ch, numbered(0, 10)...)
	takeN(t, ch, 10, 30*time.Second)
	restart := c.Outage(t)
	defer restart()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := ch.Stop(ctx); err != nil {
		t.Fatalf("Stop with the brokers down: %v after %s", err, time.Since(start))
	}
	t.Logf("Stop took %s", time.Since(start))
}
