package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/channel/file"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/sink"
	"github.com/flumego/flume/sink/datahub"
	"github.com/flumego/flume/sink/kafka"
	"github.com/flumego/flume/source"
	"github.com/flumego/flume/topology"
)

// flow moves real events: a source counter fed by a channel processor, a
// memory channel, a sink draining it. 25 events in, 20 out in batches of 8.
func flow(t *testing.T, reg *Registry) {
	t.Helper()
	ch, err := memory.New(flume.Settings{Name: "c1", Publisher: reg.Publisher("c1")}, memory.Config{Capacity: 100, TransactionCapacity: 50})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Stop(context.Background()) })
	src := new(flume.SourceCounter)
	flume.Settings{Name: "r1", Publisher: reg.Publisher("r1")}.Publish(src)
	src.Started()
	proc := source.NewChannelProcessor(source.NewReplicating([]flume.NamedChannel{{Name: "c1", Channel: ch}}, nil), nil, nil)
	for _, b := range [][2]int{{0, 10}, {10, 25}} {
		evs := channeltest.Events(b[0], b[1])
		src.AppendBatchReceivedCount.Add(1)
		src.EventReceivedCount.Add(int64(len(evs)))
		if err := proc.Process(context.Background(), evs); err != nil {
			t.Fatal(err)
		}
		src.AppendBatchAcceptedCount.Add(1)
		src.EventAcceptedCount.Add(int64(len(evs)))
	}
	snk := new(flume.SinkCounter)
	flume.Settings{Name: "k1", Publisher: reg.Publisher("k1")}.Publish(snk)
	snk.Started()
	for i := 0; i < 20; i += 10 {
		if _, err := sink.Step(context.Background(), ch, sink.Options{BatchSize: 10}, snk, func(context.Context, []flume.Event) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
}

func startServer(t *testing.T, props map[string]string, reg *Registry) string {
	t.Helper()
	props["flume.monitoring.port"] = "0"
	props["flume.monitoring.bind"] = "127.0.0.1"
	srv, err := FromSystemProperties(props, reg, nil)
	if err != nil || srv == nil {
		t.Fatalf("FromSystemProperties: %v, %v", srv, err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(context.Background()); err != nil {
			t.Error(err)
		}
		if err := srv.Stop(context.Background()); err != nil {
			t.Error("second Stop:", err)
		}
	})
	return "http://" + srv.Addr()
}

func get(t *testing.T, method, url string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func TestMetricsJSON(t *testing.T) {
	reg := NewRegistry()
	flow(t, reg)
	base := startServer(t, map[string]string{"flume.monitoring.type": "HTTP"}, reg)
	code, hdr, body := get(t, "GET", base+"/metrics")
	if code != 200 || hdr.Get("Content-Type") != "application/json;charset=utf-8" {
		t.Fatalf("GET /metrics: %d %q", code, hdr.Get("Content-Type"))
	}
	var m map[string]map[string]string // fails unless every value is a JSON string
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	want := map[string]map[string]string{
		"SOURCE.r1": {"Type": "SOURCE", "StopTime": "0", "EventReceivedCount": "25", "EventAcceptedCount": "25",
			"AppendBatchReceivedCount": "2", "AppendBatchAcceptedCount": "2", "AppendReceivedCount": "0",
			"ChannelWriteFail": "0", "OpenConnectionCount": "0"},
		"CHANNEL.c1": {"Type": "CHANNEL", "StopTime": "0", "ChannelSize": "5", "ChannelCapacity": "100",
			"ChannelFillPercentage": "5.0", "EventPutAttemptCount": "25", "EventPutSuccessCount": "25",
			"EventTakeSuccessCount": "20"},
		"SINK.k1": {"Type": "SINK", "StopTime": "0", "BatchCompleteCount": "2", "BatchEmptyCount": "0",
			"EventDrainAttemptCount": "20", "EventDrainSuccessCount": "20", "EventWriteFail": "0"},
	}
	if len(m) != len(want) {
		t.Fatalf("groups %v, want %d", keys(m), len(want))
	}
	for k, attrs := range want {
		for a, v := range attrs {
			if got, ok := m[k][a]; !ok || got != v {
				t.Errorf("%s.%s = %q (present %v), want %q", k, a, got, ok, v)
			}
		}
		if st, err := strconv.ParseInt(m[k]["StartTime"], 10, 64); err != nil || st <= 0 {
			t.Errorf("%s.StartTime = %q", k, m[k]["StartTime"])
		}
	}
	if _, _, again := get(t, "GET", base+"/MeTrIcS"); !strings.HasPrefix(again, `{"CHANNEL.c1":{`) {
		t.Fatalf("path is case-insensitive and keys sorted: %.60s", again)
	}
}

func keys(m map[string]map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRoutes(t *testing.T) {
	reg := NewRegistry()
	base := startServer(t, map[string]string{"flume.monitoring.type": "org.apache.flume.instrumentation.http.HTTPMetricsServer"}, reg)
	for _, tc := range []struct {
		method, path string
		code         int
		ctype        string
	}{
		{"GET", "/", 200, "text/html;charset=utf-8"},
		{"POST", "/metrics", 200, "application/json;charset=utf-8"},
		{"TRACE", "/metrics", 403, ""},
		{"OPTIONS", "/", 403, ""},
		{"TRACE", "/nothing", 403, ""},
		{"GET", "/metrics/", 404, ""},
		{"GET", "/favicon.ico", 404, ""},
		{"GET", "/prometheus", 200, ""},
	} {
		code, hdr, body := get(t, tc.method, base+tc.path)
		if code != tc.code || (tc.ctype != "" && hdr.Get("Content-Type") != tc.ctype) {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, code, hdr.Get("Content-Type"), tc.code, tc.ctype)
		}
		if tc.path == "/" && tc.code == 200 && !strings.Contains(body, `href = "./metrics"`) {
			t.Errorf("GET / body %q", body)
		}
	}
	if _, _, body := get(t, "GET", base+"/metrics"); body != "{}" {
		t.Errorf("empty registry: %q", body)
	}
}

func TestPrometheus(t *testing.T) {
	reg := NewRegistry()
	reg.SetAgent("a1")
	flow(t, reg)
	for _, typ := range []string{"http", "prometheus"} {
		base := startServer(t, map[string]string{"flume.monitoring.type": typ}, reg)
		path := "/prometheus"
		if typ == "prometheus" {
			path = "/metrics"
		}
		code, _, body := get(t, "GET", base+path)
		if code != 200 {
			t.Fatalf("%s %s: %d", typ, path, code)
		}
		parser := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%v in\n%s", err, body)
		}
		for _, tc := range []struct {
			name, component string
			kind            dto.MetricType
			value           float64
		}{
			{"flume_source_events_received_total", "r1", dto.MetricType_COUNTER, 25},
			{"flume_channel_events_put_total", "c1", dto.MetricType_COUNTER, 25},
			{"flume_channel_size", "c1", dto.MetricType_GAUGE, 5},
			{"flume_channel_fill_ratio", "c1", dto.MetricType_GAUGE, 0.05},
			{"flume_sink_events_drained_total", "k1", dto.MetricType_COUNTER, 20},
			{"flume_sink_batches_complete_total", "k1", dto.MetricType_COUNTER, 2},
			{"flume_sink_stop_time_seconds", "k1", dto.MetricType_GAUGE, 0},
		} {
			f := fams[tc.name]
			if f == nil || f.GetType() != tc.kind || len(f.Metric) != 1 {
				t.Errorf("%s: family %v", tc.name, f)
				continue
			}
			mt := f.Metric[0]
			var v float64
			if tc.kind == dto.MetricType_COUNTER {
				v = mt.GetCounter().GetValue()
			} else {
				v = mt.GetGauge().GetValue()
			}
			if v != tc.value || len(mt.Label) != 2 || mt.Label[0].GetName() != "agent" || mt.Label[0].GetValue() != "a1" ||
				mt.Label[1].GetName() != "component" || mt.Label[1].GetValue() != tc.component {
				t.Errorf("%s = %v %v, want %v{agent=\"a1\",component=%q}", tc.name, v, mt.Label, tc.value, tc.component)
			}
		}
		for name := range fams {
			if !model.LegacyValidation.IsValidMetricName(name) {
				t.Errorf("invalid metric name %q", name)
			}
		}
	}
}

func TestMetricNames(t *testing.T) {
	for _, tc := range []struct {
		typ, attr string
		gauge     bool
		want      string
	}{
		{"SOURCE", "EventAcceptedCount", false, "flume_source_events_accepted_total"},
		{"CHANNEL", "ChannelFillPercentage", true, "flume_channel_fill_ratio"},
		{"SINK", "KafkaEventSendTimer", false, "flume_sink_kafka_event_send_seconds_total"},
		{"CHANNEL", "CheckpointBackupWriteErrorCount", false, "flume_channel_checkpoint_backup_write_errors_total"},
		// Attributes the table does not list follow the conventions.
		{"SOURCE", "HTTPRequestCount", false, "flume_source_http_request_total"},
		{"SOURCE", "KafkaEventGetTimer", false, "flume_source_kafka_event_get_seconds_total"},
		{"CHANNEL", "KafkaCommitTimer", false, "flume_channel_kafka_commit_seconds_total"},
		{"SINK", "SerializationFail", false, "flume_sink_serialization_failures_total"},
		{"SINK", "OpenFileCount", true, "flume_sink_open_files"},
		{"SINK", "BatchCount", true, "flume_sink_batches"},
		{"SINK", "EntryCount", true, "flume_sink_entries"},
		{"SINK", "WriteLatencyMs", true, "flume_sink_write_latency_seconds"},
		{"SINK", "BytesWrittenTotal", true, "flume_sink_bytes_written"},
		{"SINK", "BytesWrittenCounter", false, "flume_sink_bytes_written_total"},
		{"SINK", "CheckSum", true, "flume_sink_check_sum_value"},
		{"SINK", "UsedMB", true, "flume_sink_used_bytes"},
		{"SINK", "LastH", true, "flume_sink_lasth"},
		{"SINK", "RollbackCount", true, "flume_sink_rollbacks"}, // listed as a counter
		{"MY-TYPE", "Open", true, "flume_my_type_open"},
	} {
		if got := MetricName(tc.typ, tc.attr, tc.gauge); got != tc.want {
			t.Errorf("MetricName(%q, %q, %v) = %q, want %q", tc.typ, tc.attr, tc.gauge, got, tc.want)
		}
	}
	// Every attribute of the counter groups flumego publishes is listed,
	// as the kind it is published as.
	for _, g := range []flume.CounterGroup{new(flume.SourceCounter), new(source.ServerCounter), new(flume.ChannelCounter),
		new(file.Counter), new(flume.SinkCounter), new(kafka.Counter), new(datahub.Counter)} {
		for _, a := range g.Attributes() {
			spec, ok := attributeMetrics[a.Name]
			switch {
			case a.Name == "Type":
			case !ok:
				t.Errorf("%s attribute %s is not in attributeMetrics", g.Type(), a.Name)
			case strings.HasSuffix(spec.name, "_total") == a.Gauge:
				t.Errorf("%s attribute %s (gauge %v) is listed as %s", g.Type(), a.Name, a.Gauge, spec.name)
			}
		}
	}
}

// TestMetricNamesLint serves every attribute attributeMetrics lists, and
// names the conventions derive, and runs client_golang's promlint (the
// checks of promtool check metrics) over them: nothing may be reported.
func TestMetricNamesLint(t *testing.T) {
	reg := NewRegistry()
	reg.SetAgent("a1")
	for _, typ := range []string{"SOURCE", "CHANNEL", "SINK"} {
		var attrs []flume.Attribute
		for attr, spec := range attributeMetrics {
			attrs = append(attrs, flume.Attribute{Name: attr, Value: 1, Gauge: !strings.HasSuffix(spec.name, "_total")})
		}
		for _, attr := range []string{"HTTPRequestCount", "KafkaEventGetTimer", "SerializationFail", "OpenFileCount", "WriteLatencyMs",
			"BytesWrittenTotal", "CheckSum", "UsedMB", "LastH", "DGauge", "Sum", "Count", "X", "TimeS"} {
			attrs = append(attrs, flume.Attribute{Name: attr, Value: 1, Gauge: true}, flume.Attribute{Name: attr + "Counter", Value: 1})
		}
		reg.Publisher("x")(fakeGroup{typ, attrs})
	}
	base := startServer(t, map[string]string{"flume.monitoring.type": "http"}, reg)
	_, _, body := get(t, "GET", base+"/prometheus")
	problems, err := promlint.New(strings.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	if n := strings.Count(body, "# TYPE flume_"); n < 3*len(attributeMetrics) {
		t.Errorf("%d families for %d attributes:\n%s", n, len(attributeMetrics), body)
	}
}

type fakeGroup struct {
	typ   string
	attrs []flume.Attribute
}

func (f fakeGroup) Type() string                  { return f.typ }
func (f fakeGroup) Attributes() []flume.Attribute { return f.attrs }

func TestJSONEscapingLikeGson(t *testing.T) {
	reg := NewRegistry()
	reg.Publisher("a<b")(fakeGroup{"SINK", []flume.Attribute{
		{Name: "Text", Text: "<tag a='1'>&x=\"y\"\\\n\t\x01\u2028é"},
	}})
	var b bytes.Buffer
	if err := reg.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	want := `{"SINK.a\u003cb":{"Text":"\u003ctag a\u003d\u00271\u0027\u003e\u0026x\u003d\"y\"\\\n\t\u0001\u2028é"}}`
	if b.String() != want {
		t.Fatalf("got  %s\nwant %s", b.String(), want)
	}
	var m map[string]map[string]string
	if err := json.Unmarshal(b.Bytes(), &m); err != nil || m["SINK.a<b"]["Text"] != "<tag a='1'>&x=\"y\"\\\n\t\x01\u2028é" {
		t.Fatalf("round trip: %v %v", m, err)
	}
}

func TestRegistryPublishReplaceRemove(t *testing.T) {
	reg := NewRegistry()
	old := new(flume.SinkCounter)
	reg.Publisher("k1")(old)
	reg.Publisher("k1")(new(flume.ChannelCounter)) // same name, another kind: another key
	repl := new(flume.SinkCounter)
	repl.EventDrainSuccessCount.Store(7)
	reg.Publisher("k1")(repl) // a reload rebuilt k1
	if got := strings.Join(reg.Keys(), " "); got != "CHANNEL.k1 SINK.k1" {
		t.Fatalf("keys %q", got)
	}
	for _, g := range reg.Snapshot() {
		if g.Key == "SINK.k1" {
			for _, a := range g.Attributes {
				if a.Name == "EventDrainSuccessCount" && a.Text != "7" {
					t.Fatal("the replacement group should be listed")
				}
			}
		}
	}
	reg.Remove("CHANNEL.k1", "SOURCE.none")
	if got := strings.Join(reg.Keys(), " "); got != "SINK.k1" {
		t.Fatalf("after Remove: %q", got)
	}
}

func TestFromSystemProperties(t *testing.T) {
	reg := NewRegistry()
	if srv, err := FromSystemProperties(map[string]string{"flume.monitoring.port": "1"}, reg, nil); srv != nil || err != nil {
		t.Fatalf("no type: %v %v", srv, err)
	}
	srv, err := FromSystemProperties(map[string]string{"flume.monitoring.type": "http"}, reg, nil)
	if err != nil || srv.cfg.Port != DefaultPort || srv.cfg.Bind != "" || srv.cfg.Format != JSON {
		t.Fatalf("defaults: %+v %v", srv.cfg, err)
	}
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"flume.monitoring.type": "ganglia"}, "ganglia"},
		{map[string]string{"flume.monitoring.type": "com.example.Monitor"}, "custom"},
		{map[string]string{"flume.monitoring.type": "http", "flume.monitoring.port": "41x"}, "not a port"},
		{map[string]string{"flume.monitoring.type": "http", "flume.monitoring.port": "70000"}, "not a port"},
	} {
		_, err := FromSystemProperties(tc.props, reg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v", tc.props, err)
		}
		if tc.want == "ganglia" && !errors.Is(err, flume.ErrUnsupported) {
			t.Errorf("ganglia should be ErrUnsupported: %v", err)
		}
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	srv := NewServer(Config{Bind: "127.0.0.1", Port: port}, NewRegistry(), nil)
	if err := srv.Start(context.Background()); err == nil {
		_ = srv.Stop(context.Background())
		t.Fatal("Start on a used port must fail")
	}
	if err := srv.Stop(context.Background()); err != nil {
		t.Fatal("Stop without a running server:", err)
	}
}

