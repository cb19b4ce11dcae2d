package kafka

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func ev(body string, kv ...string) flume.Event {
	e := flume.Event{Body: []byte(body)}
	for i := 0; i+1 < len(kv); i += 2 {
		e.SetHeader(kv[i], kv[i+1])
	}
	return e
}

func byValue(records []*kgo.Record) map[string]*kgo.Record {
	m := map[string]*kgo.Record{}
	for _, r := range records {
		m[string(r.Value)] = r
	}
	return m
}

func recordHeaders(r *kgo.Record) map[string]string {
	m := map[string]string{}
	for _, h := range r.Headers {
		m[h.Key] = string(h.Value)
	}
	return m
}

// Topic from the topic header when allowed, else kafka.topic with %{header}
// replaced; key from the key header; partition from partitionIdHeader, else
// defaultPartitionId; timestamp from timestampHeader; header.* mappings.
func TestRecordMapping(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(4, "logs-web", "logs-db", "other", "custom"))
	events := []flume.Event{
		ev("a", "app", "web"),                                      // logs-%{app} → logs-web, partition 3 (default)
		ev("b", "app", "db", "key", "user-7"),                      // keyed
		ev("c", "app", "web", "topic", "other"),                    // topic header wins
		ev("d", "app", "web", "part", "1"),                         // partition header beats defaultPartitionId
		ev("e", "app", "web", "ts", "1600000000123", "host", "h1"), // timestamp and mapped header
		ev("f", "app", "web", "ts", "soon"),                        // bad timestamp: the current time
		ev("g", "key", ""),                                         // empty key, app missing → topic "logs-"? no: custom below
	}
	events[6].SetHeader("topic", "custom")
	ch := newChannel(t, 100, 100, events)
	before := time.Now().Add(-time.Second)
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers": c.ListenAddrs()[0],
		"kafka.topic":             "logs-%{app}",
		"defaultPartitionId":      "3",
		"partitionIdHeader":       "part",
		"timestampHeader":         "ts",
		"header.host":             "origin-host",
		"header.app":              "application",
	}, ch)
	drainAll(t, s, len(events))

	web := byValue(kafkatest.ReadAll(t, c.ListenAddrs(), "logs-web"))
	db := byValue(kafkatest.ReadAll(t, c.ListenAddrs(), "logs-db"))
	other := byValue(kafkatest.ReadAll(t, c.ListenAddrs(), "other"))
	custom := byValue(kafkatest.ReadAll(t, c.ListenAddrs(), "custom"))
	if len(web) != 4 || len(db) != 1 || len(other) != 1 || len(custom) != 1 {
		t.Fatalf("topics: web %d, db %d, other %d, custom %d", len(web), len(db), len(other), len(custom))
	}
	if r := web["a"]; r.Partition != 3 || r.Key != nil {
		t.Errorf("a: partition %d key %q, want 3 and no key", r.Partition, r.Key)
	}
	if r := db["b"]; string(r.Key) != "user-7" || r.Partition != 3 {
		t.Errorf("b: key %q partition %d", r.Key, r.Partition)
	}
	if r := web["d"]; r.Partition != 1 {
		t.Errorf("d: partition %d, want 1 from the header", r.Partition)
	}
	r := web["e"]
	if r.Timestamp.UnixMilli() != 1600000000123 {
		t.Errorf("e: timestamp %v", r.Timestamp.UnixMilli())
	}
	if h := recordHeaders(r); len(h) != 2 || h["origin-host"] != "h1" || h["application"] != "web" {
		t.Errorf("e: record headers %v", h)
	}
	if ts := web["f"].Timestamp; ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
		t.Errorf("f: timestamp %v, want about now", ts)
	}
	if ts := web["a"].Timestamp; ts.Before(before) {
		t.Errorf("a: timestamp %v, want about now (never the epoch)", ts)
	}
	if r := custom["g"]; r.Key == nil || len(r.Key) != 0 {
		t.Errorf("g: key %v, want empty but present", r.Key)
	}
	if h := recordHeaders(custom["g"]); len(h) != 0 {
		t.Errorf("g: record headers %v, want none", h)
	}
}

