package sink

import (
	"context"
	"fmt"

	"github.com/flumego/flume"
)

// DeliverFunc hands a batch to the destination and returns nil only once the
// destination acknowledged all of it. events is only valid until it returns.
type DeliverFunc func(ctx context.Context, events []flume.Event) error

// Drain performs one Process step of a batching sink, as Flume's
// AbstractRpcSink does:
//
//  1. begin a transaction on ch and take up to batchSize events;
//  2. none: commit, count BatchEmptyCount, return Backoff;
//  3. otherwise count the batch, call deliver, commit, count
//     EventDrainSuccessCount and return Ready;
//  4. a channel error while taking: roll back, count ChannelReadFail, return
//     Backoff; a deliver error: roll back, count EventWriteFail and return
//     the error (the sink runner backs off or the sink group fails over).
//
// counter may be nil.
func Drain(ctx context.Context, ch flume.Channel, batchSize int, counter *flume.SinkCounter, deliver DeliverFunc) (flume.Status, error) {
	if counter == nil {
		counter = new(flume.SinkCounter)
	}
	tx, err := ch.Begin()
	if err != nil {
		counter.ChannelReadFail.Add(1)
		return flume.Backoff, nil
	}
	defer func() { _ = tx.Rollback() }() // no-op after Commit
	events, err := tx.Take(ctx, batchSize)
	if err != nil {
		if ctx.Err() == nil {
			counter.ChannelReadFail.Add(1)
		}
		return flume.Backoff, nil
	}
	counter.CountBatch(len(events), batchSize)
	if len(events) == 0 {
		_ = tx.Commit(ctx)
		return flume.Backoff, nil
	}
	if err := deliver(ctx, events); err != nil {
		counter.EventWriteFail.Add(1)
		return flume.Backoff, fmt.Errorf("deliver %d events: %w", len(events), err)
	}
	if err := tx.Commit(ctx); err != nil {
		return flume.Backoff, fmt.Errorf("commit after delivering %d events (they will be delivered again): %w", len(events), err)
	}
	counter.EventDrainSuccessCount.Add(int64(len(events)))
	return flume.Ready, nil
}
