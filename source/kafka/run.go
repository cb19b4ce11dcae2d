package kafka

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/background"
	"github.com/flumego/flume/internal/kafkaconf/kgoconf"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// tp names a partition of a topic.
type tp struct {
	topic     string
	partition int32
}

func (p tp) String() string { return fmt.Sprintf("%s/%d", p.topic, p.partition) }

// batch is what one pass gathered: the events for the channels and, per
// partition, the offset to commit once they are committed (the record
// after the last one read, undecodable records included).
type batch struct {
	events  []flume.Event
	parts   []tp // parts[i] is the partition of events[i]
	offsets map[tp]kgo.EpochOffset
}

func (b *batch) empty() bool { return len(b.offsets) == 0 }

func (b *batch) reset() {
	clear(b.events) // drop the references to the bodies
	b.events, b.parts = b.events[:0], b.parts[:0]
	b.offsets = map[tp]kgo.EpochOffset{}
}

// drop removes the events and offsets of the given partitions and returns
// how many events went.
func (b *batch) drop(gone map[tp]bool) int {
	n := 0
	for i, p := range b.parts {
		if gone[p] {
			continue
		}
		b.events[n], b.parts[n] = b.events[i], p
		n++
	}
	dropped := len(b.events) - n
	clear(b.events[n:])
	b.events, b.parts = b.events[:n], b.parts[:n]
	for p := range gone {
		delete(b.offsets, p)
	}
	return dropped
}

// run is one run of the source, from Start to Stop: its consumer and what
// it holds. The source's goroutine gathers and delivers batches; kgo calls
// the rebalance callbacks from its own goroutines, but (with
// BlockRebalanceOnPoll) only while the goroutine allows it: between a
// batch's first poll and its offset commit the partitions cannot move.
type run struct {
	s  *Source
	cl *kgo.Client

	mu sync.Mutex
	// held is the batch being gathered or delivered; after the channels
	// refused it, the batch to deliver again. A revocation removes the
	// records of the partitions that went.
	held batch
	// done holds the offsets of batches the channels committed whose
	// commit to Kafka has not succeeded yet.
	done map[tp]kgo.EpochOffset
	// owned is the current assignment.
	owned map[tp]bool

	readFails, fetchFails, commitFails, channelFails ratelog.Limiter
	hb                                               flume.HeaderBuffer // the loop's
}

// newRun returns a run of s, before its consumer exists.
func newRun(s *Source) *run {
	r := &run{s: s, done: map[tp]kgo.EpochOffset{}, owned: map[tp]bool{}}
	r.held.reset()
	return r
}

// loop is the source's goroutine.
func (r *run) loop(ctx, abort context.Context) {
	defer r.close(abort)
	failures, commitFailures := 0, 0
	for ctx.Err() == nil {
		r.mu.Lock()
		retry := !r.held.empty()
		r.mu.Unlock()
		if !retry && !r.commit(ctx) {
			// Offsets the channels committed are not committed to Kafka
			// yet (the brokers or the group coordinator are away): read
			// nothing more until they are, so that a restart or a lost
			// group membership repeats one batch, not all that kgo had
			// buffered.
			commitFailures++
			_ = background.Sleep(ctx, min(time.Duration(commitFailures)*r.s.cfg.BackoffStep, r.s.cfg.BackoffMax))
			continue
		}
		commitFailures = 0
		start := time.Now()
		if !retry {
			r.gather(ctx)
		}
		// From here to AllowRebalance no partition can be revoked: the
		// batch stays as it is while it goes to the channels and its
		// offsets are committed.
		r.blockRebalance()
		r.mu.Lock()
		events := r.held.events
		empty := r.held.empty()
		r.mu.Unlock()
		if empty { // nothing read, or a revocation emptied the batch
			r.cl.AllowRebalance()
			continue
		}
		if !retry && len(events) > 0 {
			r.s.counter.KafkaEventGetTimer.Add(time.Since(start).Milliseconds())
			r.s.counter.EventReceivedCount.Add(int64(len(events)))
		}
		if len(events) > 0 {
			if err := r.s.out.Process(ctx, events); err != nil {
				r.cl.AllowRebalance()
				if ctx.Err() != nil {
					return
				}
				failures++
				r.s.counter.ChannelWriteFail.Add(1)
				pause := min(time.Duration(failures)*r.s.cfg.BackoffStep, r.s.cfg.BackoffMax)
				r.channelFails.Warn(r.s.log, "the channels refused a batch; it is kept and offered again",
					"events", len(events), "retryIn", pause, "error", err)
				_ = background.Sleep(ctx, pause)
				continue
			}
			r.s.counter.EventAcceptedCount.Add(int64(len(events)))
		}
		failures = 0
		r.mu.Lock()
		for p, o := range r.held.offsets {
			r.done[p] = o
		}
		r.held.reset()
		r.mu.Unlock()
		r.commit(ctx)
		r.cl.AllowRebalance()
	}
}

