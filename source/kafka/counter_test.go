package kafka

import (
	"slices"
	"testing"

	"github.com/flumego/flume"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The counter group publishes exactly the attributes of Flume's
// KafkaSourceCounterMBean.
func TestCounterAttributes(t *testing.T) {
	var c Counter
	c.Started()
	c.KafkaEmptyCount.Add(3)
	c.EventReadFail.Add(1)
	var names []string
	for _, a := range c.Attributes() {
		names = append(names, a.Name)
		if a.Name == "KafkaEmptyCount" && a.Text != "3" {
			t.Errorf("KafkaEmptyCount = %s", a.Text)
		}
	}
	want := []string{"AppendAcceptedCount", "AppendBatchAcceptedCount", "AppendBatchReceivedCount", "AppendReceivedCount",
		"EventAcceptedCount", "EventReceivedCount", "KafkaCommitTimer", "KafkaEmptyCount", "KafkaEventGetTimer",
		"OpenConnectionCount", "StartTime", "StopTime", "Type"}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("attributes %v\nwant %v", names, want)
	}
	if c.Type() != "SOURCE" {
		t.Errorf("type %q", c.Type())
	}
}

// A revocation drops the events and offsets of the partitions that went,
// keeping the others in order.
func TestBatchDrop(t *testing.T) {
	var b batch
	b.reset()
	a0, a1 := tp{"a", 0}, tp{"a", 1}
	for i, p := range []tp{a0, a1, a0, a1, a1} {
		b.events = append(b.events, flume.NewEvent([]byte{byte('0' + i)}))
		b.parts = append(b.parts, p)
		b.offsets[p] = kgo.EpochOffset{Offset: int64(i + 1)}
	}
	if n := b.drop(map[tp]bool{a1: true}); n != 3 {
		t.Fatalf("dropped %d events, want 3", n)
	}
	if len(b.events) != 2 || string(b.events[0].Body) != "0" || string(b.events[1].Body) != "2" || len(b.offsets) != 1 || b.offsets[a0].Offset != 3 {
		t.Fatalf("left %v %v", b.events, b.offsets)
	}
	if b.drop(map[tp]bool{a0: true}); !b.empty() {
		t.Fatal("not empty after dropping every partition")
	}
}
