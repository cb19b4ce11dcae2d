package main

import (
	"context"
	"testing"
	"time"

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

// The whole topology as processes: the application (app/, the SDK's
// failover client over Thrift) sends to two ingest agents (thrift source,
// multiplexing selector, file channel with dual checkpoints, Kafka sink)
// and an in-process Kafka-protocol broker. Kafka refuses writes until
// agent 1 holds a backlog in its file channel; agent 1 is then killed with
// SIGKILL; the application must fail over to agent 2; Kafka recovers and
// agent 1, restarted, must deliver its backlog. Every event the
// application had acknowledged must be in the topic (read back with
// franz-go's kgo). Duplicates are allowed (at least once: a batch the
// killed agent committed without answering is sent again to agent 2, and
// the Kafka sink writes a batch again when part of it failed) and are
// logged.
func TestThriftSDKToKafka(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run of two flume-ng processes and the application")
	}
	t.Setenv(demo.KafkaEnv, "") // the in-process broker, whatever the environment says
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := demo.NewTestSession(t)
	res, err := run(ctx, s, options{Rate: 2000, Phase: 2000, Every: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.verify(); err != nil {
		t.Fatal(err)
	}
	if res.ExternalRun {
		t.Fatal("ran against an external cluster")
	}
	t.Logf("%v; agent 1 was killed with %d events in its file channel and delivered %d after its restart; agent 2 accepted %d",
		res.Events, res.Backlog, res.Replayed, res.ViaAgent2)
}