// gather polls records into r.held until it holds batchSize events or
// batchDurationMillis passed, or ctx ends.
func (r *run) gather(ctx context.Context) {
	deadline := time.Now().Add(r.s.cfg.BatchDuration)
	pctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	for {
		r.mu.Lock()
		want := r.s.cfg.BatchSize - len(r.held.events)
		r.mu.Unlock()
		if want <= 0 || pctx.Err() != nil {
			return
		}
		fs := r.cl.PollRecords(pctx, want)
		fs.EachError(func(topic string, partition int32, err error) {
			if pctx.Err() != nil && (err == context.DeadlineExceeded || err == context.Canceled) {
				return // the batch's time is up
			}
			r.s.counter.EventReadFail.Add(1)
			r.fetchFails.Warn(r.s.log, "kafka source: fetch failed; retrying", "topic", topic, "partition", partition, "error", err)
		})
		n := 0
		r.mu.Lock()
		fs.EachRecord(func(rec *kgo.Record) {
			n++
			p := tp{rec.Topic, rec.Partition}
			r.held.offsets[p] = kgo.EpochOffset{Epoch: rec.LeaderEpoch, Offset: rec.Offset + 1}
			e, err := r.s.event(rec, &r.hb)
			if err != nil {
				r.s.counter.EventReadFail.Add(1)
				r.readFails.Warn(r.s.log, "kafka source: a record is not an AvroFlumeEvent (useFlumeEventFormat = true); it is skipped, as Flume skips it",
					"topic", rec.Topic, "partition", rec.Partition, "offset", rec.Offset, "error", err)
				return
			}
			r.held.events = append(r.held.events, e)
			r.held.parts = append(r.held.parts, p)
		})
		r.mu.Unlock()
		if n == 0 && pctx.Err() != nil {
			r.mu.Lock()
			empty := r.held.empty()
			r.mu.Unlock()
			if empty && ctx.Err() == nil {
				r.s.counter.KafkaEmptyCount.Add(1)
			}
			return
		}
	}
}

// blockRebalance makes kgo hold any rebalance until AllowRebalance: a
// poll with a context that has ended returns at once, fetching nothing,
// and still counts as a poll whose result is being processed (kgo's
// BlockRebalanceOnPoll). If a rebalance is under way it first waits for it
// to finish, callbacks included.
func (r *run) blockRebalance() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.cl.PollRecords(ctx, 1)
}

// commit commits the offsets of the batches the channels committed, for
// the partitions the source still owns, and reports whether none is left
// to commit. A failed commit is retried before the next batch is read, at
// the next revocation or at stop: the offsets stay in r.done.
func (r *run) commit(ctx context.Context) bool {
	r.mu.Lock()
	offsets := map[string]map[int32]kgo.EpochOffset{}
	committing := map[tp]kgo.EpochOffset{}
	for p, o := range r.done {
		if !r.owned[p] {
			delete(r.done, p)
			continue
		}
		if offsets[p.topic] == nil {
			offsets[p.topic] = map[int32]kgo.EpochOffset{}
		}
		offsets[p.topic][p.partition] = o
		committing[p] = o
	}
	r.mu.Unlock()
	if len(committing) == 0 {
		return true
	}
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, r.s.commitTimeout())
	defer cancel()
	failed := map[tp]error{}
	var reqErr error
	r.cl.CommitOffsetsSync(cctx, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			reqErr = err
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					failed[tp{t.Topic, p.Partition}] = err
				}
			}
		}
	})
	r.mu.Lock()
	for p, o := range committing {
		if reqErr == nil && failed[p] == nil && r.done[p] == o {
			delete(r.done, p)
		}
	}
	r.mu.Unlock()
	if reqErr == nil && len(failed) == 0 {
		r.s.counter.KafkaCommitTimer.Add(time.Since(start).Milliseconds())
		return true
	}
	err := reqErr
	if err == nil {
		for p, e := range failed {
			err = fmt.Errorf("%s: %w", p, e)
			break
		}
	}
	r.commitFails.Warn(r.s.log, "kafka source: committing offsets failed; no more records are read until they are committed (a restart before that reads those records again)",
		"partitions", len(committing), "error", err)
	return false
}

// assigned records new partitions (kgo's OnPartitionsAssigned).
func (r *run) assigned(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
	r.mu.Lock()
	for topic, ps := range parts {
		for _, p := range ps {
			r.owned[tp{topic, p}] = true
		}
	}
	r.mu.Unlock()
	r.s.log.Info("kafka source: partitions assigned", "partitions", kgoconf.DescribePartitions(parts))
}

// revoked runs when partitions move to another member (and when the
// group is left): it commits what the channels committed, and drops the
// rest of the batch for those partitions, whose new owner reads them from
// the committed offset.
func (r *run) revoked(ctx context.Context, _ *kgo.Client, parts map[string][]int32) {
	r.commit(ctx)
	dropped := r.forget(parts, true)
	if len(parts) > 0 {
		r.s.log.Info("kafka source: partitions revoked", "partitions", kgoconf.DescribePartitions(parts), "undelivered_events_dropped", dropped)
	}
}

// lost runs when the group dropped this member (a session timeout, a
// broker outage): its partitions are already someone else's, so nothing
// can be committed for them. Events the channels committed whose offsets
// were not committed will be read again by the new owner (duplicates, no
// loss).
func (r *run) lost(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
	dropped := r.forget(parts, false)
	if len(parts) > 0 {
		r.s.log.Warn("kafka source: partitions lost (the group went on without this member)", "partitions", kgoconf.DescribePartitions(parts),
			"undelivered_events_dropped", dropped)
	}
}

// forget removes parts from the assignment, the batch and, when lost, the
// offsets awaiting a commit.
func (r *run) forget(parts map[string][]int32, keepDone bool) int {
	gone := map[tp]bool{}
	for topic, ps := range parts {
		for _, p := range ps {
			gone[tp{topic, p}] = true
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range gone {
		delete(r.owned, p)
		if !keepDone {
			delete(r.done, p)
		}
	}
	return r.held.drop(gone)
}

// close ends the run on abort: the offsets of delivered batches are
// committed, and the consumer leaves its group.
func (r *run) close(abort context.Context) {
	r.commit(abort)
	r.cl.AllowRebalance()
	if err := r.cl.LeaveGroupContext(abort); err != nil && abort.Err() == nil {
		r.s.log.Warn("kafka source: leaving the consumer group failed", "error", err)
	}
	r.cl.Close()
	r.mu.Lock()
	r.held.reset()
	r.mu.Unlock()
}
