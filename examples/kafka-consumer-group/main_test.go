package main

import (
	"context"
	"testing"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
)

// The example's file passes flume-ng check as it is and with the local
// overrides, without a warning.
func TestCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	files, err := demo.Files("kafka-consumer-group", "archiver.properties", "local-archiver.properties")
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.CheckConfig(ctx, "archiver", files[:1], files[1:]); err != nil {
		t.Error(err)
	}
}

// Two archiving agents, separate flume-ng processes (Kafka source → file
// channel → file_roll), share a topic of 6 partitions on 3 in-process
// brokers as one consumer group while records keep coming. One is killed
// with SIGKILL: the other must archive everything written after the kill
// (it took the dead agent's partitions over). The killed one is started
// again and drains its file channel. Every record must be in the archives;
// duplicates are counted and allowed only from the killed agent's
// half-done batches (see result.verify).
func TestKafkaConsumerGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run of flume-ng processes")
	}
	t.Setenv(demo.KafkaEnv, "") // the in-process brokers, whatever the environment says
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := demo.NewTestSession(t)
	res, err := run(ctx, s, options{Rate: 4000, Phase: 4000, Every: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.verify(); err != nil {
		t.Fatal(err)
	}
	if res.Lines[agents[0]] == 0 || res.Lines[agents[1]] == 0 {
		t.Fatalf("an agent archived nothing: %v", res.Lines)
	}
	t.Logf("%v; by agent %v; archived by both %d; twice by one %v", res.Report, res.Lines, res.CrossDups, res.SelfDups)
}