// TestLivePage checks that a server shown a topology serves the live page
// at / (and its data under /live/), read-only, and keeps Flume's other
// routes.
func TestLivePage(t *testing.T) {
	reg := NewRegistry()
	srv, err := FromSystemProperties(map[string]string{"flume.monitoring.type": "http", "flume.monitoring.port": "0",
		"flume.monitoring.bind": "127.0.0.1"}, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.ShowTopology(func() topology.Graph {
		b := topology.NewBuilder("a1", 3, true)
		b.Add(topology.Node{Kind: topology.Channel, Name: "c1", Type: "memory"})
		return b.Graph()
	})
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	base := "http://" + srv.Addr()
	if code, hdr, body := get(t, "GET", base+"/"); code != 200 || !strings.Contains(body, `src="live/page.js"`) || hdr.Get("Content-Security-Policy") == "" {
		t.Errorf("GET /: %d %.100q", code, body)
	}
	if code, _, body := get(t, "GET", base+"/live/state"); code != 200 || !strings.Contains(body, `"generation":3`) || !strings.Contains(body, `"id":"channel/c1"`) {
		t.Errorf("GET /live/state: %d %.200q", code, body)
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		if code, _, _ := get(t, m, base+"/"); code != 405 {
			t.Errorf("%s /: %d", m, code)
		}
	}
	if code, _, body := get(t, "GET", base+"/metrics"); code != 200 || body != "{}" {
		t.Errorf("GET /metrics: %d %q", code, body)
	}
	if code, _, _ := get(t, "TRACE", base+"/"); code != 403 {
		t.Errorf("TRACE /: %d", code)
	}
}
