package sink

import (
	"context"
	"errors"
	"testing"
	"time"

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

// step runs Step with a batch size and no other option, as the sinks of
// Flume do.
func step(ctx context.Context, ch flume.Channel, batchSize int, c *flume.SinkCounter, deliver DeliverFunc) (flume.Status, error) {
	res, err := Step(ctx, ch, Options{BatchSize: batchSize}, c, deliver)
	return res.Status, err
}

func TestStepCommitsAfterDelivery(t *testing.T) {
	ch := filled(t, 15)
	var c flume.SinkCounter
	var got []int
	deliver := func(_ context.Context, evs []flume.Event) error {
		for _, e := range evs {
			got = append(got, channeltest.Seq(e))
		}
		return nil
	}
	if st, err := step(context.Background(), ch, 10, &c, deliver); st != flume.Ready || err != nil {
		t.Fatalf("%v %v", st, err)
	}
	if st, err := step(context.Background(), ch, 10, &c, deliver); st != flume.Ready || err != nil {
		t.Fatalf("%v %v", st, err)
	}
	if st, err := step(context.Background(), ch, 10, &c, deliver); st != flume.Backoff || err != nil {
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

func TestStepRollsBackOnFailure(t *testing.T) {
	ch := filled(t, 5)
	var c flume.SinkCounter
	boom := errors.New("downstream down")
	st, err := step(context.Background(), ch, 10, &c, func(context.Context, []flume.Event) error { return boom })
	if !errors.Is(err, boom) || st != flume.Backoff {
		t.Fatalf("%v %v", st, err)
	}
	if ch.Len() != 5 || c.EventWriteFail.Load() != 1 || c.EventDrainSuccessCount.Load() != 0 {
		t.Fatalf("after a failed delivery the channel holds %d", ch.Len())
	}
	var first int = -1
	_, _ = step(context.Background(), ch, 10, &c, func(_ context.Context, evs []flume.Event) error {
		first = channeltest.Seq(evs[0])
		return nil
	})
	if first != 0 {
		t.Fatalf("redelivery starts at %d, want 0 (same events, same order)", first)
	}
}

func TestStepRollsBackOnPanic(t *testing.T) {
	ch := filled(t, 5)
	func() {
		defer func() { _ = recover() }()
		_, _ = step(context.Background(), ch, 10, nil, func(context.Context, []flume.Event) error { panic("bug") })
	}()
	if ch.Len() != 5 {
		t.Fatalf("a panicking deliver lost events: channel holds %d", ch.Len())
	}
}

// TestStepResult: the result tells what was taken, committed and rolled
// back, for each way a step ends.
func TestStepResult(t *testing.T) {
	ctx := context.Background()
	ok := func(context.Context, []flume.Event) error { return nil }
	ch := filled(t, 15)
	var c flume.SinkCounter
	if res, err := Step(ctx, ch, Options{BatchSize: 10}, &c, ok); err != nil ||
		res != (Result{Status: flume.Ready, Taken: 10, Committed: true}) {
		t.Fatalf("full batch: %+v, %v", res, err)
	}
	if res, err := Step(ctx, ch, Options{BatchSize: 10, BackoffOnUnderflow: true}, &c, ok); err != nil ||
		res != (Result{Status: flume.Backoff, Taken: 5, Committed: true}) {
		t.Fatalf("short batch with BackoffOnUnderflow: %+v, %v", res, err)
	}
	if res, err := Step(ctx, ch, Options{BatchSize: 10}, &c, ok); err != nil ||
		res != (Result{Status: flume.Backoff, Committed: true}) {
		t.Fatalf("empty channel: %+v, %v", res, err)
	}
	flumetestPut(t, ch, 3)
	boom := errors.New("down")
	if res, err := Step(ctx, ch, Options{BatchSize: 10}, &c, func(context.Context, []flume.Event) error { return boom }); !errors.Is(err, boom) ||
		res != (Result{Status: flume.Backoff, Taken: 3, RolledBack: true}) || ch.Len() != 3 {
		t.Fatalf("failed delivery: %+v, %v; channel %d", res, err, ch.Len())
	}
	if err := ch.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := Step(ctx, ch, Options{BatchSize: 10}, &c, ok)
	if err != nil || res.Status != flume.Backoff || !res.RolledBack || res.TakeErr == nil || c.ChannelReadFail.Load() != 1 {
		t.Fatalf("stopped channel: %+v, %v, ChannelReadFail %d", res, err, c.ChannelReadFail.Load())
	}
}

func flumetestPut(t *testing.T, ch flume.Channel, n int) {
	t.Helper()
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), channeltest.Events(0, n)...)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestStepFillsOverSeveralTakes: with BatchTimeout a step keeps taking in
// the same transaction while events come, until the batch is full, passes
// MaxBytes, or the timeout passes; an idle channel ends it early.
func TestStepFillsOverSeveralTakes(t *testing.T) {
	ctx := context.Background()
	newChannel := func(keepAlive time.Duration) flume.Channel {
		ch, _ := memory.New(flume.Settings{}, memory.Config{Capacity: 100, TransactionCapacity: 100, KeepAlive: keepAlive})
		_ = ch.Start(ctx)
		t.Cleanup(func() { _ = ch.Stop(ctx) })
		return ch
	}
	// A keep-alive far longer than any pause of the producers below, so
	// only the batch size and MaxBytes end these batches however loaded
	// the machine is; the idle case has a channel of its own.
	ch := newChannel(10 * time.Second)
	var got [][]int
	deliver := func(_ context.Context, evs []flume.Event) error {
		var b []int
		for _, e := range evs {
			b = append(b, channeltest.Seq(e))
		}
		got = append(got, b)
		return nil
	}
	putOn := func(ch flume.Channel, from, to int) {
		if err := flume.Do(ctx, ch, func(tx flume.Transaction) error { return tx.Put(ctx, channeltest.Events(from, to)...) }); err != nil {
			t.Error(err)
		}
	}
	put := func(from, to int) { putOn(ch, from, to) }
	put(0, 3)
	// A producer adds 3 more events, twice, while the step is filling.
	producer := make(chan struct{})
	go func() {
		defer close(producer)
		for i := 1; i <= 2; i++ {
			time.Sleep(5 * time.Millisecond) // events that come while the batch fills
			put(3*i, 3*i+3)
		}
	}()
	res, err := Step(ctx, ch, Options{BatchSize: 9, BatchTimeout: 10 * time.Second}, nil, deliver)
	<-producer
	if err != nil || res.Taken != 9 || res.Status != flume.Ready || len(got) != 1 || len(got[0]) != 9 || got[0][8] != 8 {
		t.Fatalf("filling to the batch size: %+v, %v, delivered %v", res, err, got)
	}
	// An idle channel (a take that waits the keep-alive in vain) ends the
	// batch long before the timeout.
	idle := newChannel(20 * time.Millisecond)
	putOn(idle, 9, 11)
	start := time.Now()
	if res, err := Step(ctx, idle, Options{BatchSize: 9, BatchTimeout: 10 * time.Second}, nil, deliver); err != nil || res.Taken != 2 {
		t.Fatalf("idle channel: %+v, %v", res, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("an idle channel held the batch for %v", d)
	}
	// MaxBytes: while events keep coming, the batch ends once its bodies
	// pass the limit (bodies "e20".."e99" are 3 bytes each).
	stop := make(chan struct{})
	producer = make(chan struct{})
	go func() {
		defer close(producer)
		for i := 20; i < 100; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond): // a steady trickle of events
			}
			put(i, i+1)
		}
	}()
	got = nil
	res, err = Step(ctx, ch, Options{BatchSize: 80, BatchTimeout: 10 * time.Second, MaxBytes: 20}, nil, deliver)
	close(stop)
	<-producer
	if err != nil || len(got) != 1 || res.Taken < 7 || res.Taken >= 80 {
		t.Fatalf("MaxBytes 20: %+v, %v, delivered %v", res, err, got)
	}
}
