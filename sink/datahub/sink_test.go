package datahub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/datahubfake"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/sinkrunner"
)

const (
	testID  = "LTAI4FexampleId"
	testKey = "exampleAccessKeySecret"
)

// fake starts a DataHub fake with one topic and returns it with its URL.
// stored receives the running count of stored records after every put.
func fake(t testing.TB, project, topic, schema string, shards int) (*datahubfake.Server, string, <-chan int) {
	t.Helper()
	srv := datahubfake.New(testID, testKey)
	spec, err := datahubfake.ParseSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	spec.Shards = shards
	if err := srv.CreateTopic(project, topic, spec); err != nil {
		t.Fatal(err)
	}
	stored := make(chan int, 1000)
	total := 0
	srv.OnStore = func(_, _ string, recs []datahubfake.Record) {
		total += len(recs)
		select {
		case stored <- total:
		default:
		}
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, url, stored
}

func newChannel(t testing.TB, capacity int) *memory.Channel {
	t.Helper()
	return flumetest.MemoryChannel(t, capacity, capacity, 20*time.Millisecond)
}

func putLines(t testing.TB, ch flume.Channel, lines ...string) {
	t.Helper()
	evs := make([]flume.Event, len(lines))
	for i, l := range lines {
		evs[i] = flume.NewEvent([]byte(l))
	}
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error { return tx.Put(context.Background(), evs...) }); err != nil {
		t.Fatal(err)
	}
}

