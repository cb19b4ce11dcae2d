package kafka

import (
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
)

// TestRefusedBatchIsKept: while the channels refuse, the source keeps its
// batch, backs off and offers it again, committing no offset; once they
// accept, every record arrives once.
func TestRefusedBatchIsKept(t *testing.T) {
	const n = 5000
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"full"}})
	c.Produce(t, "full", kafkatest.Numbered(0, n)...)
	out := &collector{refuse: true}
	s := newSource(t, "r1", props(c, "full", map[string]string{"kafka.consumer.group.id": "g", "batchSize": "300",
		"backoffSleepIncrement": "50", "maxBackoffSleep": "100"}), out)
	flumetest.WaitFor(t, 30*time.Second, "the source to be refused three times", func() bool {
		return s.counter.ChannelWriteFail.Load() >= 3
	})
	if got := c.Committed(t, "g", "full"); len(got) != 0 {
		t.Fatalf("offsets %v committed while the channels refused every batch", got)
	}
	out.setRefuse(false)
	flumetest.WaitFor(t, 30*time.Second, "every record", func() bool { return out.len() >= n })
	seen := map[int]int{}
	count(t, seen, out.snapshot())
	if dups := complete(t, seen, n); dups != 0 {
		t.Fatalf("%d duplicates", dups)
	}
	if got := s.counter.EventReceivedCount.Load(); got != n {
		t.Errorf("EventReceivedCount = %d, want %d (a batch offered again is received once)", got, n)
	}
}
