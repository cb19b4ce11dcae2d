package datahub_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/internal/datahubfake"
	"github.com/flumego/flume/sink/datahub"
	"github.com/flumego/flume/source"
	"github.com/flumego/flume/source/exec"
)

// The seed configuration, as a properties file run by the agent:
// an exec source reads a file, a memory channel holds the lines, and the
// DataHub sink, configured with the 1.x names and the tutorials' shard keys,
// writes every line as a record of a one-column topic; a second sink with
// the tutorial's quoted "\\u007C" delimiter splits lines into two columns.
func TestAgentWithSeedConfiguration(t *testing.T) {
	srv := datahubfake.New("LTAI4FiU71dZexample", "exampleSecret")
	for topic, schema := range map[string]string{"base_log": "line:STRING", "split_log": "event_time:STRING,log_string:STRING"} {
		spec, _ := datahubfake.ParseSchema(schema)
		spec.Shards = 2
		if err := srv.CreateTopic("gmall_datahub", topic, spec); err != nil {
			t.Fatal(err)
		}
	}
	stored := make(chan int, 100)
	total := 0
	srv.OnStore = func(_, _ string, recs []datahubfake.Record) {
		total += len(recs)
		stored <- total
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })

	const n = 120
	dir := t.TempDir()
	var lines []string
	for i := 0; i < n; i++ {
		lines = append(lines, fmt.Sprintf("1714560000%03d|{\"mid\":\"m%d\"}", i, i))
	}
	input := filepath.Join(dir, "app.log")
	if err := os.WriteFile(input, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := `
a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sources.r1.type = exec
a1.sources.r1.command = cat ` + input + `
a1.sources.r1.channels = c1 c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.channels.c1.transactionCapacity = 1000
a1.channels.c1.keep-alive = 0
a1.channels.c2.type = memory
a1.channels.c2.capacity = 1000
a1.channels.c2.transactionCapacity = 1000
a1.channels.c2.keep-alive = 0

#sink
a1.sinks.k1.type = com.aliyun.datahub.flume.sink.DatahubSink
a1.sinks.k1.datahub.accessID = LTAI4FiU71dZexample
a1.sinks.k1.datahub.accessKey = exampleSecret
a1.sinks.k1.datahub.endPoint = ` + url + `
a1.sinks.k1.datahub.project = gmall_datahub
a1.sinks.k1.datahub.topic = base_log
a1.sinks.k1.serializer = DELIMITED
a1.sinks.k1.serializer.delimiter = ,
a1.sinks.k1.serializer.fieldnames = line
a1.sinks.k1.batchSize = 1
a1.sinks.k1.shard.number = 1
a1.sinks.k1.shard.maxTimeOut = 60
a1.sinks.k1.datahub.dirtyDataFile = ` + filepath.Join(dir, "dirty1") + `
a1.sinks.k1.channel = c1

a1.sinks.k2.type = com.aliyun.datahub.flume.sink.DatahubSink
a1.sinks.k2.datahub.accessID = LTAI4FiU71dZexample
a1.sinks.k2.datahub.accessKey = exampleSecret
a1.sinks.k2.datahub.endPoint = ` + url + `
a1.sinks.k2.datahub.project = gmall_datahub
a1.sinks.k2.datahub.topic = split_log
a1.sinks.k2.batchSize = 100
a1.sinks.k2.serializer = DELIMITED
a1.sinks.k2.serializer.delimiter = "\\u007C"
a1.sinks.k2.serializer.fieldnames = event_time,log_string
a1.sinks.k2.serializer.charset = UTF-8
a1.sinks.k2.datahub.dirtyDataFile = ` + filepath.Join(dir, "dirty2") + `
a1.sinks.k2.channel = c2
`
	props, err := conf.Parse("file-flume-datahub.conf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	reg := flume.NewRegistry()
	for _, register := range []func(*flume.Registry) error{memory.Register, exec.Register, source.Register, datahub.Register} {
		if err := register(reg); err != nil {
			t.Fatal(err)
		}
	}
	var logger *slog.Logger
	if testing.Verbose() {
		logger = slog.Default()
	}
	g, problems := agent.Build(conf.Agent("a1", props), agent.Options{Registry: reg, Logger: logger,
		RunnerBackoff: &agent.RunnerBackoff{Step: 10 * time.Millisecond, Max: 50 * time.Millisecond, Error: 100 * time.Millisecond}})
	if errs := problems.Errors(); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	warned := fmt.Sprint(problems)
	for _, k := range []string{"a1.sinks.k1.shard.number", "a1.sinks.k1.shard.maxTimeOut"} {
		if !strings.Contains(warned, k) {
			t.Errorf("no warning about %s in %v", k, problems)
		}
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = g.Stop(context.Background()) }()
	timeout := time.After(30 * time.Second)
	for total := 0; total < 2*n; {
		select {
		case total = <-stored:
		case <-timeout:
			t.Fatalf("stored %d of %d records", total, 2*n)
		}
	}
	if err := g.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := srv.Records("gmall_datahub", "base_log")
	split := srv.Records("gmall_datahub", "split_log")
	if len(base) != n || len(split) != n {
		t.Fatalf("stored %d and %d records, want %d each", len(base), len(split), n)
	}
	for i, l := range lines {
		if base[i].Values[0].S != l {
			t.Fatalf("base_log record %d = %q, want %q", i, base[i].Values[0].S, l)
		}
		ts, rest, _ := strings.Cut(l, "|")
		if split[i].Values[0].S != ts || split[i].Values[1].S != rest {
			t.Fatalf("split_log record %d = %+v", i, split[i].Values)
		}
	}
	for _, f := range []string{"dirty1", "dirty2"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("dirty-data file %s written", f)
		}
	}
	if st := srv.Stats(); st.AuthFailures != 0 {
		t.Errorf("%d requests failed authentication", st.AuthFailures)
	}
}

// example.properties is a valid configuration.
func TestExampleProperties(t *testing.T) {
	props, err := conf.LoadFiles("example.properties")
	if err != nil {
		t.Fatal(err)
	}
	reg := flume.NewRegistry()
	for _, register := range []func(*flume.Registry) error{memory.Register, exec.Register, source.Register, datahub.Register} {
		if err := register(reg); err != nil {
			t.Fatal(err)
		}
	}
	_, problems := agent.Build(conf.Agent("a1", props), agent.Options{Registry: reg})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
}