// newSink builds a started sink from properties.
func newSink(t testing.TB, props map[string]string, ch flume.Channel) (*Sink, *flume.Context) {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	s, err := Factory(flume.Settings{Name: "k1"}, cfg, ch)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MarkUsed("type", "channel") // read by the agent
	if unused := cfg.Unused(); len(unused) > 0 {
		t.Fatalf("keys reported as unknown: %v", unused)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s.(*Sink), cfg
}

func props2x(url string, extra map[string]string) map[string]string {
	p := map[string]string{
		"type": ClassName, "datahub.accessId": testID, "datahub.accessKey": testKey, "datahub.endPoint": url,
		"datahub.project": "flume_proj", "datahub.topic": "logs", "datahub.retryInterval": "0",
		"datahub.dirtyDataFile": filepath.Join(os.TempDir(), "unused-dirty"),
	}
	for k, v := range extra {
		if v == "" {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return p
}

func values(r datahubfake.Record) []string {
	out := make([]string, len(r.Values))
	for i, v := range r.Values {
		if v.Null {
			out[i] = "<null>"
		} else {
			out[i] = v.S
		}
	}
	return out
}

func waitStored(t *testing.T, stored <-chan int, n int) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case got := <-stored:
			if got >= n {
				return
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %d stored records", n)
		}
	}
}

// drain calls Process until the channel is empty.
func drain(t *testing.T, s *Sink, ch flume.Channel) {
	t.Helper()
	for i := 0; ch.Len() > 0; i++ {
		if i > 1000 {
			t.Fatal("channel does not drain")
		}
		if _, err := s.Process(context.Background()); err != nil {
			t.Fatalf("Process: %v", err)
		}
	}
}

// The configuration of the seed: 1.x names, a one-column DELIMITED
// serializer, batchSize 1 and the tutorials' ineffective shard keys. Run by
// the agent's sink runner, it writes every line as a record.
func TestSeedConfiguration(t *testing.T) {
	srv, url, stored := fake(t, "flume_proj", "seed_topic", "line:STRING", 2)
	ch := newChannel(t, 100)
	s, cfg := newSink(t, map[string]string{
		"type":                  ClassName,
		"datahub.accessID":      testID,
		"datahub.accessKey":     testKey,
		"datahub.endPoint":      url,
		"datahub.project":       "flume_proj",
		"datahub.topic":         "seed_topic",
		"serializer":            "DELIMITED",
		"serializer.delimiter":  ",",
		"serializer.fieldnames": "line",
		"batchSize":             "1",
		"shard.number":          "1",
		"shard.maxTimeOut":      "60",
	}, ch)
	if n, key := s.BatchSize(); !s.cfg.Legacy || n != 1 || key != "batchSize" || s.cfg.RetryTimes != -1 {
		t.Fatalf("1.x properties not recognised: %+v", s.cfg)
	}
	var warned []string
	for _, p := range cfg.Problems() {
		warned = append(warned, p.Key)
	}
	for _, k := range []string{"shard.number", "shard.maxTimeOut"} {
		if !strings.Contains(strings.Join(warned, " "), k) {
			t.Errorf("no warning for %s: %v", k, cfg.Problems())
		}
	}
	var lines []string
	for i := 0; i < 25; i++ {
		lines = append(lines, fmt.Sprintf("2024-05-01 12:00:%02d GET /index.html 200", i))
	}
	putLines(t, ch, lines...)

	r := sinkrunner.New("k1", s, nil)
	r.BackoffStep, r.MaxBackoff = 10*time.Millisecond, 50*time.Millisecond
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitStored(t, stored, len(lines))
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs := srv.Records("flume_proj", "seed_topic")
	if len(recs) != len(lines) {
		t.Fatalf("stored %d records, want %d", len(recs), len(lines))
	}
	shards := map[string]int{}
	for i, rec := range recs {
		if got := values(rec); !reflect.DeepEqual(got, []string{lines[i]}) {
			t.Fatalf("record %d = %q, want %q", i, got, lines[i])
		}
		shards[rec.Shard]++
	}
	if len(shards) != 2 {
		t.Errorf("batches were not spread over both shards: %v", shards)
	}
	if st := srv.Stats(); st.PutRequests != int64(len(lines)) {
		t.Errorf("%d put requests for %d batches of one", st.PutRequests, len(lines))
	}
	if n := s.counter.EventDrainSuccessCount.Load(); n != int64(len(lines)) {
		t.Errorf("EventDrainSuccessCount = %d", n)
	}
}

// A 2.x configuration with a three-column schema writes typed records, in
// both wire encodings and with compression.
func TestTypedRecords2x(t *testing.T) {
	for _, tc := range []struct{ pb, compress string }{{"true", ""}, {"false", ""}, {"true", "LZ4"}, {"false", "DEFLATE"}} {
		t.Run("pb="+tc.pb+",compress="+tc.compress, func(t *testing.T) {
			srv, url, _ := fake(t, "flume_proj", "logs", "id:BIGINT:notnull,name:STRING,score:DOUBLE", 1)
			ch := newChannel(t, 100)
			s, _ := newSink(t, props2x(url, map[string]string{
				"serializer": "DELIMITED", "serializer.delimiter": ",", "serializer.fieldnames": "id,name,score",
				"datahub.batchSize": "50", "datahub.enablePb": tc.pb, "datahub.compressType": tc.compress,
			}), ch)
			if s.cfg.Legacy || s.cfg.RetryTimes != 3 || s.cfg.BatchTimeout != 5*time.Second {
				t.Fatalf("2.x defaults not applied: %+v", s.cfg)
			}
			putLines(t, ch, "1, alice ,3.5", "+2,NULL,1e3", "-3,,0.1", "4,bob,-0", "0005,x y,1.5d")
			drain(t, s, ch)
			want := [][]string{
				{"1", "alice", "3.5"},
				{"2", "<null>", "1000.0"},
				{"-3", "", "0.1"},
				{"4", "bob", "-0.0"},
				{"5", "x y", "1.5"},
			}
			recs := srv.Records("flume_proj", "logs")
			if len(recs) != len(want) {
				t.Fatalf("stored %d records", len(recs))
			}
			for i, r := range recs {
				if got := values(r); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("record %d = %q, want %q", i, got, want[i])
				}
			}
			if st := srv.Stats(); st.PutRequests != 1 {
				t.Errorf("%d requests for one batch", st.PutRequests)
			}
		})
	}
}

