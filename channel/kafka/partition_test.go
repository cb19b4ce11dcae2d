package kafka

import (
	"context"
	"strconv"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Records with a key go where Java's DefaultPartitioner puts them:
// toPositive(murmur2(key)) mod partitions, checked against the murmur2
// values of Kafka's own UtilsTest.
func TestKeyedPartitionAsJava(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"keys"}})
	ch := newChannel(t, "c1", props(c, "keys"))
	vectors := map[string]int32{"21": -973932308, "foobar": -790332482, "a-little-bit-long-string": -985981536,
		"a-little-bit-longer-string": -1486304829, "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971, "abc": 479470107}
	for key := range vectors {
		e := flume.NewEvent([]byte(key))
		e.SetHeader("key", key)
		put(t, ch, e)
	}
	recs := c.ReadAll(t, "keys")
	if len(recs) != len(vectors) {
		t.Fatalf("%d records", len(recs))
	}
	for _, r := range recs {
		want := int32(uint32(vectors[string(r.Key)])&0x7fffffff) % 6
		if r.Partition != want {
			t.Errorf("key %q in partition %d, Java puts it in %d", r.Key, r.Partition, want)
		}
	}
}

// defaultPartitionId sends every record to one partition, partitionIdHeader
// overrides it per event; a header that is not a partition number fails
// the put, a partition the topic lacks fails the commit (both channel
// errors, as in Flume), and nothing of such a transaction is written.
func TestPartitionSettings(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"parts"}})
	ch := newChannel(t, "c1", props(c, "parts", map[string]string{"defaultPartitionId": "4", "partitionIdHeader": "p"}))
	var evs []flume.Event
	for i := range 10 {
		e := flume.NewEvent([]byte(strconv.Itoa(i)))
		if i%2 == 1 {
			e.SetHeader("p", "1")
		}
		evs = append(evs, e)
	}
	put(t, ch, evs...)

	bad := flume.NewEvent([]byte("bad"))
	bad.SetHeader("p", "one")
	err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error { return tx.Put(context.Background(), bad) })
	if !flume.IsChannelError(err) {
		t.Fatalf("put with a non-integer partition id: %v, want a channel error", err)
	}
	bad.SetHeader("p", "6")
	err = flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), flume.NewEvent([]byte("fine")), bad)
	})
	if !flume.IsChannelError(err) {
		t.Fatalf("commit to partition 6 of 6: %v, want a channel error", err)
	}
	for _, r := range c.ReadAll(t, "parts") {
		e, err := decode(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(string(e.Body))
		if err != nil {
			t.Fatalf("unexpected record %q", r.Value)
		}
		want := int32(4)
		if n%2 == 1 {
			want = 1
		}
		if r.Partition != want {
			t.Errorf("event %d in partition %d, want %d", n, r.Partition, want)
		}
	}
}

// A put commit returns only once every record is acknowledged: while the
// brokers refuse writes it retries until kafka.producer.delivery.timeout.ms
// and then fails with a channel error (the transaction can be rolled back
// and the batch offered again), and nothing counts as put.
func TestPutCommitWaitsForAcks(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Brokers: 1, Topics: []string{"acks"}, Partitions: 1})
	ch := newChannel(t, "c1", props(c, "acks", map[string]string{"kafka.producer.delivery.timeout.ms": "1000",
		"kafka.producer.request.timeout.ms": "500"}))
	fault := c.Kfake().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: kerr.NotEnoughReplicas, Count: -1})
	tx, err := ch.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Put(context.Background(), numbered(0, 5)...); err != nil {
		t.Fatal(err)
	}
	err = tx.Commit(context.Background())
	if !flume.IsChannelError(err) {
		t.Fatalf("commit while the broker refuses: %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatalf("rollback after a failed commit: %v", err)
	}
	if got := ch.counter.EventPutSuccessCount.Load(); got != 0 {
		t.Fatalf("EventPutSuccessCount = %d after a refused commit", got)
	}
	fault.Remove()
	put(t, ch, numbered(0, 5)...)
	// The same with Kafka's idempotent producer, which kgo has (the sink's
	// kafka-go does not): enable.idempotence = true is honoured.
	idem := newChannel(t, "c2", props(c, "acks", map[string]string{"kafka.producer.enable.idempotence": "true"}))
	put(t, idem, numbered(5, 10)...)
	if got := len(c.ReadAll(t, "acks")); got != 10 {
		t.Fatalf("%d records in the topic, want 10", got)
	}
}
