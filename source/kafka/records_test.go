package kafka

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
	kafkasink "github.com/flumego/flume/sink/kafka"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestHeadersSurviveSinkToSource: events with headers go through Flume's
// Kafka sink with useFlumeEventFormat = true and come back out of the
// source with useFlumeEventFormat = true: bodies and every header
// unchanged, plus the headers the source adds where the event has none
// (topic, partition, offset, timestamp) and the key.
func TestHeadersSurviveSinkToSource(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"avro"}})
	var in []flume.Event
	for i := range 50 {
		e := flume.NewEvent([]byte("body " + strconv.Itoa(i)))
		e.SetHeader("seq", strconv.Itoa(i))
		e.SetHeader("host", "web-1")
		e.SetHeader("empty", "")
		e.SetHeader("ünïcode", "välue ✓")
		if i%2 == 0 {
			e.SetHeader("key", "k"+strconv.Itoa(i%5))
		}
		if i%3 == 0 { // the event's own values win over the record's
			e.SetHeader("timestamp", "12345")
			e.SetHeader("partition", "own-partition")
			e.SetHeader("offset", "own-offset")
			e.SetHeader("topic", "own-topic")
		}
		in = append(in, e)
	}
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	flumetest.Put(t, ch, in...)
	cfg := flume.ContextFromMap(map[string]string{"kafka.bootstrap.servers": c.Bootstrap(), "kafka.topic": "avro",
		"useFlumeEventFormat": "true", "flumeBatchSize": "50", "allowTopicOverride": "false"})
	snk, err := kafkasink.Factory(flume.Settings{Name: "k1"}, cfg, ch)
	if err != nil {
		t.Fatal(err)
	}
	if err := snk.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = snk.Stop(context.Background()) }()
	if _, err := snk.Process(context.Background()); err != nil || ch.Len() != 0 {
		t.Fatalf("the sink wrote %d of 50 events: %v", 50-ch.Len(), err)
	}

	out := &collector{}
	newSource(t, "r1", props(c, "avro", map[string]string{"useFlumeEventFormat": "true"}), out)
	flumetest.WaitFor(t, 30*time.Second, "the 50 events", func() bool { return out.len() >= 50 })
	got := map[string]flume.Event{}
	for _, e := range out.snapshot() {
		seq, _ := e.Header("seq")
		got[seq] = e
	}
	for i, want := range in {
		e, ok := got[strconv.Itoa(i)]
		if !ok {
			t.Fatalf("event %d did not arrive", i)
		}
		if string(e.Body) != string(want.Body) {
			t.Errorf("event %d: body %q, want %q", i, e.Body, want.Body)
		}
		for k, v := range want.AllHeaders() {
			if g, _ := e.Header(k); g != v {
				t.Errorf("event %d: header %q = %q, want %q", i, k, g, v)
			}
		}
		if i%3 != 0 {
			for _, h := range []string{"topic", "partition", "offset", "timestamp"} {
				if _, ok := e.Header(h); !ok {
					t.Errorf("event %d: no %s header", i, h)
				}
			}
			if topic, _ := e.Header("topic"); topic != "avro" {
				t.Errorf("event %d: topic header %q", i, topic)
			}
		}
		added := 4
		if i%3 == 0 {
			added = 0
		}
		if e.HeaderCount() != want.HeaderCount()+added {
			t.Errorf("event %d: %d headers, want %d + %d added: %v", i, e.HeaderCount(), want.HeaderCount(), added, flumetest.Headers(e))
		}
	}
}