func TestAllColumnTypes(t *testing.T) {
	schema := "s:STRING,b:BIGINT,ts:TIMESTAMP,d:DOUBLE,bo:BOOLEAN,de:DECIMAL,i:INTEGER,f:FLOAT,ti:TINYINT,si:SMALLINT,j:JSON,unlisted:STRING"
	srv, url, _ := fake(t, "flume_proj", "logs", schema, 1)
	ch := newChannel(t, 100)
	dirty := filepath.Join(t.TempDir(), "dirty")
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.delimiter": `"\u007C"`,
		"serializer.fieldnames": "s,b,ts,d,bo,de,i,f,ti,si,j", "datahub.dirtyDataFile": dirty,
	}), ch)
	putLines(t, ch,
		` text |9223372036854775807|1700000000000000|2.5E-4|TRUE|1.50e2|-7|0.1|-128|32767|{"a":[1,2]}`,
		`null|null|null|null|yes|-0.000|+0|1e40|127|-32768|null`,
		`x|1|1|NaN|false|.5|1|Infinity|128|1|1`, // TINYINT 128 out of range: dirty
		`x|1.5|1|1|true|1|1|1|1|1|1`,            // BIGINT 1.5: dirty
	)
	drain(t, s, ch)
	want := [][]string{
		{"text", "9223372036854775807", "1700000000000000", "2.5E-4", "true", "150", "-7", "0.1", "-128", "32767", `{"a":[1,2]}`, "<null>"},
		{"<null>", "<null>", "<null>", "<null>", "false", "0.000", "0", "Infinity", "127", "-32768", "<null>", "<null>"},
	}
	recs := srv.Records("flume_proj", "logs")
	if len(recs) != len(want) {
		t.Fatalf("stored %d records: %v", len(recs), recs)
	}
	for i, r := range recs {
		if got := values(r); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("record %d\n got %q\nwant %q", i, got, want[i])
		}
	}
	b, err := os.ReadFile(dirty)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"); len(lines) != 2 || !strings.Contains(lines[0], "|128|") || !strings.HasPrefix(lines[1], "x|1.5|") {
		t.Fatalf("dirty file = %q", b)
	}
}

// Lines with the wrong number of fields or an unparsable value go to the
// dirty-data file; the good lines of the batch are written.
func TestDirtyLines(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "id:BIGINT,name:STRING,score:DOUBLE", 1)
	ch := newChannel(t, 100)
	dirty := filepath.Join(t.TempDir(), "dirty", "file")
	if err := os.MkdirAll(filepath.Dir(dirty), 0o755); err != nil {
		t.Fatal(err)
	}
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "id,name,score", "datahub.dirtyDataFile": dirty,
	}), ch)
	lines := []string{"1,a,1.0", "2,b", "x,c,1.0", "4,d,4.0,extra", "5,e,five", "6,f,6.5"}
	putLines(t, ch, lines...)
	drain(t, s, ch)
	recs := srv.Records("flume_proj", "logs")
	if len(recs) != 2 || recs[0].Values[0].S != "1" || recs[1].Values[0].S != "6" {
		t.Fatalf("stored %v", recs)
	}
	b, err := os.ReadFile(dirty)
	if err != nil {
		t.Fatal(err)
	}
	if want := "2,b\nx,c,1.0\n4,d,4.0,extra\n5,e,five\n"; string(b) != want {
		t.Fatalf("dirty file = %q, want %q", b, want)
	}
	if n := s.counter.DirtyEventCount.Load(); n != 4 {
		t.Errorf("DirtyEventCount = %d", n)
	}
	if ch.Len() != 0 {
		t.Errorf("%d events left in the channel", ch.Len())
	}
}

// With dirtyDataContinue false a dirty line rolls the whole batch back.
func TestDirtyLineRollsBack(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "id:BIGINT,name:STRING", 1)
	ch := newChannel(t, 100)
	dirty := filepath.Join(t.TempDir(), "dirty")
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "id,name",
		"datahub.dirtyDataContinue": "false", "datahub.dirtyDataFile": dirty,
	}), ch)
	putLines(t, ch, "1,a", "oops,b", "3,c")
	_, err := s.Process(context.Background())
	if err == nil || !strings.Contains(err.Error(), "dirtyDataContinue") {
		t.Fatalf("Process = %v, want a dirty-line error", err)
	}
	if ch.Len() != 3 {
		t.Fatalf("%d events in the channel after the rollback, want 3", ch.Len())
	}
	if n := len(srv.Records("flume_proj", "logs")); n != 0 {
		t.Fatalf("%d records stored from a rolled-back batch", n)
	}
	if _, err := os.Stat(dirty); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("dirty file written although dirtyDataContinue is false: %v", err)
	}
}

