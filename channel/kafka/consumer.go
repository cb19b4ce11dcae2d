package kafka

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

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

// record is a fetched record on its way through take transactions.
type record struct {
	r    *kgo.Record
	part *part // the partition's state when it was fetched
}

// part is the state of one assigned partition: the offsets fetched and not
// yet retired, in order. An offset is retired once it and every offset
// before it were taken by committed transactions; the offset to commit is
// the first one not retired. A revocation replaces the part (gone), so
// that transactions still holding its records no longer count.
type part struct {
	tp
	q     []slot // fetched, not retired; ascending offsets
	next  int64  // the offset after the last record fetched
	epoch int32  // the leader epoch of that record
	taken int    // records in open transactions
	// committed is the last offset committed to Kafka (-1 none yet).
	committed int64
	// While a revocation waits, limit is the highest offset of the
	// partition that was taken (done or not) when it began: queued records
	// up to it fill gaps below records already delivered, and are still
	// handed out; those above it are dropped, and so are rollbacks above
	// it. revoking tells that limit is set; gone that the partition is no
	// longer ours.
	limit          int64
	revoking, gone bool
}

// highestTaken returns the highest offset of p that a transaction took
// (committed or not), or -1: the queued records of p below it must be
// taken and committed before p is handed over, or the group's offset,
// which cannot pass them, makes the new owner deliver again what was
// delivered after them.
func (p *part) highestTaken(queued map[int64]bool) int64 {
	for i := len(p.q) - 1; i >= 0; i-- {
		if !queued[p.q[i].offset] {
			return p.q[i].offset
		}
	}
	return -1
}

type slot struct {
	offset int64
	done   bool
}

// commitOffset returns the offset to commit: the first not retired.
func (p *part) commitOffset() (int64, bool) {
	if p.next < 0 {
		return 0, false
	}
	if len(p.q) > 0 {
		return p.q[0].offset, true
	}
	return p.next, true
}

// finish marks offset taken-and-committed and retires what it can.
func (p *part) finish(offset int64) {
	i := sort.Search(len(p.q), func(i int) bool { return p.q[i].offset >= offset })
	if i < len(p.q) && p.q[i].offset == offset {
		p.q[i].done = true
	}
	n := 0
	for n < len(p.q) && p.q[n].done {
		n++
	}
	p.q = p.q[n:] // the poller's appends reallocate, dropping what was retired
}

// consumer is the take side of a channel: one group member per channel,
// created by the first take (a channel that is only put to never joins the
// group, as in Flume), shared by every transaction. A goroutine polls
// records into a ready queue that takes pop from the head and rollbacks
// push back onto; partitions are tracked so that the group's offset never
// passes a record that a committed transaction did not take.
type consumer struct {
	ch     *Channel
	cl     *kgo.Client
	cancel context.CancelFunc
	done   chan struct{} // closed when the poller returned

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change takes or revocations wait for
	ready    []record      // ready[head:] is the queue
	head     int
	parts    map[tp]*part
	closing  bool
	largest  int // the largest take asked for: the queue is kept at twice that
	commitMu sync.Mutex
	// behind is set while delivered records' offsets could not be
	// committed: takes retry the commit and hand out nothing until it
	// succeeds (see take).
	behind    atomic.Bool
	uuid      string
	closeOnce sync.Once
	abort     context.CancelFunc
	closed    chan struct{} // closed when shutdown returned
	warnFetch ratelog.Limiter
	warnCommt ratelog.Limiter
}

