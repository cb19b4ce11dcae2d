package kafka

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/flumego/flume/sinkrunner"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const outageKeys = 8

// keyedEvents returns events with bodies "0".."n-1" and key header
// "k<i mod outageKeys>", so every key has a defined order.
func keyedEvents(n int) []flume.Event {
	out := make([]flume.Event, n)
	for i := range out {
		out[i] = flumetest.EventWithHeaders([]byte(strconv.Itoa(i)), map[string]string{"key": "k" + strconv.Itoa(i%outageKeys)})
	}
	return out
}

// checkNoLossInOrder asserts that every event 0..n-1 is in records and that,
// per key, the first copies of the events are in sending order: the only
// anomaly allowed is a re-sent batch (duplicates), never a gap or an
// inversion. It returns the number of duplicate records.
func checkNoLossInOrder(t *testing.T, records []*kgo.Record, n int) int {
	t.Helper()
	seen := make([]bool, n)
	last := map[string]int{}
	dups := 0
	for _, r := range records {
		v, err := strconv.Atoi(string(r.Value))
		if err != nil || v < 0 || v >= n {
			t.Fatalf("unexpected record %q", r.Value)
		}
		if want := "k" + strconv.Itoa(v%outageKeys); string(r.Key) != want {
			t.Fatalf("record %d has key %q, want %q", v, r.Key, want)
		}
		if seen[v] {
			dups++
			continue
		}
		seen[v] = true
		k := string(r.Key)
		if prev, ok := last[k]; ok && v < prev {
			t.Fatalf("key %s: event %d first appears after event %d", k, v, prev)
		}
		last[k] = v
	}
	for v, ok := range seen {
		if !ok {
			t.Fatalf("event %d is missing from Kafka (%d records read)", v, len(records))
		}
	}
	return dups
}

// countingSink counts Process calls, to show an outage does not spin.
type countingSink struct {
	*Sink
	calls atomic.Int64
}

func (c *countingSink) Process(ctx context.Context) (flume.Status, error) {
	c.calls.Add(1)
	return c.Sink.Process(ctx)
}

// A broker outage in the middle of the stream: the cluster goes away
// (every connection drops, nothing listens), the sink fails its batches,
// rolls back and backs off; the cluster comes back on the same ports with
// its data; the sink carries on. Every committed event is in Kafka, in
// order per key, duplicates only for batches whose acknowledgement was lost.
func TestBrokerOutageLosesNothing(t *testing.T) {
	const n = 20000
	dir := t.TempDir()
	c1, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "outage"), kfake.DataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	addrs := c1.ListenAddrs()
	port, _ := strconv.Atoi(addrs[0][strings.LastIndexByte(addrs[0], ':')+1:])

	ch := newChannel(t, n, 100, keyedEvents(n))
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers":            addrs[0],
		"kafka.topic":                        "outage",
		"flumeBatchSize":                     "100",
		"kafka.producer.acks":                "all",
		"kafka.producer.request.timeout.ms":  "1000",
		"kafka.producer.delivery.timeout.ms": "3000",
		"kafka.producer.retries":             "2",
		"kafka.producer.metadata.max.age.ms": "500",
	}, ch)
	cs := &countingSink{Sink: s}
	r := sinkrunner.New("k1", cs, nil)
	r.ErrorBackoff = 200 * time.Millisecond
	r.BackoffStep, r.MaxBackoff = 10*time.Millisecond, 10*time.Millisecond

	produced := c1.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Observe: true, Count: -1})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = r.Stop(context.Background())
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := produced.Wait(ctx, 40); err != nil {
		t.Fatal(err)
	}
	c1.Close() // the outage
	down := time.Now()
	before := s.counter.EventDrainSuccessCount.Load()
	flumetest.WaitFor(t, 30*time.Second, "failed batches during the outage", func() bool { return s.counter.RollbackCount.Load() >= 3 })
	callsDuring := cs.calls.Load()
	outage := time.Since(down)

	c2, err := kfake.NewCluster(kfake.Ports(port), kfake.DataDir(dir))
	if err != nil {
		t.Fatalf("restart the cluster on port %d: %v", port, err)
	}
	defer c2.Close()
	flumetest.WaitFor(t, time.Minute, "every event committed after recovery", func() bool {
		return s.counter.EventDrainSuccessCount.Load() == n
	})
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if ch.Len() != 0 {
		t.Fatalf("%d events left in the channel", ch.Len())
	}
	// The runner sleeps 200 ms after each failed Process; a Process call
	// gives up within delivery.timeout.ms. Many more calls would be a spin.
	if max := int64(outage/r.ErrorBackoff) + 3; callsDuring > max+int64(before/100)+2 {
		t.Errorf("%d Process calls in an outage of %s: spinning", callsDuring, outage)
	}
	dups := checkNoLossInOrder(t, kafkatest.ReadAll(t, c2.ListenAddrs(), "outage"), n)
	t.Logf("outage of %s: %d events committed before it, %d rollbacks, %d duplicate records",
		outage.Round(time.Millisecond), before, s.counter.RollbackCount.Load(), dups)
}