// A put that fails on every retry rolls the batch back (the Java plugin
// commits and drops it); the events are delivered once DataHub recovers.
func TestFailureOnEveryRetryRollsBack(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "line:STRING", 1)
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "line", "datahub.retryTimes": "2",
	}), ch)
	lines := []string{"one", "two", "three"}
	putLines(t, ch, lines...)
	srv.FailRequests(-1, http.StatusInternalServerError, "InternalServerError", "injected")
	if _, err := s.Process(context.Background()); err == nil || !strings.Contains(err.Error(), "InternalServerError") {
		t.Fatalf("Process = %v, want the injected error", err)
	}
	st := srv.Stats()
	if st.PutRequests != 3 || st.RecordsStored != 0 {
		t.Fatalf("stats %+v: want 3 attempts (1 + datahub.retryTimes 2), nothing stored", st)
	}
	if ch.Len() != 3 {
		t.Fatalf("channel holds %d events after the failed batch, want 3", ch.Len())
	}
	if n := s.counter.EventWriteFail.Load(); n != 1 {
		t.Errorf("EventWriteFail = %d", n)
	}
	// A second failing round changes nothing either.
	if _, err := s.Process(context.Background()); err == nil || ch.Len() != 3 {
		t.Fatalf("second round: %v, %d events", err, ch.Len())
	}
	srv.ClearFaults()
	if st, err := s.Process(context.Background()); err != nil || st != flume.Ready {
		t.Fatalf("after recovery: %v %v", st, err)
	}
	recs := srv.Records("flume_proj", "logs")
	if len(recs) != 3 || ch.Len() != 0 {
		t.Fatalf("stored %d, channel %d", len(recs), ch.Len())
	}
	for i, r := range recs {
		if r.Values[0].S != lines[i] {
			t.Errorf("record %d = %q", i, r.Values[0].S)
		}
	}
}

// A client-side failure (DataHub unreachable) on every retry rolls back too.
func TestUnreachableRollsBack(t *testing.T) {
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x("http://127.0.0.1:1", map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "line",
	}), ch)
	putLines(t, ch, "a", "b")
	if _, err := s.Process(context.Background()); err == nil {
		t.Fatal("Process succeeded without DataHub")
	}
	if ch.Len() != 2 {
		t.Fatalf("channel holds %d events", ch.Len())
	}
	if n := s.counter.ConnectionFailedCount.Load(); n != 1 {
		t.Errorf("ConnectionFailedCount = %d", n)
	}
}

// After a partial failure only the failed records are sent again (the
// fake counts every record it receives).
func TestPartialFailureRetriesOnlyFailedRecords(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "n:BIGINT", 1)
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "n", "datahub.batchSize": "10",
	}), ch)
	var lines []string
	for i := 0; i < 10; i++ {
		lines = append(lines, fmt.Sprint(i))
	}
	putLines(t, ch, lines...)
	odd := func(r datahubfake.Record) bool { return r.Values[0].S[0]%2 == 1 }
	srv.FailRecords(5, "LimitExceeded", "injected throttling", odd) // records 1,3,5,7,9 fail once
	if st, err := s.Process(context.Background()); err != nil || st != flume.Ready {
		t.Fatalf("Process: %v %v", st, err)
	}
	st := srv.Stats()
	if st.RecordsReceived != 15 || st.PutRequests != 2 || st.RecordsFailed != 5 {
		t.Fatalf("stats %+v: want 10 + 5 records received in 2 requests", st)
	}
	got := map[string]int{}
	for _, r := range srv.Records("flume_proj", "logs") {
		got[r.Values[0].S]++
	}
	for _, l := range lines {
		if got[l] != 1 {
			t.Errorf("record %s stored %d times", l, got[l])
		}
	}
	if n := s.counter.PutRetryCount.Load(); n != 1 {
		t.Errorf("PutRetryCount = %d", n)
	}
}

// A record DataHub rejects as malformed goes to the dirty file; the others
// are stored.
func TestMalformedRecordGoesToDirtyFile(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "line:STRING", 1)
	ch := newChannel(t, 100)
	dirty := filepath.Join(t.TempDir(), "dirty")
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "line", "datahub.dirtyDataFile": dirty,
	}), ch)
	putLines(t, ch, "good", "bad", "fine")
	srv.FailRecords(1, "MalformedRecord", "injected", func(r datahubfake.Record) bool { return r.Values[0].S == "bad" })
	drain(t, s, ch)
	if recs := srv.Records("flume_proj", "logs"); len(recs) != 2 {
		t.Fatalf("stored %v", recs)
	}
	if b, _ := os.ReadFile(dirty); string(b) != "bad\n" {
		t.Fatalf("dirty file = %q", b)
	}
	if st := srv.Stats(); st.RecordsReceived != 3 {
		t.Fatalf("malformed record was sent again: %+v", st)
	}
}

