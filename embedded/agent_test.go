package embedded_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/embedded"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/monitor"
)

// Events put into a memory-channel embedded agent reach the collector
// through its avro sink, each once, and the counters say so.
func TestPutDelivers(t *testing.T) {
	c := newCollector(t, "avro")
	kv := append([]string{"channel.type", "memory", "channel.capacity", "1000", "channel.transactionCapacity", "100",
		"sinks", "k1", "processor.type", "default"}, sinkTo("k1", c, "k1.batch-size", "50")...)
	a := start(t, embedded.Config{Properties: props(kv...)})
	ctx := context.Background()
	for i := 1; i <= 1000; i += 100 {
		if err := a.Put(ctx, numbered(i, i+99)...); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Put(ctx, numbered(1001, 1001)...); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 20*time.Second, "1001 events at the collector", func() bool { return c.Received() == 1001 })
	for body, n := range c.Counts() {
		if n != 1 {
			t.Errorf("event %s arrived %d times", body, n)
		}
	}
	flumetest.WaitFor(t, 10*time.Second, "the counters", func() bool {
		got := a.Counters()
		return got.Accepted == 1001 && got.Delivered == 1001 && got.Pending == 0 && got.Capacity == 1000
	})
	if got := a.Counters(); got.Refused != 0 || got.DeliveryFailures != 0 {
		t.Errorf("counters %+v: no refusal or failure expected", got)
	}
	src, ok := a.Snapshot().Source("source-app")
	if !ok || src.Type != embedded.SourceType || !slices.Equal(src.Channels, []string{"channel-app"}) {
		t.Errorf("snapshot source: %+v, %v", src, ok)
	}
	if !slices.Contains(a.Metrics().Keys(), "SOURCE.source-app") {
		t.Errorf("the embedded source's counters are not published: %v", a.Metrics().Keys())
	}
}

// Interceptors run once per event, even when the channel refuses a put
// and Put retries it: search_replace must not replace twice, and
// regex_filter drops what it is configured to drop, nothing else.
func TestInterceptorsRunOncePerDeliveredEvent(t *testing.T) {
	c := newCollector(t, "thrift")
	kv := append([]string{"channel.type", "memory", "channel.capacity", "10", "channel.transactionCapacity", "10",
		"channel.keep-alive", "0",
		"sinks", "k1", "processor.type", "default",
		"source.interceptors", "drop double env",
		"source.interceptors.drop.type", "regex_filter",
		"source.interceptors.drop.regex", "^skip",
		"source.interceptors.drop.excludeEvents", "true",
		"source.interceptors.double.type", "search_replace",
		"source.interceptors.double.searchPattern", "a",
		"source.interceptors.double.replaceString", "aa",
		"source.interceptors.env.type", "static",
		"source.interceptors.env.key", "env",
		"source.interceptors.env.value", "test",
	}, sinkTo("k1", c, "k1.batch-size", "10")...)
	c.Refuse.Store(true) // the sink cannot deliver: the channel fills up
	a := start(t, embedded.Config{Properties: props(kv...)})
	ctx := context.Background()
	fill := make([]flume.Event, 10)
	for i := range fill {
		fill[i] = flume.NewEvent([]byte("fill" + strconv.Itoa(i)))
	}
	if err := a.Put(ctx, fill...); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 10*time.Second, "a refused delivery", func() bool { return a.Counters().DeliveryFailures > 0 })
	done := make(chan error, 1)
	go func() {
		done <- a.Put(ctx, flume.NewEvent([]byte("a1")), flume.NewEvent([]byte("skip me")), flume.NewEvent([]byte("ba")))
	}()
	flumetest.WaitFor(t, 10*time.Second, "the channel refusing the put", func() bool { return a.Counters().Refused >= 3 })
	c.Refuse.Store(false)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 10*time.Second, "12 events at the collector", func() bool { return c.Received() == 12 })
	counts := c.Counts()
	for _, want := range []string{"aa1", "baa"} {
		if counts[want] != 1 {
			t.Errorf("%q arrived %d times; bodies: %v", want, counts[want], counts)
		}
	}
	for _, e := range c.Events() {
		if v, _ := e.Header("env"); v != "test" {
			t.Errorf("event %q: header env = %q, want test", e.Body, v)
		}
		if strings.HasPrefix(string(e.Body), "skip") {
			t.Errorf("the filtered event %q arrived", e.Body)
		}
	}
}

