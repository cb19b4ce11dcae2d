package seq

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// TestSequenceSurvivesAFullChannel runs the source into a channel too small
// for the whole sequence and drains it slowly: every number must arrive
// once, in order, although the channel refused batches on the way.
func TestSequenceSurvivesAFullChannel(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 30, 10, 0)
	proc := flumetest.Processor(ch)
	var counters flumetest.Counters
	src, err := Factory(counters.Settings("r1"), flume.ContextFromMap(map[string]string{
		"totalEvents": "200", "batchSize": "10", "backoffSleepIncrement": "1", "maxBackoffSleep": "5"}), proc)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer src.Stop(context.Background())
	// Let it run into the full channel first.
	flumetest.WaitFor(t, 20*time.Second, "the source to meet the full channel", func() bool {
		return counters.Get("r1", "ChannelWriteFail") > 0
	})
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < 200; {
		if time.Now().After(deadline) {
			t.Fatalf("stalled after %d events", i)
		}
		tx, _ := ch.Begin()
		evs, err := tx.Take(context.Background(), 7)
		if err != nil {
			t.Fatal(err)
		}
		_ = tx.Commit(context.Background())
		if len(evs) == 0 {
			time.Sleep(time.Millisecond) // keep-alive is 0: poll
			continue
		}
		for _, e := range evs {
			if string(e.Body) != strconv.Itoa(i) {
				t.Fatalf("event %d = %q", i, e.Body)
			}
			i++
		}
	}
}