// A shard that stops being ACTIVE makes the sink re-read the shard list and
// move the records to a writable shard.
func TestShardRefresh(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "line:STRING", 2)
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "line", "datahub.batchSize": "5",
	}), ch)
	putLines(t, ch, "a", "b", "c", "d", "e")
	drain(t, s, ch)
	// Split-like change: both old shards close, a new one opens.
	for _, id := range []string{"0", "1"} {
		if err := srv.SetShardState("flume_proj", "logs", id, datahubfake.Closed); err != nil {
			t.Fatal(err)
		}
	}
	newShard, err := srv.AddShard("flume_proj", "logs")
	if err != nil {
		t.Fatal(err)
	}
	putLines(t, ch, "f", "g", "h", "i", "j")
	drain(t, s, ch)
	recs := srv.Records("flume_proj", "logs")
	if len(recs) != 10 {
		t.Fatalf("stored %d records", len(recs))
	}
	for _, r := range recs[5:] {
		if r.Shard != newShard {
			t.Errorf("record %q went to shard %s after the change, want %s", r.Values[0].S, r.Shard, newShard)
		}
	}
	if !reflect.DeepEqual(s.shards, []string{newShard}) {
		t.Errorf("shard list = %v", s.shards)
	}
}

// Configured shard ids are used as they are; when one closes, only the
// configured shards that are still ACTIVE are used.
func TestConfiguredShards(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "line:STRING", 4)
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "line", "datahub.batchSize": "1", "datahub.shard.ids": "1, 3",
	}), ch)
	putLines(t, ch, "a", "b", "c", "d")
	drain(t, s, ch)
	if err := srv.SetShardState("flume_proj", "logs", "1", datahubfake.Closed); err != nil {
		t.Fatal(err)
	}
	putLines(t, ch, "e", "f", "g")
	drain(t, s, ch)
	count := map[string]int{}
	for i, r := range srv.Records("flume_proj", "logs") {
		count[r.Shard]++
		if i >= 4 && r.Shard != "3" {
			t.Errorf("record %d in shard %s after shard 1 closed", i, r.Shard)
		}
	}
	if count["1"] != 2 || count["3"] != 5 || len(count) != 2 {
		t.Errorf("records per shard = %v", count)
	}
}

func TestBlobTopic(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "raw", "BLOB", 1)
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x(url, map[string]string{"datahub.topic": "raw"}), ch)
	bodies := []string{"plain line", "bytes \x00\xff\xfe", ""}
	putLines(t, ch, bodies...)
	drain(t, s, ch)
	recs := srv.Records("flume_proj", "raw")
	if len(recs) != 3 {
		t.Fatalf("stored %d", len(recs))
	}
	for i, r := range recs {
		if string(r.Blob) != bodies[i] {
			t.Errorf("blob %d = %q, want %q", i, r.Blob, bodies[i])
		}
	}
}