// newConsumer creates the channel's group member and starts its poller.
func newConsumer(ch *Channel) (*consumer, error) {
	c := &consumer{ch: ch, changed: make(chan struct{}), parts: map[tp]*part{}, done: make(chan struct{}), closed: make(chan struct{}),
		largest: ch.cfg.Consumer.MaxPollRecords, uuid: newUUID()}
	opts := append(append([]kgo.Opt(nil), ch.consumerOpts...),
		kgo.OnPartitionsAssigned(c.assigned),
		kgo.OnPartitionsRevoked(c.revoked),
		kgo.OnPartitionsLost(c.lost),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	c.cl = cl
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go c.poll(ctx)
	return c, nil
}

// notify wakes everything waiting on c.changed. c.mu must be held.
func (c *consumer) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// poll keeps the ready queue filled.
func (c *consumer) poll(ctx context.Context) {
	defer close(c.done)
	for ctx.Err() == nil {
		c.mu.Lock()
		room := 2*c.largest - (len(c.ready) - c.head)
		wait := c.changed
		c.mu.Unlock()
		if room <= 0 {
			select {
			case <-wait:
			case <-ctx.Done():
			}
			continue
		}
		fs := c.cl.PollRecords(ctx, room)
		fs.EachError(func(topic string, partition int32, err error) {
			if ctx.Err() == nil {
				c.warnFetch.Warn(c.ch.log, "kafka channel: fetch failed; retrying", "topic", topic, "partition", partition, "error", err)
			}
		})
		c.mu.Lock()
		n := 0
		fs.EachRecord(func(r *kgo.Record) {
			p := c.parts[tp{r.Topic, r.Partition}]
			if p == nil || r.Offset < p.next {
				return // not assigned (any more), or fetched before
			}
			p.q = append(p.q, slot{offset: r.Offset})
			p.next, p.epoch = r.Offset+1, r.LeaderEpoch
			c.ready = append(c.ready, record{r, p})
			n++
		})
		if n > 0 {
			c.notify()
		}
		c.mu.Unlock()
		// The records are in the queue, where the rebalance callbacks see
		// them: let a rebalance go on.
		c.cl.AllowRebalance()
	}
}

// takeLinger is how long a take that has records but fewer than it asked
// for waits for the consumer's next fetch to bring more.
const takeLinger = 5 * time.Millisecond

// take pops up to max records. It waits up to the poll timeout (or until
// ctx ends) for a first one and, while records keep arriving (the next one
// within takeLinger), for more until it has max or the poll timeout
// passed: as Java Flume's take loop polls until its batch is full, but
// without waiting out a whole poll timeout when the records stop coming.
//
// While offsets of delivered records cannot be committed (the brokers or
// the group coordinator are away), a take first retries the commit and
// hands out nothing until it succeeds: a restart or a lost group
// membership then delivers again what one take delivered, not everything
// the consumer had buffered (Java Flume's channel goes on).
func (c *consumer) take(ctx context.Context, max int) []record {
	if c.behind.Load() {
		if c.commit(ctx, nil); c.behind.Load() {
			return nil
		}
	}
	var out []record
	start := time.Now()
	for {
		c.mu.Lock()
		if max > c.largest {
			c.largest = max
			c.notify() // more room for the poller
		}
		if avail := len(c.ready) - c.head; avail > 0 {
			n := min(avail, max-len(out))
			for _, r := range c.ready[c.head : c.head+n] {
				r.part.taken++
				out = append(out, r)
			}
			clear(c.ready[c.head : c.head+n])
			c.head += n
			if c.head == len(c.ready) {
				c.ready, c.head = c.ready[:0], 0
			} else if c.head > 1024 && c.head > len(c.ready)/2 {
				c.ready = append(c.ready[:0], c.ready[c.head:]...)
				c.head = 0
			}
			c.notify() // room for the poller
		}
		wait, closing := c.changed, c.closing
		c.mu.Unlock()
		left := c.ch.cfg.PollTimeout - time.Since(start)
		if len(out) == max || closing || left <= 0 {
			return out
		}
		if len(out) > 0 {
			left = min(left, takeLinger)
		}
		t := time.NewTimer(left)
		select {
		case <-wait:
			t.Stop()
		case <-t.C:
			if len(out) > 0 {
				return out
			}
			// Nothing came within the poll timeout: the loop returns.
		case <-ctx.Done():
			t.Stop()
			return out
		}
	}
}

// giveBack returns the records of a rolled-back take to the head of the
// queue, in their order; those of partitions revoked meanwhile are
// dropped (their new owner reads them).
func (c *consumer) giveBack(recs []record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	keep := make([]record, 0, len(recs))
	for _, r := range recs {
		r.part.taken--
		if !r.part.gone && (!r.part.revoking || r.r.Offset <= r.part.limit) {
			keep = append(keep, r)
		}
	}
	if len(keep) <= c.head {
		c.head -= len(keep)
		copy(c.ready[c.head:], keep)
	} else {
		c.ready = append(keep, c.ready[c.head:]...)
		c.head = 0
	}
	c.notify()
}

// finish records the records of a committed take as done and commits the
// offsets that moved as a result. A failed offset commit is logged and
// retried with the next one (Flume logs it and goes on too): the records
// are delivered, so at worst they are delivered again after a restart.
func (c *consumer) finish(ctx context.Context, recs []record) {
	c.mu.Lock()
	for _, r := range recs {
		r.part.taken--
		if !r.part.gone {
			r.part.finish(r.r.Offset)
		}
	}
	closing := c.closing
	c.notify()
	c.mu.Unlock()
	if !closing { // the shutdown commits what is left
		c.commit(ctx, nil)
	}
}

// commit commits the offsets of the owned partitions (of only, when set)
// that moved since their last commit.
func (c *consumer) commit(ctx context.Context, only map[tp]bool) {
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	c.mu.Lock()
	offsets := map[string]map[int32]kgo.EpochOffset{}
	parts := map[tp]*part{}
	want := map[tp]int64{}
	for k, p := range c.parts {
		if only != nil && !only[k] {
			continue
		}
		o, ok := p.commitOffset()
		if !ok || o == p.committed {
			continue
		}
		if offsets[k.topic] == nil {
			offsets[k.topic] = map[int32]kgo.EpochOffset{}
		}
		offsets[k.topic][k.partition] = kgo.EpochOffset{Epoch: -1, Offset: o}
		parts[k], want[k] = p, o
	}
	c.mu.Unlock()
	if len(parts) == 0 {
		if only == nil {
			c.behind.Store(false) // every owned partition's offset is committed
		}
		return
	}
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, max(c.ch.cfg.Consumer.RequestTimeout, 5*time.Second))
	defer cancel()
	cctx = kgo.PreCommitFnContext(cctx, func(req *kmsg.OffsetCommitRequest) error {
		for i := range req.Topics {
			for j := range req.Topics[i].Partitions {
				req.Topics[i].Partitions[j].Metadata = &c.uuid // as Java Flume's channel
			}
		}
		return nil
	})
	var failed error
	c.cl.CommitOffsetsSync(cctx, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			failed = err
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, t := range resp.Topics {
			for _, rp := range t.Partitions {
				k := tp{t.Topic, rp.Partition}
				if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
					failed = fmt.Errorf("%s/%d: %w", k.topic, k.partition, err)
					continue
				}
				if p := parts[k]; p != nil && p.committed < want[k] {
					p.committed = want[k]
				}
			}
		}
	})
	if failed != nil {
		c.behind.Store(true)
		c.warnCommt.Warn(c.ch.log, "kafka channel: committing offsets failed; takes deliver nothing more until a retry commits them (a restart before that delivers those events again)",
			"error", failed)
		return
	}
	if only == nil {
		c.behind.Store(false)
	}
	c.ch.counter.KafkaCommitTimer.Add(time.Since(start).Milliseconds())
}