// A full memory channel pushes back: Put blocks while it is full, returns
// an error matching flume.ErrChannelFull (and the context's) once its
// context ends, and then commits nothing; every event a Put acknowledged
// arrives once the collector is back.
func TestFullChannelPushesBack(t *testing.T) {
	c := newCollector(t, "avro")
	c.Refuse.Store(true)
	kv := append([]string{"channel.type", "memory", "channel.capacity", "200", "channel.transactionCapacity", "50",
		"channel.keep-alive", "1",
		"sinks", "k1", "processor.type", "default"}, sinkTo("k1", c, "k1.batch-size", "50")...)
	a := start(t, embedded.Config{Properties: props(kv...)})

	var acked []int
	next := 1
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err := a.Put(ctx, numbered(next, next+9)...)
		cancel()
		if err != nil {
			if !errors.Is(err, flume.ErrChannelFull) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Put into a full channel: %v; want an error matching ErrChannelFull and DeadlineExceeded", err)
			}
			break
		}
		for i := next; i <= next+9; i++ {
			acked = append(acked, i)
		}
		next += 10
		if next > 1000 {
			t.Fatal("the channel of capacity 200 took 1000 events while nothing drained it")
		}
	}
	if len(acked) != 200 {
		t.Errorf("%d events acknowledged before the channel refused; want its capacity, 200", len(acked))
	}
	refused := numbered(next, next+9)

	// A Put blocked on the full channel completes once room appears.
	done := make(chan error, 1)
	go func() { done <- a.Put(context.Background(), numbered(5001, 5010)...) }()
	flumetest.WaitFor(t, 10*time.Second, "the blocked Put to be refused by the channel", func() bool { return a.Counters().Refused > 1 })
	select {
	case err := <-done:
		t.Fatalf("Put returned %v while the channel was full", err)
	default:
	}
	c.Refuse.Store(false)
	if err := <-done; err != nil {
		t.Fatalf("blocked Put: %v", err)
	}
	for i := 5001; i <= 5010; i++ {
		acked = append(acked, i)
	}
	flumetest.WaitFor(t, 20*time.Second, "every acknowledged event", func() bool { return len(missing(acked, c)) == 0 })
	flumetest.WaitFor(t, 10*time.Second, "an empty channel", func() bool { return a.Counters().Pending == 0 })
	for _, e := range refused {
		if n := c.Counts()[string(e.Body)]; n != 0 {
			t.Errorf("event %s, refused with ErrChannelFull, arrived %d times", e.Body, n)
		}
	}
	if got := a.Counters().Accepted; got != int64(len(acked)) {
		t.Errorf("Accepted = %d, want the %d acknowledged", got, len(acked))
	}
}

// PutBatch splits a batch into transactions the channel takes; Put refuses
// more than one transaction holds; an empty Put is a no-op.
func TestPutBatchAndTransactionCapacity(t *testing.T) {
	c := newCollector(t, "avro")
	kv := append([]string{"channel.type", "memory", "channel.capacity", "1000", "channel.transactionCapacity", "10",
		"sinks", "k1", "processor.type", "default"}, sinkTo("k1", c, "k1.batch-size", "10")...)
	a := start(t, embedded.Config{Properties: props(kv...)})
	ctx := context.Background()
	if err := a.Put(ctx, numbered(1, 11)...); !errors.Is(err, flume.ErrTxFull) {
		t.Fatalf("Put of 11 events into transactions of 10: %v; want ErrTxFull", err)
	}
	if err := a.Put(ctx); err != nil {
		t.Fatalf("empty Put: %v", err)
	}
	n, err := a.PutBatch(ctx, numbered(1, 95))
	if err != nil || n != 95 {
		t.Fatalf("PutBatch: %d, %v", n, err)
	}
	flumetest.WaitFor(t, 10*time.Second, "95 events", func() bool { return c.Received() == 95 })
	if a.Counters().Accepted != 95 {
		t.Errorf("Accepted = %d", a.Counters().Accepted)
	}
}