func TestJSONAndRegexSerializers(t *testing.T) {
	t.Run("JSON", func(t *testing.T) {
		srv, url, _ := fake(t, "flume_proj", "logs", "id:BIGINT,msg:STRING,extra:STRING,d:DOUBLE", 1)
		ch := newChannel(t, 100)
		dirty := filepath.Join(t.TempDir(), "dirty")
		s, _ := newSink(t, props2x(url, map[string]string{
			"serializer": "JSON", "serializer.fieldnames": "id,msg,extra,d", "datahub.dirtyDataFile": dirty,
		}), ch)
		putLines(t, ch,
			`{"id":7,"msg":"hi \"you\"","extra":{"k": [1, 2]},"d":1e2}`,
			`{"id":"8","msg":null}`,
			`[1,2]`,
			`{"other":1}`,
			`not json`,
		)
		drain(t, s, ch)
		recs := srv.Records("flume_proj", "logs")
		want := [][]string{{"7", `hi "you"`, `{"k":[1,2]}`, "100.0"}, {"8", "<null>", "<null>", "<null>"}}
		if len(recs) != 2 {
			t.Fatalf("stored %v", recs)
		}
		for i := range want {
			if got := values(recs[i]); !reflect.DeepEqual(got, want[i]) {
				t.Errorf("record %d = %q, want %q", i, got, want[i])
			}
		}
		if b, _ := os.ReadFile(dirty); strings.Count(string(b), "\n") != 3 {
			t.Errorf("dirty file = %q", b)
		}
	})
	t.Run("REGEX", func(t *testing.T) {
		srv, url, _ := fake(t, "flume_proj", "logs", "ip:STRING,status:INTEGER,path:STRING", 1)
		ch := newChannel(t, 100)
		dirty := filepath.Join(t.TempDir(), "dirty")
		s, _ := newSink(t, props2x(url, map[string]string{
			"serializer": "REGEX", "serializer.regex": `(\S+) (\d{3}) (.*)`, "serializer.fieldnames": "ip,status,path",
			"datahub.dirtyDataFile": dirty,
		}), ch)
		putLines(t, ch, "10.0.0.1 200 /a b", "garbage", "10.0.0.2 404 /multi\nline")
		drain(t, s, ch)
		recs := srv.Records("flume_proj", "logs")
		if len(recs) != 2 || !reflect.DeepEqual(values(recs[0]), []string{"10.0.0.1", "200", "/a b"}) ||
			values(recs[1])[2] != "/multi\nline" {
			t.Fatalf("stored %v", recs)
		}
	})
}

// The 1.x extras: dateformat.columns parse dates into TIMESTAMP
// microseconds, datahub.shard.columns route by hash, blank values are null.
func TestLegacyExtras(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "user:STRING,at:TIMESTAMP,n:BIGINT", 3)
	ch := newChannel(t, 100)
	s, _ := newSink(t, map[string]string{
		"type": "datahub", "datahub.accessID": testID, "datahub.accessKey": testKey, "datahub.endPoint": url,
		"datahub.project": "flume_proj", "datahub.topic": "logs", "retryInterval": "0",
		"serializer": "DELIMITED", "serializer.fieldnames": "user,at,n", "serializer.delimiter": `\t`,
		"dateformat.columns": "at", "dateFormat": "yyyy-MM-dd HH:mm:ss", "datahub.shard.columns": "user",
	}, ch)
	putLines(t, ch, "alice\t2024-02-29 13:14:15\t", "bob\t2024-02-29 13:14:16\t5", "alice\t2024-03-01 00:00:00\t6")
	drain(t, s, ch)
	recs := srv.Records("flume_proj", "logs")
	if len(recs) != 3 {
		t.Fatalf("stored %v", recs)
	}
	at := time.Date(2024, 2, 29, 13, 14, 15, 0, time.Local).UnixMicro()
	if got := values(recs[0]); !reflect.DeepEqual(got, []string{"alice", fmt.Sprint(at), "<null>"}) {
		t.Errorf("record 0 = %q", got)
	}
	// Java: "alice".hashCode() = 92903040 (shard 0 of 3), "bob".hashCode() = 97717 (shard 1).
	shardOf := func(h int) string { return fmt.Sprint(h % 3) }
	for _, r := range recs {
		want := shardOf(97717)
		if r.Values[0].S == "alice" {
			want = shardOf(92903040)
		}
		if r.Shard != want {
			t.Errorf("%s went to shard %s, want %s", r.Values[0].S, r.Shard, want)
		}
	}
}

// A configuration that does not fit the topic fails every Process with a
// clear error and takes nothing.
func TestSchemaMismatch(t *testing.T) {
	_, url, _ := fake(t, "flume_proj", "logs", "id:BIGINT:notnull,name:STRING", 1)
	for _, tc := range []struct{ fieldnames, want string }{
		{"id,nope", `field "nope" does not exist`},
		{"name", `"id" is NOT NULL`},
	} {
		ch := newChannel(t, 100)
		s, _ := newSink(t, props2x(url, map[string]string{"serializer": "DELIMITED", "serializer.fieldnames": tc.fieldnames}), ch)
		putLines(t, ch, "1,a")
		if _, err := s.Process(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("fieldnames %s: Process = %v, want %s", tc.fieldnames, err, tc.want)
		}
		if ch.Len() != 1 {
			t.Errorf("events taken although the topic does not fit")
		}
	}
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x(url, map[string]string{}), ch)
	if _, err := s.Process(context.Background()); err == nil || !strings.Contains(err.Error(), "set serializer") {
		t.Errorf("tuple topic without serializer: %v", err)
	}
}

