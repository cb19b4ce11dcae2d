package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/builtin"
	"github.com/flumego/flume/internal/flumetest"
)

// componentConfigs configures one component of each built-in type for
// TestPromtool ({dir} is a fresh directory, {closed} a port nothing listens
// on). A new built-in type needs a line here: the test fails until it has
// one, so that its counters are checked too.
var componentConfigs = map[flume.Kind]map[string]string{
	flume.KindSource: {
		"avro":                "bind = 127.0.0.1\nport = 0",
		"thrift":              "bind = 127.0.0.1\nport = 0",
		"netcat":              "bind = 127.0.0.1\nport = 0",
		"exec":                "command = echo one",
		"seq":                 "totalEvents = 10",
		"spooldir":            "spoolDir = {dir}",
		"TAILDIR":             "positionFile = {dir}/taildir_position.json\nfilegroups = f1\nfilegroups.f1 = {dir}/.*\\.log",
		"http":                "bind = 127.0.0.1\nport = 0",
		"syslogtcp":           "host = 127.0.0.1\nport = 0",
		"multiport_syslogtcp": "host = 127.0.0.1\nports = 0",
		"syslogudp":           "host = 127.0.0.1\nport = 0",
		"org.apache.flume.source.kafka.KafkaSource": "kafka.bootstrap.servers = 127.0.0.1:{closed}\nkafka.topics = t",
	},
	flume.KindChannel: {
		"memory": "capacity = 10000\ntransactionCapacity = 1000",
		"file":   "checkpointDir = {dir}/checkpoint\ndataDirs = {dir}/data\ntransactionCapacity = 1000",
		"org.apache.flume.channel.kafka.KafkaChannel": "kafka.bootstrap.servers = 127.0.0.1:{closed}\nkafka.topic = t",
	},
	flume.KindSink: {
		"avro":      "hostname = 127.0.0.1\nport = {closed}",
		"thrift":    "hostname = 127.0.0.1\nport = {closed}",
		"logger":    "",
		"null":      "",
		"file_roll": "sink.directory = {dir}",
		"http":      "endpoint = http://127.0.0.1:{closed}/\nrollback.2XX = false\nbackoff.2XX = false",
		"kafka":     "kafka.bootstrap.servers = 127.0.0.1:{closed}\nkafka.topic = t",
		"hdfs":      "hdfs.path = file://{dir}/out\nhdfs.recoveryDir = {dir}/recovery",
		"datahub": "datahub.accessId = id\ndatahub.accessKey = key\ndatahub.endPoint = http://127.0.0.1:{closed}\n" +
			"datahub.project = p\ndatahub.topic = t\nserializer = DELIMITED\nserializer.fieldnames = payload",
	},
}

// unpublished are the types that publish no counters, as in Flume.
var unpublished = map[string]bool{"source netcat": true, "sink logger": true, "sink null": true}