// assigned creates the state of new partitions.
func (c *consumer) assigned(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
	c.mu.Lock()
	for topic, ps := range parts {
		for _, p := range ps {
			k := tp{topic, p}
			c.parts[k] = &part{tp: k, next: -1, committed: -1}
		}
	}
	c.mu.Unlock()
	c.ch.log.Info("kafka channel: partitions assigned", "partitions", kgoconf.DescribePartitions(parts))
}

// revoked hands partitions over (kgo's OnPartitionsRevoked; the whole
// group waits meanwhile). The group's offset of a partition is one number:
// it cannot pass a record that was queued or rolled back while records
// after it were delivered, so those records are first taken and committed
// here (the sinks go on taking while the revocation waits), as are the
// transactions that hold records of the partitions; the queued records
// after every delivered one are dropped at once, for the new owner to
// read. Then the offsets are committed and the partitions forgotten. The
// wait is bounded (revokeWait): what is still pending then is delivered
// again by the new owner.
func (c *consumer) revoked(ctx context.Context, _ *kgo.Client, parts map[string][]int32) {
	gone := set(parts)
	c.mu.Lock()
	queued := map[tp]map[int64]bool{}
	for i := c.head; i < len(c.ready); i++ {
		if r := c.ready[i]; gone[r.part.tp] {
			if queued[r.part.tp] == nil {
				queued[r.part.tp] = map[int64]bool{}
			}
			queued[r.part.tp][r.r.Offset] = true
		}
	}
	for k := range gone {
		if p := c.parts[k]; p != nil {
			p.revoking, p.limit = true, p.highestTaken(queued[k])
		}
	}
	c.dropQueuedWhere(func(r record) bool { return gone[r.part.tp] && r.r.Offset > r.part.limit })
	c.mu.Unlock()
	deadline := time.NewTimer(c.ch.revokeWait())
	defer deadline.Stop()
	for {
		c.mu.Lock()
		pending := 0
		for k := range gone {
			if p := c.parts[k]; p != nil {
				pending += p.taken
			}
		}
		for i := c.head; i < len(c.ready); i++ {
			if gone[c.ready[i].part.tp] {
				pending++
			}
		}
		wait, closing := c.changed, c.closing
		c.mu.Unlock()
		if pending == 0 || closing {
			break
		}
		select {
		case <-wait:
			continue
		case <-deadline.C:
			c.ch.log.Warn("kafka channel: partitions revoked while events of theirs were still being taken; those are delivered again by the partitions' new owner",
				"events", pending)
		case <-ctx.Done():
		}
		break
	}
	c.commit(ctx, gone)
	c.forget(gone)
	if len(parts) > 0 {
		c.ch.log.Info("kafka channel: partitions revoked", "partitions", kgoconf.DescribePartitions(parts))
	}
}

