package kafka

import (
	"strconv"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// seqEvents returns the events `seq 1 n` makes through the exec source:
// bodies "1" .. "n", no headers.
func seqEvents(n int) []flume.Event {
	out := make([]flume.Event, n)
	for i := range out {
		out[i] = flume.Event{Body: []byte(strconv.Itoa(i + 1))}
	}
	return out
}

// checkSeq asserts that records hold exactly the bodies 1..n, once each.
func checkSeq(t *testing.T, records []*kgo.Record, n int) {
	t.Helper()
	if len(records) != n {
		t.Fatalf("read %d records, want %d", len(records), n)
	}
	seen := make([]bool, n+1)
	for _, r := range records {
		v, err := strconv.Atoi(string(r.Value))
		if err != nil || v < 1 || v > n {
			t.Fatalf("unexpected record value %q", r.Value)
		}
		if seen[v] {
			t.Fatalf("record %d read twice", v)
		}
		seen[v] = true
	}
}

// The seed's old-style configuration: topic, brokerList, requiredAcks,
// batchSize, as found in many existing Flume files.
func TestOldStylePropertiesDeliver50000(t *testing.T) {
	const n = 50000
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(3, "seq"))
	ch := newChannel(t, n, 20, seqEvents(n))
	props := map[string]string{
		"topic":        "seq",
		"brokerList":   strings.Join(c.ListenAddrs(), ","),
		"requiredAcks": "1",
		"batchSize":    "20",
	}
	cfg := flume.ContextFromMap(props)
	sk, err := Factory(flume.Settings{Name: "k1"}, cfg, ch)
	if err != nil {
		t.Fatal(err)
	}
	for _, old := range []string{"topic", "brokerList", "requiredAcks", "batchSize"} {
		if !strings.Contains(problems(cfg), "warning: "+old+": ") || !strings.Contains(problems(cfg), "deprecated") {
			t.Errorf("no deprecation warning for %s:\n%s", old, problems(cfg))
		}
	}
	s := sk.(*Sink)
	if n, key := s.BatchSize(); n != 20 || key != "batchSize" || s.cfg.Producer.Acks != 1 || s.cfg.Topic != "seq" {
		t.Fatalf("old names not mapped: batch %d (%s) acks %d topic %q", n, key, s.cfg.Producer.Acks, s.cfg.Topic)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(t.Context()) })
	drainAll(t, s, n)
	if ch.Len() != 0 {
		t.Fatalf("channel still holds %d events", ch.Len())
	}
	checkSeq(t, kafkatest.ReadAll(t, c.ListenAddrs(), "seq"), n)
	if got := s.counter.BatchCompleteCount.Load(); got != n/20 {
		t.Errorf("BatchCompleteCount = %d, want %d", got, n/20)
	}
	if s.counter.RollbackCount.Load() != 0 {
		t.Errorf("RollbackCount = %d", s.counter.RollbackCount.Load())
	}
}

// New-style properties, acks=all, on a 3-broker cluster.
func TestNewStyleAcksAllThreeBrokers(t *testing.T) {
	const n = 50000
	c := newCluster(t, kfake.NumBrokers(3), kfake.SeedTopics(6, "seq-all"))
	ch := newChannel(t, n, 500, seqEvents(n))
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers":         strings.Join(c.ListenAddrs(), ","),
		"kafka.topic":                     "seq-all",
		"flumeBatchSize":                  "500",
		"kafka.producer.acks":             "-1",
		"kafka.producer.compression.type": "lz4",
	}, ch)
	if s.cfg.Producer.Acks != -1 {
		t.Fatalf("acks = %d", s.cfg.Producer.Acks)
	}
	drainAll(t, s, n)
	records := kafkatest.ReadAll(t, c.ListenAddrs(), "seq-all")
	checkSeq(t, records, n)
	parts := map[int32]int{}
	for _, r := range records {
		parts[r.Partition]++
	}
	if len(parts) < 2 {
		t.Errorf("records without keys all went to %d partition(s): %v", len(parts), parts)
	}
	if s.counter.ConnectionCreatedCount.Load() < 1 || s.counter.KafkaEventSendTimer.Load() < 0 {
		t.Errorf("counters: %+v", s.counter.Attributes())
	}
}