// Stop interrupts a Process that waits between retries.
func TestStopInterruptsRetries(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "line:STRING", 1)
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "line", "datahub.retryInterval": "3600",
	}), ch)
	putLines(t, ch, "x")
	srv.FailRequests(-1, http.StatusServiceUnavailable, "ServiceUnavailable", "down")
	r := sinkrunner.New("k1", s, nil)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The first attempt fails; the retry waits an hour.
	flumetest.WaitFor(t, 10*time.Second, "the first put", func() bool { return srv.Stats().PutRequests > 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if ch.Len() != 1 {
		t.Fatalf("channel holds %d events after stop", ch.Len())
	}
}

func TestConfigProblems(t *testing.T) {
	base := map[string]string{"datahub.accessId": "a", "datahub.accessKey": "b", "datahub.endPoint": "http://x",
		"datahub.project": "p", "datahub.topic": "t", "serializer": "DELIMITED", "serializer.fieldnames": "a"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	for name, tc := range map[string]struct {
		props   map[string]string
		errKey  string // an error about this key
		warnKey string // a warning about this key
	}{
		"missing access id":       {with("datahub.accessId", ""), "datahub.accessId", ""},
		"missing topic":           {with("datahub.topic", ""), "datahub.topic", ""},
		"bad compression":         {with("datahub.compressType", "ZSTD"), "datahub.compressType", ""},
		"unknown serializer":      {with("serializer", "com.example.MySerializer"), "serializer", ""},
		"unknown charset":         {with("serializer.charset", "NOPE-42"), "serializer.charset", ""},
		"regex groups":            {with("serializer", "REGEX", "serializer.regex", "(a)(b)", "serializer.fieldnames", "x"), "serializer.regex", ""},
		"bad java regex":          {with("serializer.delimiter", `[a&&b]`), "serializer.delimiter", ""},
		"maxcompute partitions":   {with("maxcompute.partition.columns", "ds", "maxcompute.partition.values", "%Y"), "maxcompute.partition.columns", ""},
		"bad batch size":          {with("datahub.batchSize", "x"), "", "datahub.batchSize"},
		"both generations":        {with("batchSize", "10", "datahub.batchSize", "20"), "", "batchSize"},
		"endpoint default":        {with("datahub.endPoint", ""), "", "datahub.endPoint"},
		"source keys":             {with("datahub.subId", "1"), "", "datahub.subId"},
		"delimiter for json":      {with("serializer", "JSON", "serializer.delimiter", ","), "", "serializer.delimiter"},
		"bad date format":         {with("dateformat.columns", "a", "dateFormat", "EEE MMM d"), "dateFormat", ""},
		"serializer keys without": {with("serializer", "", "serializer.fieldnames", "a"), "", "serializer.fieldnames"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := flume.ContextFromMap(tc.props)
			_, err := Factory(flume.Settings{Name: "k1"}, cfg, nil)
			if tc.errKey != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errKey) {
					t.Fatalf("error = %v, want one about %s", err, tc.errKey)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			found := false
			for _, p := range cfg.Problems() {
				found = found || (p.Severity == flume.Warning && p.Key == tc.warnKey)
			}
			if !found {
				t.Fatalf("no warning about %s: %v", tc.warnKey, cfg.Problems())
			}
			if u := cfg.Unused(); len(u) > 0 {
				t.Fatalf("unused keys: %v", u)
			}
		})
	}
}

// TestUnsupportedConfig: what the Java sink does and flumego does not is
// refused with an error matching flume.ErrUnsupported, at its key; a mere
// typo is not.
func TestUnsupportedConfig(t *testing.T) {
	base := map[string]string{"datahub.accessId": "a", "datahub.accessKey": "b", "datahub.project": "p", "datahub.topic": "t",
		"serializer": "DELIMITED", "serializer.fieldnames": "line"}
	for _, tc := range []struct {
		key, value  string
		unsupported bool
	}{
		{"serializer", "com.example.MySerializer", true},
		{"serializer.charset", "UTF-7", true}, // a known charset without a decoder
		{"maxcompute.partition.columns", "ds", true},
		{"serializer.charset", "NOPE-42", false},
	} {
		props := map[string]string{tc.key: tc.value}
		for k, v := range base {
			if _, set := props[k]; !set {
				props[k] = v
			}
		}
		_, err := Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(props), nil)
		if err == nil || !strings.Contains(err.Error(), tc.key) || errors.Is(err, flume.ErrUnsupported) != tc.unsupported {
			t.Errorf("%s = %s: error %v, want one about %s matching ErrUnsupported: %v", tc.key, tc.value, err, tc.key, tc.unsupported)
		}
	}
}

