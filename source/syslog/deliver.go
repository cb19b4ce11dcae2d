package syslog

import (
	"context"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/source"
)

// Backoff bounds of a delivery the channels refused.
const (
	retryFirst = 10 * time.Millisecond
	retryMax   = time.Second
)

// deliver hands events to the channels, in order, until they are committed:
// where Flume drops the events a full channel refuses, a syslog source
// waits (retryFirst doubling to retryMax) and stops reading the sender,
// whose writes then block in TCP's flow control. A batch refused three
// times in a row is split in halves, so that a batch larger than a
// channel's transactionCapacity gets through. Events that fail otherwise (an interceptor's error) are
// dropped; the acceptor counts and logs them. It returns false when ctx
// ended first (the source is stopping: the events are not delivered).
func deliver(ctx context.Context, acc *source.Acceptor, events []flume.Event) bool {
	wait := retryFirst
	for refused := 1; ; refused++ {
		out, _ := acc.Accept(ctx, source.Events, events)
		if out != source.Failed {
			return ctx.Err() == nil || out == source.OK
		}
		if len(events) > 1 && refused >= 3 {
			half := len(events) / 2
			return deliver(ctx, acc, events[:half]) && deliver(ctx, acc, events[half:])
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		wait = min(2*wait, retryMax)
	}
}
