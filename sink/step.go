package sink

import (
	"context"
	"fmt"
	"time"

	"github.com/flumego/flume"
)

// DeliverFunc hands a batch to the destination and returns nil only once the
// destination acknowledged all of it. events is only valid until it returns.
type DeliverFunc func(ctx context.Context, events []flume.Event) error

// Options shape the batches of Step.
type Options struct {
	// BatchSize is the most events one step takes (the sink's batch size);
	// at least 1.
	BatchSize int
	// BatchTimeout, when positive, lets a step fill its batch over several
	// takes of one transaction: after a first take that returned events, it
	// keeps taking until the batch holds BatchSize events, passes MaxBytes,
	// a take comes back empty (the channel stayed idle for its keep-alive)
	// or fails, or BatchTimeout has passed since the first take returned.
	// Zero takes once, as Flume's sinks do.
	BatchTimeout time.Duration
	// MaxBytes, when positive, ends the filling (BatchTimeout) once the
	// batch holds more than MaxBytes body bytes; the take that passed it is
	// kept.
	MaxBytes int
	// BackoffOnUnderflow makes a step that took fewer than BatchSize events
	// return Backoff, as Flume's NullSink and RollingFileSink do (their
	// loop stops at the first empty take). By default only an empty step
	// backs off (AbstractRpcSink, the HDFS and Kafka sinks).
	BackoffOnUnderflow bool
}

// Result tells what a Step did.
type Result struct {
	// Status is what the sink's Process returns to its runner: Ready when
	// events were delivered and committed (a full batch, with
	// BackoffOnUnderflow), Backoff otherwise.
	Status flume.Status
	// Taken is the number of events taken (and attempted: Flume's
	// EventDrainAttemptCount).
	Taken int
	// Committed reports that the transaction was committed: the events
	// were delivered, or there were none.
	Committed bool
	// RolledBack reports that the transaction was rolled back (or could
	// not begin): the take, the delivery or the commit failed, and the
	// events taken are back at the head of the channel, in order.
	RolledBack bool
	// TakeErr is the channel's error when the transaction could not be
	// begun or a take failed (not when the step's context ended). Step
	// then returns Backoff and a nil error, as Flume's sinks back off
	// without failing: the channel's trouble is not the sink's, and a sink
	// group must not fail over for it.
	TakeErr error
}

// Step performs one take–deliver–commit step of a batching sink, as
// Flume's sinks do, and keeps Flume's sink counters (counter may be nil):
//
//  1. begin a transaction on ch and take up to BatchSize events (in
//     several takes with BatchTimeout);
//  2. none: commit, count BatchEmptyCount, return Backoff;
//  3. otherwise count the batch (BatchUnderflowCount or BatchCompleteCount,
//     EventDrainAttemptCount), call deliver, commit, count
//     EventDrainSuccessCount and return Ready;
//  4. a channel error while beginning or taking: roll back, count
//     ChannelReadFail, return Backoff and a nil error (Result.TakeErr tells
//     the error); a deliver error: roll back, count EventWriteFail and
//     return the error (the sink runner backs off or the sink group fails
//     over); a commit error: roll back and return it (the events are
//     delivered again).
//
// A panic in deliver rolls the transaction back and continues. Step runs
// on the sink's goroutine; every sink, including the HDFS sink (batchSize,
// callTimeout and rolling live in its deliver), is built on it.
func Step(ctx context.Context, ch flume.Channel, opt Options, counter *flume.SinkCounter, deliver DeliverFunc) (Result, error) {
	if counter == nil {
		counter = new(flume.SinkCounter)
	}
	res := Result{Status: flume.Backoff}
	tx, err := ch.Begin()
	if err != nil {
		counter.ChannelReadFail.Add(1)
		res.RolledBack, res.TakeErr = true, err
		return res, nil
	}
	defer func() { _ = tx.Rollback() }() // no-op after Commit; also runs on a panic in deliver
	events, err := take(ctx, tx, opt)
	if err != nil {
		res.RolledBack = true
		if ctx.Err() == nil {
			counter.ChannelReadFail.Add(1)
			res.TakeErr = err
		}
		return res, nil
	}
	res.Taken = len(events)
	counter.CountBatch(len(events), opt.BatchSize)
	if len(events) == 0 {
		res.Committed = tx.Commit(ctx) == nil
		res.RolledBack = !res.Committed
		return res, nil
	}
	if err := deliver(ctx, events); err != nil {
		res.RolledBack = true
		counter.EventWriteFail.Add(1)
		return res, fmt.Errorf("deliver %d events: %w", len(events), err)
	}
	if err := tx.Commit(ctx); err != nil {
		res.RolledBack = true
		return res, fmt.Errorf("commit after delivering %d events (they will be delivered again): %w", len(events), err)
	}
	res.Committed = true
	counter.EventDrainSuccessCount.Add(int64(len(events)))
	if !opt.BackoffOnUnderflow || len(events) >= opt.BatchSize {
		res.Status = flume.Ready
	}
	return res, nil
}

// take takes up to opt.BatchSize events, in several takes when
// opt.BatchTimeout is set (see Options). A take that fails after the first
// ends the filling; what was taken is delivered.
func take(ctx context.Context, tx flume.Transaction, opt Options) ([]flume.Event, error) {
	first, err := tx.Take(ctx, opt.BatchSize)
	if err != nil || len(first) == 0 || opt.BatchTimeout <= 0 || len(first) >= opt.BatchSize {
		return first, err
	}
	size := 0
	for _, e := range first {
		size += len(e.Body)
	}
	if opt.MaxBytes > 0 && size > opt.MaxBytes {
		return first, nil
	}
	batch := append(make([]flume.Event, 0, opt.BatchSize), first...)
	deadline := time.Now().Add(opt.BatchTimeout)
	for len(batch) < opt.BatchSize && (opt.MaxBytes <= 0 || size <= opt.MaxBytes) {
		wait := time.Until(deadline)
		if wait <= 0 {
			break
		}
		tctx, cancel := context.WithTimeout(ctx, wait)
		more, err := tx.Take(tctx, opt.BatchSize-len(batch))
		cancel()
		if err != nil || len(more) == 0 {
			break // deadline, stop, idle channel or full transaction: deliver what we have
		}
		batch = append(batch, more...)
		for _, e := range more {
			size += len(e.Body)
		}
	}
	return batch, nil
}
