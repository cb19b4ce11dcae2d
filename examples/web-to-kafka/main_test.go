package main

import (
	"context"
	"testing"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
)

// The example's files pass flume-ng check as they are and with the local
// overrides; the only warnings are the deprecation notes of the Kafka
// sink's old property names, which the consolidation agent's file uses on
// purpose (they are what the deployment it comes from used, and Flume 1.11
// reads them too).
func TestCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, agent := range []string{"web", "consolidator"} {
		files, err := demo.Files("web-to-kafka", agent+".properties", "local-"+agent+".properties")
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.CheckConfig(ctx, agent, files[:1], files[1:], ": deprecated: use "); err != nil {
			t.Error(err)
		}
	}
}

// The whole topology as separate flume-ng processes against an in-process
// Kafka-protocol broker: two web agents (exec tail -F, file channel, avro
// sink) and the consolidation agent (avro source, memory channel, Kafka
// sink). The consolidation agent is stopped (SIGTERM) while lines keep
// coming; the web agents must hold them in their file channels and deliver
// them once it is back. Every numbered line of both web servers must be in
// the topic (read back with franz-go's kgo); duplicates would be allowed
// (at least once) and are logged.
func TestWebToKafka(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run of three flume-ng processes")
	}
	t.Setenv(demo.KafkaEnv, "") // the in-process broker, whatever the environment says
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := demo.NewTestSession(t)
	res, err := run(ctx, s, options{Rate: 200, Phase: 200, Every: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.verify(); err != nil {
		t.Fatal(err)
	}
	for _, l := range res.Lines {
		if l.Want < 3*200 {
			t.Errorf("%s: only %d lines written", l.Stream, l.Want)
		}
		t.Logf("%v", l)
	}
	t.Logf("%d records in the topic; file channels held %v while the consolidation agent was down", res.Records, res.Buffered)
}