// Close delivers what the memory channel holds (the sinks drain it) and
// refuses Put afterwards; a Put blocked on a full channel returns
// ErrClosed when Close begins, without waiting for its context.
func TestCloseDrains(t *testing.T) {
	c := newCollector(t, "avro")
	c.Refuse.Store(true)
	kv := append([]string{"channel.type", "memory", "channel.capacity", "100", "channel.transactionCapacity", "100",
		"channel.keep-alive", "1", "sinks", "k1", "processor.type", "default"}, sinkTo("k1", c)...)
	a, err := embedded.New(context.Background(), embedded.Config{Name: "app", Properties: props(kv...), RunnerBackoff: fastBackoff, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := a.Put(ctx, numbered(1, 100)...); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan error, 1)
	go func() { blocked <- a.Put(ctx, numbered(101, 101)...) }()
	flumetest.WaitFor(t, 10*time.Second, "the second Put", func() bool { return a.Counters().Received == 101 })

	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		closed <- a.Close(ctx)
	}()
	if err := <-blocked; !errors.Is(err, embedded.ErrClosed) {
		t.Fatalf("Put blocked while the agent closes: %v; want ErrClosed", err)
	}
	c.Refuse.Store(false) // the drain can deliver now
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if got := missing(seq(1, 100), c); len(got) != 0 {
		t.Errorf("Close did not deliver %v", got)
	}
	if n := c.Counts()["101"]; n != 0 {
		t.Errorf("the aborted Put's event arrived %d times", n)
	}
	if err := a.Put(ctx, numbered(1, 1)...); !errors.Is(err, embedded.ErrClosed) {
		t.Errorf("Put after Close: %v; want ErrClosed", err)
	}
	if err := a.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// A failover pair: the events go to the primary while it answers, to the
// secondary while it is down, and back to the primary once its penalty
// ends; nothing is lost on the way.
func TestFailoverBetweenCollectors(t *testing.T) {
	primary, secondary := newCollector(t, "avro"), newCollector(t, "avro")
	kv := []string{"channel.type", "memory", "channel.capacity", "10000", "channel.transactionCapacity", "100",
		"sinks", "k1 k2", "processor.type", "failover", "processor.priority.k1", "10", "processor.priority.k2", "5",
		"processor.maxpenalty", "200"}
	kv = append(kv, sinkTo("k1", primary, "k1.batch-size", "10")...)
	kv = append(kv, sinkTo("k2", secondary, "k2.batch-size", "10")...)
	a := start(t, embedded.Config{Properties: props(kv...)})
	ctx := context.Background()
	put := func(from, to int) {
		t.Helper()
		if _, err := a.PutBatch(ctx, numbered(from, to)); err != nil {
			t.Fatal(err)
		}
	}
	put(1, 100)
	flumetest.WaitFor(t, 10*time.Second, "100 events at the primary", func() bool { return primary.Received() == 100 })
	primary.Stop()
	put(101, 200)
	flumetest.WaitFor(t, 20*time.Second, "events at the secondary", func() bool { return len(missing(seq(101, 200), primary, secondary)) == 0 })
	if secondary.Received() == 0 {
		t.Fatal("nothing went to the secondary while the primary was down")
	}
	primary.Start()
	before := primary.Received()
	flumetest.WaitFor(t, 20*time.Second, "traffic back at the primary", func() bool {
		put(1000, 1009) // the failover processor tries the primary again once its penalty ends
		return primary.Received() > before
	})
	all := append(seq(1, 200), seq(1000, 1009)...)
	if got := missing(all, primary, secondary); len(got) != 0 {
		t.Fatalf("lost: %v", got)
	}
}

// A configuration error names the file, the line, the key and what was
// expected; nothing is started. Warnings (keys the embedded agent does not
// take) are kept and located too.
func TestConfigurationProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) *conf.Properties {
		t.Helper()
		path := filepath.Join(dir, "app.properties")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := conf.LoadFiles(path)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := "channel.type = memory\nsinks = k1\nk1.type = avro\nk1.hostname = 127.0.0.1\nk1.port = 1\nprocessor.type = default\n"
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"no channel type", strings.Replace(base, "channel.type = memory\n", "", 1),
			[]string{"channel.type: required: memory or file"}},
		{"disallowed channel", strings.Replace(base, "channel.type = memory", "channel.type = spillablememory", 1),
			[]string{`app.properties:1: channel.type: unknown channel type "spillablememory"`}},
		{"disallowed sink", base + "sinks = k1 k2\nk2.type = logger\n",
			[]string{`app.properties:8: k2.type: unknown sink type "logger"`}},
		{"sink without type", base + "sinks = k1 k2\n", []string{`app.properties:7: k2.type: required: sink "k2" is listed in sinks`}},
		{"reserved sink name", base + "sinks = k1 channel\n", []string{`app.properties:7: sinks: "k1 channel": sink name "channel" is reserved`}},
		{"no sinks", strings.Replace(base, "sinks = k1\n", "", 1), []string{"sinks: required"}},
		{"no processor type", strings.Replace(base, "processor.type = default\n", "", 1),
			[]string{"processor.type: required: default (one sink), failover or load_balance"}},
		{"other source", base + "source.type = netcat\n",
			[]string{`app.properties:7: source.type: unknown source type "netcat"`, "an embedded agent's source is embedded"}},
		{"bad channel value", base + "channel.transactionCapacity = 1000\n", []string{`app.properties:7: channel.transactionCapacity: "1000"`}},
		{"bad sink value", base + "k1.port = 70000\n", []string{`app.properties:7: k1.port: "70000": not a port number`}},
		{"unknown interceptor", base + "source.interceptors = i1\nsource.interceptors.i1.type = nope\n",
			[]string{`app.properties:8: source.interceptors.i1.type`, `unknown interceptor type "nope"`}},
		{"default processor with two sinks", base + "sinks = k1 k2\nk2.type = avro\nk2.hostname = 127.0.0.1\nk2.port = 2\n",
			[]string{"processor.type", "the default processor takes exactly one sink"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := embedded.New(context.Background(), embedded.Config{Properties: write(tc.text), Logger: testLogger(t)})
			if err == nil {
				_ = a.Close(context.Background())
				t.Fatal("New accepted the configuration")
			}
			var problems flume.Problems
			if !errors.As(err, &problems) {
				t.Errorf("the error is not a flume.Problems: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not say %q", err, w)
				}
			}
		})
	}

	// Warnings: keys the embedded agent does not take.
	c := newCollector(t, "avro")
	text := strings.Replace(base, "k1.port = 1", "k1.port = "+strconv.Itoa(c.port), 1) +
		"source.selector.type = multiplexing\nk1.channel = c9\nk9.type = avro\nk1.colour = blue\nchannel.colour = red\n"
	a := start(t, embedded.Config{Properties: write(text)})
	var got []string
	for _, p := range a.Problems() {
		got = append(got, p.Error())
	}
	for _, w := range []string{
		"app.properties:7: source.selector.type: unknown property: the embedded source takes source.type and source.interceptors only",
		"app.properties:8: k1.channel: unknown property: an embedded agent's sinks take events from its one channel",
		"app.properties:9: k9.type: unknown property: an embedded agent takes channel.*, sinks, <sink>.* for each sink listed in sinks",
		"app.properties:10: k1.colour: unknown property for this component type",
		"app.properties:11: channel.colour: unknown property for this component type",
	} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "/"+w) }) {
			t.Errorf("no warning %q among\n%s", w, strings.Join(got, "\n"))
		}
	}
	if err := a.Put(context.Background(), numbered(1, 1)...); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 10*time.Second, "the event", func() bool { return c.Received() == 1 })
}