func TestGenerationDefaults(t *testing.T) {
	legacy := ParseConfig(flume.ContextFromMap(map[string]string{"datahub.accessID": "a", "datahub.accessKey": "b",
		"datahub.project": "p", "datahub.topic": "t", "retryTimes": "-5"}))
	if !legacy.Legacy || legacy.BatchSize != 100 || legacy.RetryTimes != -1 || legacy.BatchTimeout != 0 || !legacy.BlankAsNull || legacy.HasNull {
		t.Errorf("1.x defaults: %+v", legacy)
	}
	modern := ParseConfig(flume.ContextFromMap(map[string]string{"datahub.accessId": "a", "datahub.accessKey": "b",
		"datahub.project": "p", "datahub.topic": "t", "datahub.retryTimes": "-5", "datahub.shard.ids": "0,2"}))
	if modern.Legacy || modern.BatchSize != 1000 || modern.RetryTimes != 0 || modern.MaxBufferSize != 2<<20 ||
		!modern.Protobuf || modern.NullValue != "null" || !modern.DirtyDataContinue || modern.DirtyDataFile != "DataHub-Flume-dirty-file" ||
		!reflect.DeepEqual(modern.ShardIDs, []string{"0", "2"}) {
		t.Errorf("2.x defaults: %+v", modern)
	}
}

func TestRegister(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"datahub", "DataHub", ClassName} {
		if _, _, err := r.Sink(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The batch timeout keeps a transaction open while events keep coming.
func TestBatchTimeoutAccumulates(t *testing.T) {
	srv, url, _ := fake(t, "flume_proj", "logs", "line:STRING", 1)
	ch := newChannel(t, 100)
	s, _ := newSink(t, props2x(url, map[string]string{
		"serializer": "DELIMITED", "serializer.fieldnames": "line", "datahub.batchSize": "6", "datahub.batchTimeout": "30",
	}), ch)
	putLines(t, ch, "a", "b")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, l := range []string{"c", "d", "e", "f"} {
			putLines(t, ch, l)
		}
	}()
	wg.Wait()
	if _, err := s.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.PutRequests != 1 || st.RecordsStored != 6 {
		t.Fatalf("stats %+v: want one request with the full batch of 6", st)
	}
}

func TestCharsets(t *testing.T) {
	for _, tc := range []struct{ charset, body, want string }{
		{"UTF-8", "ok \xff end", "ok \uFFFD end"},
		{"ISO-8859-1", "caf\xe9", "café"},
		{"US-ASCII", "caf\xe9", "caf\uFFFD"},
		{"GBK", "\xd6\xd0\xce\xc4", "中文"},
		{"GB18030", "\xd6\xd0\xce\xc4", "中文"},
	} {
		t.Run(tc.charset, func(t *testing.T) {
			srv, url, _ := fake(t, "flume_proj", "logs", "line:STRING", 1)
			ch := newChannel(t, 10)
			s, _ := newSink(t, props2x(url, map[string]string{
				"serializer": "DELIMITED", "serializer.fieldnames": "line", "serializer.charset": tc.charset,
			}), ch)
			putLines(t, ch, tc.body)
			drain(t, s, ch)
			if recs := srv.Records("flume_proj", "logs"); len(recs) != 1 || recs[0].Values[0].S != tc.want {
				t.Fatalf("stored %v, want %q", recs, tc.want)
			}
		})
	}
}
