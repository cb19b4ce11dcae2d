package sink

import (
	"context"
	"errors"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/channel/memory"
)

func filled(t *testing.T, n int) *memory.Channel {
	t.Helper()
	ch, _ := memory.New(flume.Settings{}, memory.Config{Capacity: 100, TransactionCapacity: 100})
	_ = ch.Start(context.Background())
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), channeltest.Events(0, n)...)
	}); err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestDrainCommitsAfterDelivery(t *testing.T) {
	ch := filled(t, 15)
	var c flume.SinkCounter
	var got []int
	deliver := func(_ context.Context, evs []flume.Event) error {
		for _, e := range evs {
			got = append(got, channeltest.Seq(e))
		}
		return nil
	}
	if st, err := Drain(context.Background(), ch, 10, &c, deliver); st != flume.Ready || err != nil {
		t.Fatalf("%v %v", st, err)
	}
	if st, err := Drain(context.Background(), ch, 10, &c, deliver); st != flume.Ready || err != nil {
		t.Fatalf("%v %v", st, err)
	}
	if st, err := Drain(context.Background(), ch, 10, &c, deliver); st != flume.Backoff || err != nil {
		t.Fatalf("empty channel: %v %v", st, err)
	}
	if len(got) != 15 || got[14] != 14 || ch.Len() != 0 {
		t.Fatalf("delivered %v", got)
	}
	if c.BatchCompleteCount.Load() != 1 || c.BatchUnderflowCount.Load() != 1 || c.BatchEmptyCount.Load() != 1 ||
		c.EventDrainAttemptCount.Load() != 15 || c.EventDrainSuccessCount.Load() != 15 {
		t.Fatalf("counters %+v", c.Attributes())
	}
}

func TestDrainRollsBackOnFailure(t *testing.T) {
	ch := filled(t, 5)
	var c flume.SinkCounter
	boom := errors.New("downstream down")
	st, err := Drain(context.Background(), ch, 10, &c, func(context.Context, []flume.Event) error { return boom })
	if !errors.Is(err, boom) || st != flume.Backoff {
		t.Fatalf("%v %v", st, err)
	}
	if ch.Len() != 5 || c.EventWriteFail.Load() != 1 || c.EventDrainSuccessCount.Load() != 0 {
		t.Fatalf("after a failed delivery the channel holds %d", ch.Len())
	}
	var first int = -1
	_, _ = Drain(context.Background(), ch, 10, &c, func(_ context.Context, evs []flume.Event) error {
		first = channeltest.Seq(evs[0])
		return nil
	})
	if first != 0 {
		t.Fatalf("redelivery starts at %d, want 0 (same events, same order)", first)
	}
}

func TestDrainRollsBackOnPanic(t *testing.T) {
	ch := filled(t, 5)
	func() {
		defer func() { _ = recover() }()
		_, _ = Drain(context.Background(), ch, 10, nil, func(context.Context, []flume.Event) error { panic("bug") })
	}()
	if ch.Len() != 5 {
		t.Fatalf("a panicking deliver lost events: channel holds %d", ch.Len())
	}
}