// TestRecordHeaders: without useFlumeEventFormat the value is the body;
// the source sets timestamp (the record's), topic under topicHeader,
// partition, offset, and key when the record has one (an empty key is a
// key, a null key none), and copies the Kafka record headers named by
// header.* mappings; setTopicHeader = false leaves the topic out.
func TestRecordHeaders(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"plain"}, Partitions: 1})
	ts := time.UnixMilli(1700000000123)
	c.Produce(t, "plain",
		&kgo.Record{Value: []byte("no key"), Timestamp: ts, Headers: []kgo.RecordHeader{{Key: "X-Trace", Value: []byte("t-1")}, {Key: "other", Value: []byte("o")}}},
		&kgo.Record{Key: []byte{}, Value: []byte("empty key"), Timestamp: ts},
		&kgo.Record{Key: []byte("k1"), Value: nil, Timestamp: ts},
	)
	for _, tc := range []struct {
		name   string
		extra  map[string]string
		topic  map[string]string // the topic header, if any
		mapped bool              // with header.trace = X-Trace
	}{
		{"defaults", nil, map[string]string{"topic": "plain"}, false},
		{"defaults, mapped", nil, map[string]string{"topic": "plain"}, true},
		{"topicHeader", map[string]string{"topicHeader": "kafkaTopic"}, map[string]string{"kafkaTopic": "plain"}, false},
		{"topicHeader, mapped", map[string]string{"topicHeader": "kafkaTopic"}, map[string]string{"kafkaTopic": "plain"}, true},
		{"no topic header", map[string]string{"setTopicHeader": "false"}, nil, false},
		{"no topic header, mapped", map[string]string{"setTopicHeader": "false"}, nil, true},
		// Flume sets topic before partition, each only where absent.
		{"topicHeader partition", map[string]string{"topicHeader": "partition"}, map[string]string{"partition": "plain"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &collector{}
			p := props(c, "plain", map[string]string{"kafka.consumer.group.id": strings.ReplaceAll(strings.ReplaceAll(tc.name, " ", "-"), ",", "")}, tc.extra)
			if tc.mapped {
				p["header.trace"] = "X-Trace"
			}
			newSource(t, "r1", p, out)
			flumetest.WaitFor(t, 30*time.Second, "3 events", func() bool { return out.len() >= 3 })
			want := []map[string]string{
				{"timestamp": "1700000000123", "partition": "0", "offset": "0"},
				{"timestamp": "1700000000123", "partition": "0", "offset": "1", "key": ""},
				{"timestamp": "1700000000123", "partition": "0", "offset": "2", "key": "k1"},
			}
			bodies := []string{"no key", "empty key", ""}
			for i, e := range out.snapshot() {
				w := maps.Clone(want[i])
				if tc.mapped && i == 0 {
					w["trace"] = "t-1"
				}
				maps.Copy(w, tc.topic)
				if string(e.Body) != bodies[i] || !maps.Equal(flumetest.Headers(e), w) {
					t.Errorf("event %d: %q %v, want %q %v", i, e.Body, flumetest.Headers(e), bodies[i], w)
				}
			}
		})
	}
}

// TestUndecodableRecordIsSkipped: with useFlumeEventFormat a record that is
// not an AvroFlumeEvent is skipped and counted, as Flume skips it; the
// records around it arrive and its offset is committed with them.
func TestUndecodableRecordIsSkipped(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"mixed"}, Partitions: 1})
	good := func(body string) []byte { return append([]byte{0}, append([]byte{byte(2 * len(body))}, body...)...) }
	c.Produce(t, "mixed",
		&kgo.Record{Value: good("one")},
		&kgo.Record{Value: []byte("plain text, not Avro")},
		&kgo.Record{Value: good("two")},
	)
	out := &collector{}
	s := newSource(t, "r1", props(c, "mixed", map[string]string{"useFlumeEventFormat": "true", "kafka.consumer.group.id": "g"}), out)
	flumetest.WaitFor(t, 30*time.Second, "2 events", func() bool { return out.len() >= 2 })
	evs := out.snapshot()
	if len(evs) != 2 || string(evs[0].Body) != "one" || string(evs[1].Body) != "two" {
		t.Fatalf("events %v", evs)
	}
	if got := s.counter.EventReadFail.Load(); got != 1 {
		t.Errorf("EventReadFail = %d, want 1", got)
	}
	flumetest.WaitFor(t, 30*time.Second, "offset 3 committed", func() bool { return c.Committed(t, "g", "mixed")[0] == 3 })
}