// allComponents returns an agent configuration with one component of every
// built-in source, channel and sink type, each channel fed and drained,
// and the keys of the counter groups it publishes.
func allComponents(t *testing.T) (string, []string) {
	reg, err := builtin.RegisterDefault()
	if err != nil {
		t.Fatal(err)
	}
	var props, keys []string
	lists := map[flume.Kind][]string{}
	add := func(kind flume.Kind, section, typ, extra string) string {
		name := fmt.Sprintf("%s%d", map[flume.Kind]string{flume.KindSource: "r", flume.KindChannel: "c", flume.KindSink: "k"}[kind], len(lists[kind])+1)
		lists[kind] = append(lists[kind], name)
		prefix := "a1." + section + "." + name + "."
		props = append(props, prefix+"type = "+typ)
		extra = strings.NewReplacer("{dir}", t.TempDir(), "{closed}", fmt.Sprint(flumetest.FreeAddr(t).Port)).Replace(extra)
		for _, line := range strings.Split(extra, "\n") {
			if line != "" {
				props = append(props, prefix+line)
			}
		}
		if !unpublished[string(kind)+" "+typ] {
			keys = append(keys, strings.ToUpper(string(kind))+"."+name)
		}
		return name
	}
	canonical := func(kind flume.Kind) []string {
		var out []string
		for _, typ := range reg.Types(kind) {
			var c string
			var err error
			switch kind {
			case flume.KindSource:
				_, c, err = reg.Source(typ)
			case flume.KindChannel:
				_, c, err = reg.Channel(typ)
			default:
				_, c, err = reg.Sink(typ)
			}
			if err == nil && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		slices.Sort(out)
		return out
	}
	var channels []string
	for _, typ := range canonical(flume.KindChannel) {
		cfg, ok := componentConfigs[flume.KindChannel][typ]
		if !ok {
			t.Errorf("channel type %q has no configuration in componentConfigs", typ)
			continue
		}
		channels = append(channels, add(flume.KindChannel, "channels", typ, cfg))
	}
	for i, typ := range canonical(flume.KindSource) {
		cfg, ok := componentConfigs[flume.KindSource][typ]
		if !ok {
			t.Errorf("source type %q has no configuration in componentConfigs", typ)
			continue
		}
		add(flume.KindSource, "sources", typ, cfg+"\nchannels = "+channels[i%len(channels)])
	}
	for i, typ := range canonical(flume.KindSink) {
		cfg, ok := componentConfigs[flume.KindSink][typ]
		if !ok {
			t.Errorf("sink type %q has no configuration in componentConfigs", typ)
			continue
		}
		add(flume.KindSink, "sinks", typ, cfg+"\nchannel = "+channels[i%len(channels)])
	}
	head := []string{"a1.sources = " + strings.Join(lists[flume.KindSource], " "),
		"a1.channels = " + strings.Join(lists[flume.KindChannel], " "),
		"a1.sinks = " + strings.Join(lists[flume.KindSink], " ")}
	return strings.Join(append(head, props...), "\n") + "\n", keys
}

// TestPromtool runs an agent with a component of every built-in type and
// checks its Prometheus output with promtool check metrics (Debian's
// Prometheus 2.42, installed by .ci/setup.d/promtool.sh): it must report
// nothing. Every component's counter group must be in the output.
func TestPromtool(t *testing.T) {
	promtool := flumetest.Peer(t, "install promtool (.ci/setup.d/promtool.sh)", "promtool")
	text, keys := allComponents(t)
	cfg := write(t, "a1.properties", text)
	if out, code := run(t, "check", "-n", "a1", "-f", cfg, "--no-environment"); code != 0 {
		t.Fatalf("the configuration of every component type does not check:\n%s\n%s", text, out)
	}
	start := time.Now()
	_, logs, base := startMonitored(t, cfg, "--no-reload-conf")
	missing := keys
	flumetest.WaitFor(t, 20*time.Second, "every component's counters in /metrics", func() bool {
		var metrics map[string]map[string]string
		if err := json.Unmarshal([]byte(httpGet(t, base+"/metrics")), &metrics); err != nil {
			t.Fatal(err)
		}
		missing = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return metrics[k] != nil })
		if len(missing) > 0 && time.Since(start) > 15*time.Second {
			t.Fatalf("not in /metrics: %v\n%s", missing, logs.String())
		}
		return len(missing) == 0
	})
	body := httpGet(t, base+"/prometheus")
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(body)
	out, err := check.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
	for _, k := range keys {
		typ, name, _ := strings.Cut(k, ".")
		if !strings.Contains(body, fmt.Sprintf(`flume_%s_start_time_seconds{agent="a1",component=%q}`, strings.ToLower(typ), name)) {
			t.Errorf("%s is not in the Prometheus output", k)
		}
	}
	t.Logf("%d components, %d metric families: promtool reports nothing", len(keys), strings.Count(body, "# TYPE "))
}

// startMonitored starts a flume-ng agent a1 on the configuration file cfg
// with HTTP monitoring on a free loopback port, and returns its process,
// its log and the monitoring server's base URL. The process is killed at
// the end of the test unless the test waited for it.
func startMonitored(t *testing.T, cfg string, args ...string) (*exec.Cmd, *flumetest.LogBuffer, string) {
	t.Helper()
	args = append([]string{"agent", "-n", "a1", "-f", cfg,
		"-Dflume.monitoring.type=http", "-Dflume.monitoring.port=0", "-Dflume.monitoring.bind=127.0.0.1"}, args...)
	cmd := exec.Command(binary, args...)
	logs := new(flumetest.LogBuffer)
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, logs, "http://" + logValue(t, logs, "monitoring server listening", "address")
}

// httpGet returns the body of a GET that must answer 200.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(body)
}