// With allowTopicOverride = false the topic header is ignored and kafka.topic
// is used verbatim, without escapes.
func TestTopicOverrideDisabled(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "fixed-%{app}", "other"))
	ch := newChannel(t, 10, 10, []flume.Event{ev("x", "topic", "other", "app", "web")})
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers": c.ListenAddrs()[0],
		"kafka.topic":             "fixed-%{app}",
		"allowTopicOverride":      "false",
	}, ch)
	drainAll(t, s, 1)
	if got := kafkatest.ReadAll(t, c.ListenAddrs(), "fixed-%{app}"); len(got) != 1 || string(got[0].Value) != "x" {
		t.Fatalf("fixed topic holds %d records", len(got))
	}
}

// A custom topicHeader, and kafkaRecordHeaders = all.
func TestTopicHeaderAndAllRecordHeaders(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "t1", "dflt"))
	ch := newChannel(t, 10, 10, []flume.Event{
		ev("one", "dest", "t1", "topic", "ignored", "a", "1"),
		ev("two", "b", "2"),
	})
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers": c.ListenAddrs()[0],
		"kafka.topic":             "dflt",
		"topicHeader":             "dest",
		"kafkaRecordHeaders":      "all",
		"header.a":                "renamed-a",
	}, ch)
	drainAll(t, s, 2)
	t1 := kafkatest.ReadAll(t, c.ListenAddrs(), "t1")
	if len(t1) != 1 || string(t1[0].Value) != "one" {
		t.Fatalf("t1: %d records", len(t1))
	}
	if h := recordHeaders(t1[0]); len(h) != 3 || h["dest"] != "t1" || h["topic"] != "ignored" || h["renamed-a"] != "1" {
		t.Errorf("record headers %v", h)
	}
	dflt := kafkatest.ReadAll(t, c.ListenAddrs(), "dflt")
	if len(dflt) != 1 || recordHeaders(dflt[0])["b"] != "2" {
		t.Fatalf("dflt: %v", dflt)
	}
}

// A non-integer partition id fails the batch (Flume's "Non integer
// partition id specified"); nothing is lost, the batch stays in the
// channel. So does a partition the topic does not have.
func TestBadPartitionFailsBatch(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(2, "p"))
	for _, tc := range []struct{ value, want string }{
		{"x1", "non integer partition id"},
		{"7", "partition 7 of topic \"p\" does not exist"},
		{"-1", "invalid partition -1"},
	} {
		ch := newChannel(t, 10, 10, []flume.Event{ev("ok"), ev("bad", "part", tc.value)})
		s := newSinkFrom(t, map[string]string{
			"kafka.bootstrap.servers": c.ListenAddrs()[0],
			"kafka.topic":             "p",
			"partitionIdHeader":       "part",
		}, ch)
		st, err := s.Process(t.Context())
		if err == nil || !strings.Contains(err.Error(), tc.want) || st != flume.Backoff {
			t.Fatalf("partition %q: status %v, error %v; want %q", tc.value, st, err, tc.want)
		}
		if ch.Len() != 2 || s.counter.RollbackCount.Load() != 1 || s.counter.EventDrainSuccessCount.Load() != 0 {
			t.Fatalf("partition %q: channel %d, rollbacks %d", tc.value, ch.Len(), s.counter.RollbackCount.Load())
		}
	}
	if got := kafkatest.ReadAll(t, c.ListenAddrs(), "p"); len(got) != 0 {
		t.Fatalf("%d records written by failed batches", len(got))
	}
}

// A topic with time escapes needs the timestamp header, as in Flume.
func TestTopicTimeEscapes(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "day-2020-09-13"))
	ts := time.Date(2020, 9, 13, 12, 26, 40, 0, time.Local).UnixMilli()
	ch := newChannel(t, 10, 10, []flume.Event{ev("x", "timestamp", formatInt(ts))})
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers": c.ListenAddrs()[0],
		"kafka.topic":             "day-%Y-%m-%d",
	}, ch)
	drainAll(t, s, 1)
	if got := kafkatest.ReadAll(t, c.ListenAddrs(), "day-2020-09-13"); len(got) != 1 {
		t.Fatalf("%d records", len(got))
	}
	ch2 := newChannel(t, 10, 10, []flume.Event{ev("no timestamp")})
	s2 := newSinkFrom(t, map[string]string{"kafka.bootstrap.servers": c.ListenAddrs()[0], "kafka.topic": "day-%Y"}, ch2)
	if _, err := s2.Process(t.Context()); !errors.Is(err, errNoTimestamp) {
		t.Fatalf("time escape without timestamp: %v", err)
	}
}