// A broker appends a batch but its acknowledgement is lost (here: the
// produce request is answered REQUEST_TIMED_OUT after the append, as a real
// broker may). Kafka's non-idempotent producer cannot tell, and retries:
// the batch is written twice, whole, in order; nothing is lost.
func TestLostAcknowledgementDuplicatesOneBatch(t *testing.T) {
	const n = 1000
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "dup"))
	ch := newChannel(t, n, 100, keyedEvents(n))
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers": c.ListenAddrs()[0],
		"kafka.topic":             "dup",
		"kafka.producer.retries":  "0", // the sink's own rollback does the retry
	}, ch)
	drainAll(t, s, 300)
	c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: kerr.RequestTimedOut})
	if _, err := s.Process(t.Context()); err == nil || !strings.Contains(err.Error(), "REQUEST_TIMED_OUT") && !strings.Contains(err.Error(), "Request Timed Out") {
		t.Fatalf("Process with a lost acknowledgement: %v", err)
	}
	if got := s.counter.RollbackCount.Load(); got != 1 {
		t.Fatalf("RollbackCount = %d, want 1", got)
	}
	if ch.Len() != n-300 {
		t.Fatalf("channel holds %d events after the rollback, want %d", ch.Len(), n-300)
	}
	drainAll(t, s, n)
	records := kafkatest.ReadAll(t, c.ListenAddrs(), "dup")
	if dups := checkNoLossInOrder(t, records, n); dups != 100 {
		t.Fatalf("%d duplicates, want exactly the one re-sent batch of 100", dups)
	}
	var got []string
	for _, r := range records[300:500] {
		got = append(got, string(r.Value))
	}
	want := fmt.Sprint(append(seqStrings(300, 400), seqStrings(300, 400)...))
	if fmt.Sprint(got) != want {
		t.Fatalf("records 300..500 are %v, want batch 300..399 twice", got)
	}
}

func seqStrings(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// A partition leader moves to another broker in the middle of the stream:
// kafka-go learns it from the refreshed metadata; nothing is lost.
func TestLeaderChangeLosesNothing(t *testing.T) {
	const n = 10000
	c := newCluster(t, kfake.NumBrokers(3), kfake.SeedTopics(3, "moving"))
	ch := newChannel(t, n, 100, keyedEvents(n))
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers":            strings.Join(c.ListenAddrs(), ","),
		"kafka.topic":                        "moving",
		"kafka.producer.acks":                "all",
		"kafka.producer.metadata.max.age.ms": "200",
	}, ch)
	moved := false
	ctx := t.Context()
	for s.counter.EventDrainSuccessCount.Load() < n {
		if !moved && s.counter.EventDrainSuccessCount.Load() >= n/3 {
			c.ShufflePartitionLeaders()
			moved = true
		}
		if _, err := s.Process(ctx); err != nil {
			t.Logf("process during the leader change: %v", err) // rolled back, retried
		}
	}
	dups := checkNoLossInOrder(t, kafkatest.ReadAll(t, c.ListenAddrs(), "moving"), n)
	t.Logf("%d rollbacks, %d duplicates", s.counter.RollbackCount.Load(), dups)
}