// lost forgets partitions the group already gave to another member:
// nothing can be committed for them.
func (c *consumer) lost(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
	gone := set(parts)
	c.mu.Lock()
	c.dropQueued(gone)
	c.mu.Unlock()
	c.forget(gone)
	if len(parts) > 0 {
		c.ch.log.Warn("kafka channel: partitions lost (the group went on without this member); their events not yet committed are delivered again by their new owner",
			"partitions", kgoconf.DescribePartitions(parts))
	}
}

// dropQueued removes the queued records of the gone partitions. c.mu must
// be held.
func (c *consumer) dropQueued(gone map[tp]bool) {
	c.dropQueuedWhere(func(r record) bool { return gone[r.part.tp] })
}

// dropQueuedWhere removes the queued records drop selects. c.mu must be
// held.
func (c *consumer) dropQueuedWhere(drop func(record) bool) {
	n := c.head
	for i := c.head; i < len(c.ready); i++ {
		if r := c.ready[i]; !drop(r) {
			c.ready[n] = r
			n++
		}
	}
	clear(c.ready[n:])
	c.ready = c.ready[:n]
	c.notify()
}

func (c *consumer) forget(gone map[tp]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropQueued(gone)
	for k := range gone {
		if p := c.parts[k]; p != nil {
			p.gone = true
			delete(c.parts, k)
		}
	}
	c.notify()
}

// close stops the poller, commits what committed takes took, leaves the
// group and closes the client, waiting at most until ctx ends. When ctx
// ends first the shutdown is told to abort (it ends promptly on its own)
// and a later close waits for it again.
func (c *consumer) close(ctx context.Context) error {
	c.closeOnce.Do(func() {
		abortCtx, abort := context.WithCancel(context.Background())
		c.abort = abort
		go func() {
			defer close(c.closed)
			defer abort()
			c.shutdown(abortCtx)
		}()
	})
	select {
	case <-c.closed:
		return nil
	case <-ctx.Done():
		c.abort()
		return ctx.Err()
	}
}

func (c *consumer) shutdown(ctx context.Context) {
	c.mu.Lock()
	c.closing = true
	c.notify()
	c.mu.Unlock()
	c.cancel()
	<-c.done // the poller returns once its poll sees the cancellation
	c.commit(ctx, nil)
	c.cl.AllowRebalance()
	if err := c.cl.LeaveGroupContext(ctx); err != nil && ctx.Err() == nil {
		c.ch.log.Warn("kafka channel: leaving the consumer group failed", "error", err)
	}
	c.cl.Close()
}

func set(parts map[string][]int32) map[tp]bool {
	out := map[tp]bool{}
	for topic, ps := range parts {
		for _, p := range ps {
			out[tp{topic, p}] = true
		}
	}
	return out
}
