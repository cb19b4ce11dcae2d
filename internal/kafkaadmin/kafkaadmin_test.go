package kafkaadmin

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The end offsets of a topic are the counts of records written to each
// partition; a topic that does not exist has none.
func TestEndOffsets(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("t"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Partition: 1, Value: []byte("a")}, &kgo.Record{Partition: 1, Value: []byte("b")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	ends, err := EndOffsets(ctx, cl, "t")
	if err != nil || len(ends) != 2 || ends[0] != 0 || ends[1] != 2 {
		t.Fatalf("end offsets %v, %v", ends, err)
	}
	if ends, err := EndOffsets(ctx, cl, "missing"); err != nil || len(ends) != 0 {
		t.Fatalf("end offsets of a missing topic: %v, %v", ends, err)
	}
}