// Flume's class names and any case are accepted for the types, and
// source.type may name the embedded source.
func TestFlumeTypeNames(t *testing.T) {
	c := newCollector(t, "avro")
	kv := append([]string{"channel.type", "org.apache.flume.channel.MemoryChannel", "sinks", "k1",
		"processor.type", "org.apache.flume.sink.FailoverSinkProcessor", "source.type", "EMBEDDED"},
		sinkTo("k1", c)...)
	kv[slices.Index(kv, "k1.type")+1] = "org.apache.flume.sink.AvroSink"
	a := start(t, embedded.Config{Properties: props(kv...)})
	if err := a.Put(context.Background(), numbered(1, 3)...); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 10*time.Second, "3 events", func() bool { return c.Received() == 3 })
	a2 := start(t, embedded.Config{Name: "other", Properties: props(append(kv[:len(kv):len(kv)], "source.type", embedded.SourceClass)...)})
	if _, ok := a2.Snapshot().Source("source-other"); !ok {
		t.Error("no source-other in the snapshot")
	}
}

// A file channel whose directories another agent holds does not start:
// New says why, and leaves nothing running.
func TestFileChannelInUse(t *testing.T) {
	dir := t.TempDir()
	kv := []string{"channel.type", "file", "channel.checkpointDir", filepath.Join(dir, "cp"),
		"channel.dataDirs", filepath.Join(dir, "data"), "channel.minimumRequiredSpace", "1048576",
		"sinks", "k1", "k1.type", "avro", "k1.hostname", "127.0.0.1", "k1.port", strconv.Itoa(flumetest.FreeAddr(t).Port),
		"processor.type", "default"}
	start(t, embedded.Config{Name: "first", Properties: props(kv...)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := embedded.New(ctx, embedded.Config{Name: "second", Properties: props(kv...), RestartInterval: time.Hour, Logger: testLogger(t)})
	if err == nil {
		_ = a.Close(ctx)
		t.Fatal("a second agent started on a file channel's directories in use")
	}
	if !strings.Contains(err.Error(), `channel "channel-second" did not start`) || !strings.Contains(err.Error(), "in_use.lock") {
		t.Errorf("error %q does not say the channel's directory is locked", err)
	}
}

// Many goroutines Put concurrently into a small channel; every event is
// delivered once.
func TestConcurrentPuts(t *testing.T) {
	c := newCollector(t, "avro")
	kv := append([]string{"channel.type", "memory", "channel.capacity", "100", "channel.transactionCapacity", "20",
		"sinks", "k1", "processor.type", "default"}, sinkTo("k1", c, "k1.batch-size", "20")...)
	a := start(t, embedded.Config{Properties: props(kv...)})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				n := g*1000 + i*10
				if err := a.Put(context.Background(), numbered(n, n+9)...); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	flumetest.WaitFor(t, 20*time.Second, "4000 events", func() bool { return c.Received() == 4000 })
	for body, n := range c.Counts() {
		if n != 1 {
			t.Errorf("event %s arrived %d times", body, n)
		}
	}
}

// Check validates as New does without starting anything: no file channel
// directory is created, no connection is made.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	kv := []string{"channel.type", "file", "channel.checkpointDir", filepath.Join(dir, "cp"), "channel.dataDirs", filepath.Join(dir, "data"),
		"sinks", "k1", "k1.type", "thrift", "k1.hostname", "127.0.0.1", "k1.port", "1", "processor.type", "default"}
	ctx := context.Background()
	problems, err := embedded.Check(ctx, embedded.Config{Properties: props(kv...), Logger: testLogger(t)})
	if err != nil || len(problems) != 0 {
		t.Fatalf("Check: %v, %v", problems, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Check created %v", entries)
	}
	problems, err = embedded.Check(ctx, embedded.Config{Properties: props(append(kv, "k1.colour", "blue")...), Logger: testLogger(t)})
	if err != nil || len(problems) != 1 || problems[0].Key != "k1.colour" || problems[0].Severity != flume.Warning {
		t.Errorf("Check with an unknown key: %v, %v", problems, err)
	}
	problems, err = embedded.Check(ctx, embedded.Config{Properties: props(append(kv, "k1.port", "x")...), Logger: testLogger(t)})
	if err == nil || len(problems.Errors()) == 0 || problems.Errors()[0].Key != "k1.port" {
		t.Errorf("Check with a bad port: %v, %v", problems, err)
	}
	problems, err = embedded.Check(ctx, embedded.Config{Properties: props(append(kv, "k1.type", "logger")...), Logger: testLogger(t)})
	if err == nil || len(problems.Errors()) == 0 || problems.Errors()[0].Key != "k1.type" {
		t.Errorf("Check with a disallowed sink: %v, %v", problems, err)
	}
}

// The counters are served as a flume-ng agent serves them, by the
// monitoring server Flume's system properties ask for, and published to
// the registry the application passes.
func TestMonitoring(t *testing.T) {
	c := newCollector(t, "avro")
	reg := monitor.NewRegistry()
	kv := append([]string{"channel.type", "memory", "sinks", "k1", "processor.type", "default"}, sinkTo("k1", c)...)
	a := start(t, embedded.Config{Properties: props(kv...), Metrics: reg, SystemProperties: map[string]string{
		"flume.monitoring.type": "http", "flume.monitoring.port": "0", "flume.monitoring.bind": "127.0.0.1"}})
	if a.Metrics() != reg {
		t.Error("Metrics is not the registry passed in Config.Metrics")
	}
	if err := a.Put(context.Background(), numbered(1, 5)...); err != nil {
		t.Fatal(err)
	}
	flumetest.WaitFor(t, 10*time.Second, "5 events", func() bool { return c.Received() == 5 })
	resp, err := http.Get("http://" + a.MonitorAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if got := m["SOURCE.source-app"]["EventAcceptedCount"]; got != "5" {
		t.Errorf("SOURCE.source-app EventAcceptedCount = %q, want 5; metrics: %v", got, m)
	}
	if _, ok := m["CHANNEL.channel-app"]; !ok {
		t.Errorf("no CHANNEL.channel-app in %v", m)
	}
	flumetest.WaitFor(t, 10*time.Second, "the sink's counter", func() bool {
		for _, g := range reg.Snapshot() {
			if g.Key == "SINK.k1" {
				for _, at := range g.Attributes {
					if at.Name == "EventDrainSuccessCount" && at.Value == 5 {
						return true
					}
				}
			}
		}
		return false
	})
}
