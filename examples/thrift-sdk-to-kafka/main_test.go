package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/embedded"
	"github.com/flumego/flume/examples/internal/demo"
)

// The agent's files pass flume-ng check as they are and with the local
// overrides. The expected warnings: requiredAcks is Flume's deprecated name
// of kafka.producer.acks (the deployment used it), and events whose State
// header has no mapping go to no channel.
func TestCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	files, err := demo.Files("thrift-sdk-to-kafka", "ingest.properties", "local-ingest.properties")
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.CheckConfig(ctx, "ingest", files[:1], files[1:],
		"requiredAcks: \"-1\": deprecated: use kafka.producer.acks", "selector.default: no default channels"); err != nil {
		t.Error(err)
	}
}

// The application's files are valid embedded agent properties, as they
// are and with the local overrides: no problem at all.
func TestAppConfig(t *testing.T) {
	files, err := demo.Files("thrift-sdk-to-kafka", "app.properties", "local-app.properties")
	if err != nil {
		t.Fatal(err)
	}
	for _, fs := range [][]string{files[:1], files} {
		props, err := conf.LoadFiles(fs...)
		if err != nil {
			t.Fatal(err)
		}
		problems, err := embedded.Check(context.Background(), embedded.Config{Name: "coin-service", Properties: props,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil || len(problems) != 0 {
			t.Errorf("%v: %v (%v)", fs, problems, err)
		}
	}
}

// The whole topology as processes: the application (app/, an embedded
// agent with a file channel and a failover pair of thrift sinks) puts
// 100,000 numbered events; two ingest agents (thrift source, multiplexing
// selector, file channel with dual checkpoints, Kafka sink) write them to
// an in-process Kafka-protocol broker. Kafka refuses writes until ingest
// agent 1 holds a backlog in its file channel; agent 1 is then killed with
// SIGKILL, and the application must fail over to agent 2; Kafka recovers
// and agent 1, restarted, must deliver its backlog. Then both ingest
// agents stop, the application's own file channel fills, and the
// application is killed with SIGKILL; restarted after the last event it
// printed as acknowledged, it must find its backlog and put the rest.
// Every event, 1 to 100,000, must be in the topic (read back by number
// with franz-go's kgo). Duplicates are allowed (at least once: a batch
// the killed agent committed without answering is sent again, events put
// after the last printed acknowledgement are put again) and are logged.
func TestThriftSDKToKafka(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run of two flume-ng processes and the application")
	}
	t.Setenv(demo.KafkaEnv, "") // the in-process broker, whatever the environment says
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s := demo.NewTestSession(t)
	res, err := run(ctx, s, options{Events: 100_000, Rate: 10_000, RestartRate: 0, Phase: 5000, Every: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.verify(); err != nil {
		t.Fatal(err)
	}
	if res.ExternalRun {
		t.Fatal("ran against an external cluster")
	}
	t.Logf("%v; ingest agent 1 was killed with %d events in its file channel and delivered %d after its restart; agent 2 accepted %d; "+
		"the application was killed after acknowledging 1-%d with %d events in its file channel, and found %d after its restart",
		res.Events, res.Backlog, res.Replayed, res.ViaAgent2, res.AckedAtKill, res.AppBacklog, res.AppReplayed)
}
