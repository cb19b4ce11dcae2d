package main

import (
	"context"
	"testing"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
)

// The example's files pass flume-ng check as they are and with the local
// overrides, without a warning: an agent with a source and a Kafka channel
// but no sink, and one with a Kafka channel and a sink but no source, are
// complete agents, as in Flume.
func TestCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, agent := range []string{"collector", "writer"} {
		files, err := demo.Files("kafka-channel", agent+".properties", "local-"+agent+".properties")
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.CheckConfig(ctx, agent, files[:1], files[1:]); err != nil {
			t.Error(err)
		}
	}
}

// The collector (exec seq 1 100000 → Kafka channel) and the writer (Kafka
// channel → file_roll), separate flume-ng processes on a topic of 6
// partitions on 3 in-process brokers. Each is killed with SIGKILL in the
// middle of the stream and started again. Every number must be in the
// writer's output, and the writer must not have written more than its last
// batch twice (reading the topic tells those from the numbers the
// collector's second run put again).
func TestKafkaChannel(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run of flume-ng processes")
	}
	t.Setenv(demo.KafkaEnv, "") // the in-process brokers, whatever the environment says
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := demo.NewTestSession(t)
	res, err := run(ctx, s, options{Lines: 100000, Every: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.verify(); err != nil {
		t.Fatal(err)
	}
	if res.InTopic <= 100000 {
		t.Errorf("the topic holds %d records: the collector's second run put nothing again?", res.InTopic)
	}
	t.Logf("%v; %d records in the topic; the writer wrote %d numbers twice", res.Report, res.InTopic, res.WriterTwice)
}
