package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/flumego/flume"
	"github.com/twmb/franz-go/pkg/kgo"
)

// tx is a transaction of the Kafka channel. Puts are encoded at once (a
// bad partition id fails the put, as in Flume) and produced at commit;
// takes hold their records until commit (their offsets may then be
// committed) or rollback (they go back to the head of the queue).
type tx struct {
	ch    *Channel
	puts  []*kgo.Record
	taken []record
	cons  *consumer // the consumer the takes came from
	enc   encoder
	ended bool
	// highest is the highest partition a put named, -1 for none.
	highest int32
}

// errCommitFailed wraps what a put commit failed with; it is a channel
// error, Flume's ChannelException.
var errCommitFailed = flume.NewChannelError("commit failed as send to Kafka failed")

// Put encodes events as records of the channel's topic: the value is the
// AvroFlumeEvent (parseAsFlumeEvent) or the body, the key the event's key
// header (none without it), the partition the partitionIdHeader header's
// value, else defaultPartitionId, else the partitioner's choice.
func (t *tx) Put(_ context.Context, events ...flume.Event) error {
	if t.ended {
		return flume.ErrTxDone
	}
	recs := make([]*kgo.Record, 0, len(events))
	for i, e := range events {
		r := &kgo.Record{Partition: t.ch.cfg.StaticPartition}
		if t.ch.cfg.PartitionHeader != "" {
			if v, ok := e.Header(t.ch.cfg.PartitionHeader); ok {
				id, err := strconv.ParseInt(v, 10, 32)
				if err != nil || id < 0 {
					return fmt.Errorf("%w: event %d of %d: partition id %q in header %q is not a partition number",
						flume.NewChannelError("Non integer partition id specified"), i+1, len(events), v, t.ch.cfg.PartitionHeader)
				}
				r.Partition = int32(id)
			}
		}
		if k, ok := e.Header(headerKey); ok {
			r.Key = append(make([]byte, 0, len(k)), k...) // an empty key is a key, not none
		}
		if t.ch.cfg.ParseAsFlumeEvent {
			r.Value = t.enc.append(nil, e)
		} else if r.Value = e.Body; r.Value == nil {
			r.Value = []byte{} // an empty body is an empty value, never a tombstone
		}
		recs = append(recs, r)
		t.highest = max(t.highest, r.Partition)
	}
	t.puts = append(t.puts, recs...)
	t.ch.counter.EventPutAttemptCount.Add(int64(len(events)))
	return nil
}

// Take returns up to max events from the head of the queue, waiting up to
// kafka.pollTimeout for a first one. A record that is not an
// AvroFlumeEvent (parseAsFlumeEvent) fails the take, as Flume's
// ChannelException does; the record is consumed, so the next take goes on
// past it.
func (t *tx) Take(ctx context.Context, max int) ([]flume.Event, error) {
	if t.ended {
		return nil, flume.ErrTxDone
	}
	if max <= 0 {
		return nil, nil
	}
	c, err := t.ch.consumer()
	if err != nil {
		return nil, err
	}
	if t.cons == nil {
		t.cons = c
	} else if t.cons != c { // the channel was restarted: these takes are void
		return nil, flume.ErrClosed
	}
	start := time.Now()
	recs := c.take(ctx, max)
	t.ch.counter.KafkaEventGetTimer.Add(time.Since(start).Milliseconds())
	out := make([]flume.Event, 0, len(recs))
	for i, r := range recs {
		e, err := t.event(r.r)
		if err != nil {
			// Keep what decoded in this transaction; the bad record is
			// done (its offset may be committed), the rest goes back.
			t.taken = append(t.taken, recs[:i]...)
			c.finish(ctx, recs[i:i+1])
			c.giveBack(recs[i+1:])
			t.ch.log.Error("kafka channel: a record is not an AvroFlumeEvent; it is skipped. Is parseAsFlumeEvent right for this topic?",
				"topic", r.r.Topic, "partition", r.r.Partition, "offset", r.r.Offset, "error", err)
			return nil, fmt.Errorf("%w: %s/%d offset %d: %w", flume.NewChannelError("Error while getting events from Kafka"),
				r.r.Topic, r.r.Partition, r.r.Offset, err)
		}
		out = append(out, e)
	}
	t.taken = append(t.taken, recs...)
	t.ch.counter.EventTakeAttemptCount.Add(int64(len(out)))
	return out, nil
}

// event decodes a record as Flume's channel does: the value, and the
// record key (when not null) as header key.
func (t *tx) event(r *kgo.Record) (flume.Event, error) {
	var e flume.Event
	if t.ch.cfg.ParseAsFlumeEvent {
		var err error
		if e, err = decode(r.Value); err != nil {
			return e, err
		}
	} else {
		e.Body = r.Value
	}
	if r.Key != nil {
		e.SetHeader(headerKey, string(r.Key))
	}
	return e, nil
}

// Commit produces the puts and returns once the brokers acknowledged every
// record (at kafka.producer.acks, all by default); then the takes are done
// and the group's offsets are committed past them. A put that fails leaves
// the transaction open, to be rolled back: records the brokers did take
// are in the topic and would be put again by a retry (duplicates, never a
// loss).
func (t *tx) Commit(ctx context.Context) error {
	if t.ended {
		return flume.ErrTxDone
	}
	if len(t.puts) > 0 {
		prod, err := t.ch.producer()
		if err != nil {
			return err
		}
		start := time.Now()
		if t.highest >= 0 {
			if err := t.ch.checkPartition(ctx, prod, t.highest); err != nil {
				return err
			}
		}
		if err := prod.ProduceSync(ctx, t.puts...).FirstErr(); err != nil {
			if errors.Is(err, kgo.ErrClientClosed) {
				return fmt.Errorf("%w: %w", errCommitFailed, flume.ErrClosed)
			}
			return fmt.Errorf("%w: kafka channel %q: %d records to %s: %w", errCommitFailed, t.ch.set.Name, len(t.puts), t.ch.cfg.Topic, err)
		}
		t.ch.counter.KafkaEventSendTimer.Add(time.Since(start).Milliseconds())
		t.ch.counter.EventPutSuccessCount.Add(int64(len(t.puts)))
		clear(t.puts)
		t.puts = t.puts[:0]
	}
	t.ended = true
	if len(t.taken) > 0 {
		t.cons.finish(ctx, t.taken)
		t.ch.counter.EventTakeSuccessCount.Add(int64(len(t.taken)))
		clear(t.taken)
		t.taken = nil
	}
	return nil
}

// Rollback discards the puts and returns the takes to the head of the
// queue.
func (t *tx) Rollback() error {
	if t.ended {
		return flume.ErrTxDone
	}
	t.ended = true
	t.puts = nil
	if len(t.taken) > 0 {
		t.ch.counter.RollbackCount.Add(int64(len(t.taken)))
		t.cons.giveBack(t.taken)
		t.taken = nil
	}
	return nil
}
