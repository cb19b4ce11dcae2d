package kafka

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// javaRecord is one record Java Flume's Kafka channel wrote, and the event
// it came from.
type javaRecord struct {
	event      flume.Event
	key, value []byte // key nil for a null key
}

// javaRecords reads testdata/java-flume-1.11-records.txt.
func javaRecords(t testing.TB) []javaRecord {
	t.Helper()
	f, err := os.Open("testdata/java-flume-1.11-records.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []javaRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("bad line %q", line)
		}
		r := javaRecord{event: flume.NewEvent([]byte(cols[0]))}
		if cols[1] != "-" {
			for _, kv := range strings.Split(cols[1], ",") {
				k, v, _ := strings.Cut(kv, "=")
				r.event.SetHeader(k, v)
			}
		}
		if cols[2] != "null" {
			if r.key, err = hex.DecodeString(cols[2]); err != nil {
				t.Fatal(err)
			}
		}
		if r.value, err = hex.DecodeString(cols[3]); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if len(out) != 3 {
		t.Fatalf("%d records in the golden file", len(out))
	}
	return out
}

// The encoder writes exactly Java's bytes, and decode reads them back.
func TestGoldenValues(t *testing.T) {
	var enc encoder
	for _, r := range javaRecords(t) {
		if got := enc.append(nil, r.event); !bytes.Equal(got, r.value) {
			t.Errorf("%q %v: encoded %x, Java wrote %x", r.event.Body, flumetest.Headers(r.event), got, r.value)
		}
		e, err := decode(r.value)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Body, r.event.Body) || !maps.Equal(flumetest.Headers(e), flumetest.Headers(r.event)) {
			t.Errorf("decoded %q %v, want %q %v", e.Body, flumetest.Headers(e), r.event.Body, flumetest.Headers(r.event))
		}
	}
}

// Both directions through a topic: what the channel puts is, record for
// record, what Java Flume's channel writes (value, key, no record
// headers); and records as Java writes them are taken as the events Java
// put, the record key back in header key.
func TestGoldenThroughKafka(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Brokers: 1, Topics: []string{"go-wrote", "java-wrote"}, Partitions: 1})
	golden := javaRecords(t)

	ch := newChannel(t, "c1", props(c, "go-wrote"))
	for _, r := range golden {
		put(t, ch, r.event)
	}
	recs := c.ReadAll(t, "go-wrote")
	if len(recs) != len(golden) {
		t.Fatalf("%d records in the topic", len(recs))
	}
	for i, rec := range recs {
		want := golden[i]
		if !bytes.Equal(rec.Value, want.value) || !bytes.Equal(rec.Key, want.key) || (rec.Key == nil) != (want.key == nil) {
			t.Errorf("record %d: key %x value %x, Java wrote key %x value %x", i, rec.Key, rec.Value, want.key, want.value)
		}
		if len(rec.Headers) != 0 {
			t.Errorf("record %d has Kafka record headers %v; Java's channel writes none", i, rec.Headers)
		}
	}

	var java []*kgo.Record
	for _, r := range golden {
		java = append(java, &kgo.Record{Key: r.key, Value: r.value})
	}
	c.Produce(t, "java-wrote", java...)
	reader := newChannel(t, "c2", props(c, "java-wrote", map[string]string{"kafka.consumer.group.id": "readers"}))
	got := takeN(t, reader, len(golden), 30*time.Second)
	for i, e := range got {
		want := golden[i].event
		if !bytes.Equal(e.Body, want.Body) || !maps.Equal(flumetest.Headers(e), flumetest.Headers(want)) {
			t.Errorf("event %d: %q %v, Java put %q %v", i, e.Body, flumetest.Headers(e), want.Body, flumetest.Headers(want))
		}
	}
}

// With parseAsFlumeEvent = false the value is the body and the headers are
// lost, except key, which travels as the record key.
func TestRawBodies(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Brokers: 1, Topics: []string{"raw"}, Partitions: 1})
	ch := newChannel(t, "c1", props(c, "raw", map[string]string{"parseAsFlumeEvent": "false"}))
	e := flume.NewEvent([]byte("raw body"))
	e.SetHeader("key", "k")
	e.SetHeader("lost", "x")
	put(t, ch, e, flume.NewEvent(nil))
	recs := c.ReadAll(t, "raw")
	if len(recs) != 2 || string(recs[0].Value) != "raw body" || string(recs[0].Key) != "k" || recs[1].Value == nil || len(recs[1].Value) != 0 || recs[1].Key != nil {
		t.Fatalf("records %+v", recs)
	}
	got := takeN(t, ch, 2, 30*time.Second)
	if string(got[0].Body) != "raw body" || !maps.Equal(flumetest.Headers(got[0]), map[string]string{"key": "k"}) || len(got[1].Body) != 0 || got[1].HeaderCount() != 0 {
		t.Fatalf("events %v", got)
	}
}

// A record that is not an AvroFlumeEvent fails the take with a channel
// error, as in Flume; the take after it goes on with the next record.
func TestUndecodableRecordFailsTake(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Brokers: 1, Topics: []string{"bad"}, Partitions: 1})
	golden := javaRecords(t)
	c.Produce(t, "bad", &kgo.Record{Value: golden[0].value}, &kgo.Record{Value: []byte("not avro at all")}, &kgo.Record{Value: golden[1].value})
	ch := newChannel(t, "c1", props(c, "bad", map[string]string{"kafka.consumer.group.id": "g"}))
	var failed error
	var got []flume.Event
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			evs, err := tx.Take(context.Background(), 10)
			if err == nil {
				got = append(got, evs...)
			}
			return err
		})
		if err != nil {
			if !flume.IsChannelError(err) {
				t.Fatalf("take failed with %v, not a channel error", err)
			}
			failed = err
		}
	}
	if failed == nil {
		t.Fatal("no take failed")
	}
	if len(got) != 2 || string(got[0].Body) != "1" || string(got[1].Body) != "101" {
		t.Fatalf("took %v", got)
	}
	stopChannel(t, ch)
	if off := c.Committed(t, "g", "bad")[0]; off != 3 {
		t.Errorf("committed offset %d, want 3", off)
	}
}