// useFlumeEventFormat: the value is a bare Avro AvroFlumeEvent datum. An
// independent Avro implementation (goavro) decodes it back into the headers
// and body, as Flume's Kafka source and channel do.
func TestFlumeEventFormatRoundTrip(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "avro"))
	events := []flume.Event{
		ev("hello", "a", "b", "host", "h1"),
		ev(""),
		flumetest.EventWithHeaders([]byte{0, 1, 2, 0xff}, map[string]string{"ü": "ñ\x00"}),
		ev(strings.Repeat("x", 300), "key", "k"),
	}
	ch := newChannel(t, 10, 10, events)
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers": c.ListenAddrs()[0],
		"kafka.topic":             "avro",
		"useFlumeEventFormat":     "true",
		"defaultPartitionId":      "0",
	}, ch)
	drainAll(t, s, len(events))
	codec, err := goavro.NewCodec(`{"type":"record","name":"AvroFlumeEvent","namespace":"org.apache.flume.source.avro",
		"fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	records := kafkatest.ReadAll(t, c.ListenAddrs(), "avro")
	if len(records) != len(events) {
		t.Fatalf("%d records", len(records))
	}
	for i, r := range records {
		native, rest, err := codec.NativeFromBinary(r.Value)
		if err != nil || len(rest) != 0 {
			t.Fatalf("record %d: goavro: %v (%d bytes left)", i, err, len(rest))
		}
		rec := native.(map[string]any)
		if body := rec["body"].([]byte); !bytes.Equal(body, events[i].Body) {
			t.Errorf("record %d: body %q, want %q", i, body, events[i].Body)
		}
		hdrs := rec["headers"].(map[string]any)
		if len(hdrs) != events[i].HeaderCount() {
			t.Errorf("record %d: headers %v, want %v", i, hdrs, flumetest.Headers(events[i]))
		}
		for k, v := range events[i].AllHeaders() {
			if hdrs[k] != v {
				t.Errorf("record %d: header %q = %v, want %q", i, k, hdrs[k], v)
			}
		}
		back, err := avroevent.Unmarshal(r.Value)
		if err != nil || !flumetest.SameEvent(back, events[i]) {
			t.Errorf("record %d: avroevent.Unmarshal = %v, %v", i, back, err)
		}
	}
	if string(records[3].Key) != "k" {
		t.Errorf("key %q", records[3].Key)
	}
}

// An empty channel: Backoff, BatchEmptyCount, nothing sent.
func TestEmptyChannelBacksOff(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "empty"))
	ch := newChannel(t, 10, 10, nil)
	s := newSinkFrom(t, map[string]string{"kafka.bootstrap.servers": c.ListenAddrs()[0], "kafka.topic": "empty"}, ch)
	st, err := s.Process(t.Context())
	if err != nil || st != flume.Backoff || s.counter.BatchEmptyCount.Load() != 1 {
		t.Fatalf("status %v, error %v, BatchEmptyCount %d", st, err, s.counter.BatchEmptyCount.Load())
	}
	if s.counter.ConnectionCreatedCount.Load() != 0 {
		t.Errorf("connected to Kafka with nothing to send")
	}
}

func formatInt(v int64) string { return strconv.FormatInt(v, 10) }

// acks=0: nothing is acknowledged and the records still arrive; a topic
// the cluster does not have yet is created, as Java's producer asks.
func TestAcksZeroAndAutoCreatedTopic(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(2))
	ch := newChannel(t, 1000, 100, seqEvents(1000))
	s := newSinkFrom(t, map[string]string{
		"kafka.bootstrap.servers": c.ListenAddrs()[0],
		"kafka.topic":             "created-on-demand",
		"kafka.producer.acks":     "0",
	}, ch)
	drainAll(t, s, 1000)
	// Unacknowledged produce requests may still be on their way.
	var got []*kgo.Record
	flumetest.WaitFor(t, 10*time.Second, "1000 records", func() bool {
		got = kafkatest.ReadAll(t, c.ListenAddrs(), "created-on-demand")
		return len(got) >= 1000
	})
	checkSeq(t, got, 1000)
}
