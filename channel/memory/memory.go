package memory

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/waiter"
)

// Config holds the memory channel's settings.
type Config struct {
	// Capacity is the maximum number of events held, counting events taken
	// by transactions that have not committed yet.
	Capacity int
	// TransactionCapacity bounds the puts, and separately the takes, of one
	// transaction.
	TransactionCapacity int
	// KeepAlive is how long Take waits for a first event and Commit waits
	// for room.
	KeepAlive time.Duration
	// ByteCapacity bounds the body bytes held; 0 means unlimited.
	ByteCapacity int64
	// ByteCapacityBufferPercentage is the share of ByteCapacity reserved for
	// header overhead.
	ByteCapacityBufferPercentage int
}

// slotSize is Flume's unit of byte accounting.
const slotSize = 100

// DefaultConfig returns Flume's defaults. ByteCapacity is 80% of the Go
// memory limit (GOMEMLIMIT) when one is set, as Flume uses 80% of the JVM
// heap, and unlimited otherwise.
func DefaultConfig() Config {
	c := Config{Capacity: 100, TransactionCapacity: 100, KeepAlive: 3 * time.Second, ByteCapacityBufferPercentage: 20}
	if lim := debug.SetMemoryLimit(-1); lim != math.MaxInt64 {
		c.ByteCapacity = lim / 10 * 8
	}
	return c
}

// ParseConfig reads the channel's properties with Flume's leniency: a
// capacity that does not parse or is not positive falls back to the default
// with a warning, as Java Flume does.
func ParseConfig(cfg *flume.Context) Config {
	c := DefaultConfig()
	c.Capacity = cfg.LenientIntAtLeast("capacity", c.Capacity, 1)
	c.TransactionCapacity = cfg.LenientIntAtLeast("transactionCapacity", c.TransactionCapacity, 1)
	c.KeepAlive = time.Duration(cfg.LenientIntAtLeast("keep-alive", int(c.KeepAlive/time.Second), 0)) * time.Second
	c.ByteCapacityBufferPercentage = cfg.LenientIntRange("byteCapacityBufferPercentage", c.ByteCapacityBufferPercentage, 0, 100)
	c.ByteCapacity = cfg.Int64AtLeast("byteCapacity", c.ByteCapacity, 0)
	if c.TransactionCapacity > c.Capacity {
		cfg.Errorf("transactionCapacity", "transactionCapacity (%d) must not exceed capacity (%d)", c.TransactionCapacity, c.Capacity)
	}
	return c
}

// byteSlots returns the usable number of 100-byte slots.
func (c Config) byteSlots() int64 {
	slots := int64(float64(c.ByteCapacity) * (1 - float64(c.ByteCapacityBufferPercentage)/100) / slotSize)
	if c.ByteCapacity <= 0 || slots < 1 {
		return math.MaxInt64
	}
	return slots
}

// Channel is a memory channel. It is safe for concurrent use.
type Channel struct {
	name    string
	counter flume.ChannelCounter

	mu        sync.Mutex
	cfg       Config
	byteSlots int64
	q         batchQueue[flume.Event]
	taken     int   // events held by open transactions' takes; they still occupy capacity
	slotsUsed int64 // byte slots of queued and taken events
	running   bool
	cond      waiter.Cond // signalled when events or room appear
}

var _ flume.Channel = (*Channel)(nil)

// New returns a stopped memory channel.
func New(set flume.Settings, cfg Config) (*Channel, error) {
	if cfg.Capacity <= 0 || cfg.TransactionCapacity <= 0 {
		return nil, fmt.Errorf("memory channel %q: capacity and transactionCapacity must be positive", set.Name)
	}
	if cfg.TransactionCapacity > cfg.Capacity {
		return nil, fmt.Errorf("memory channel %q: transactionCapacity (%d) must not exceed capacity (%d)",
			set.Name, cfg.TransactionCapacity, cfg.Capacity)
	}
	c := &Channel{name: set.Name, cfg: cfg, byteSlots: cfg.byteSlots()}
	c.counter.ChannelCapacity.Store(int64(cfg.Capacity))
	set.Publish(&c.counter)
	return c, nil
}

// Factory builds a memory channel from its properties.
func Factory(set flume.Settings, cfg *flume.Context) (flume.Channel, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c)
}

// Register adds the memory channel to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterChannel("memory", Factory, "org.apache.flume.channel.MemoryChannel")
}

// Start opens the channel for transactions.
func (c *Channel) Start(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		c.running = true
		c.counter.Started()
	}
	return nil
}

// Stop refuses new transactions. Queued events stay in memory, so a channel
// that is started again (a configuration reload) keeps them.
func (c *Channel) Stop(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.running = false
		c.counter.Stopped()
		c.cond.Broadcast()
	}
	return nil
}

// Reconfigure applies a changed configuration to a running channel
// without losing its queue, as Flume does when a reload keeps a channel of
// the same name and type.
func (c *Channel) Reconfigure(cfg *flume.Context) error {
	nc := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return err
	}
	return c.ApplyConfig(nc)
}

// ApplyConfig applies new settings without losing the queue. Shrinking the
// capacity below the events held is refused.
func (c *Channel) ApplyConfig(cfg Config) error {
	if cfg.Capacity <= 0 || cfg.TransactionCapacity <= 0 || cfg.TransactionCapacity > cfg.Capacity {
		return fmt.Errorf("memory channel %q: invalid capacity %d / transactionCapacity %d", c.name, cfg.Capacity, cfg.TransactionCapacity)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if held := c.q.Len() + c.taken; cfg.Capacity < held {
		return fmt.Errorf("memory channel %q: new capacity %d is below the %d events it holds", c.name, cfg.Capacity, held)
	}
	c.cfg, c.byteSlots = cfg, cfg.byteSlots()
	c.counter.ChannelCapacity.Store(int64(cfg.Capacity))
	c.cond.Broadcast()
	return nil
}

// Len returns the number of committed events waiting to be taken.
func (c *Channel) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.q.Len()
}

// Held returns, read together, the number of committed events waiting to
// be taken (Len) and the number open take transactions hold: a sink
// delivering those commits them, or rolls them back into the channel.
func (c *Channel) Held() (queued, inFlight int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.q.Len(), c.taken
}

// Capacity returns the configured capacity.
func (c *Channel) Capacity() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg.Capacity
}

// TransactionCapacity returns the configured transactionCapacity.
func (c *Channel) TransactionCapacity() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg.TransactionCapacity
}

// Begin opens a transaction; ErrClosed when the channel is stopped.
func (c *Channel) Begin() (flume.Transaction, error) {
	c.mu.Lock()
	running := c.running
	c.mu.Unlock()
	if !running {
		return nil, fmt.Errorf("memory channel %q: %w", c.name, flume.ErrClosed)
	}
	return &transaction{c: c}, nil
}

func slots(e flume.Event) int64 {
	return (int64(max(len(e.Body), 1)) + slotSize - 1) / slotSize
}

type transaction struct {
	c *Channel
	// puts is the transaction's own buffer: its commit hands it to the
	// queue as one batch.
	puts []flume.Event
	// takes are the slices Take returned, in order; a rollback puts them
	// back at the head of the queue.
	takes     [][]flume.Event
	takeBuf   [1][]flume.Event // takes' storage for a transaction's first take
	taken     int              // events in takes
	putSlots  int64
	takeSlots int64
	done      bool
}

func (t *transaction) Put(_ context.Context, events ...flume.Event) error {
	if t.done {
		return flume.ErrTxDone
	}
	c := t.c
	c.counter.EventPutAttemptCount.Add(int64(len(events)))
	c.mu.Lock()
	txCap := c.cfg.TransactionCapacity
	c.mu.Unlock()
	if len(t.puts)+len(events) > txCap {
		return fmt.Errorf("memory channel %q: put queue of capacity %d full, consider committing more frequently, increasing capacity or increasing thread count: %w",
			c.name, txCap, flume.ErrTxFull)
	}
	if t.puts == nil {
		// The buffer goes to the queue at commit, so it is not pooled: a
		// sink may still hold the slice a take of it returned.
		t.puts = make([]flume.Event, 0, len(events))
	}
	t.puts = append(t.puts, events...)
	for _, e := range events {
		t.putSlots += slots(e)
	}
	return nil
}

func (t *transaction) Take(ctx context.Context, max int) ([]flume.Event, error) {
	if t.done {
		return nil, flume.ErrTxDone
	}
	if max <= 0 {
		return nil, nil
	}
	c := t.c
	c.mu.Lock()
	room := c.cfg.TransactionCapacity - t.taken
	if room <= 0 {
		c.mu.Unlock()
		return nil, fmt.Errorf("memory channel %q: take list of capacity %d full, consider committing more frequently, increasing capacity, or increasing thread count: %w",
			c.name, c.cfg.TransactionCapacity, flume.ErrTxFull)
	}
	if _, err := c.cond.WaitUntil(&c.mu, ctx, c.cfg.KeepAlive, func() bool { return c.q.Len() > 0 || !c.running }); err != nil {
		c.mu.Unlock()
		c.counter.EventTakeAttemptCount.Add(1)
		return nil, err
	}
	n := min(max, room, c.q.Len())
	var got []flume.Event
	if n > 0 {
		got = c.q.PopFront(n)
		if t.takes == nil {
			t.takes = t.takeBuf[:0]
		}
		t.takes = append(t.takes, got)
		t.taken += n
		c.taken += n
	}
	c.counter.ChannelSize.Store(int64(c.q.Len()))
	c.mu.Unlock()
	for _, e := range got {
		t.takeSlots += slots(e)
	}
	attempts := int64(n)
	if n < max {
		attempts++ // Flume counts the take that found the channel empty
	}
	c.counter.EventTakeAttemptCount.Add(attempts)
	return got, nil
}

func (t *transaction) Commit(ctx context.Context) error {
	if t.done {
		return flume.ErrTxDone
	}
	c := t.c
	c.mu.Lock()
	bytesOK := func() bool { return c.slotsUsed-t.takeSlots+t.putSlots <= c.byteSlots }
	queueOK := func() bool { return c.q.Len()+c.taken-t.taken+len(t.puts) <= c.cfg.Capacity }
	ok, err := c.cond.WaitUntil(&c.mu, ctx, c.cfg.KeepAlive, func() bool { return bytesOK() && queueOK() })
	if err != nil {
		c.mu.Unlock()
		return fmt.Errorf("memory channel %q: commit: %w", c.name, err)
	}
	if !ok {
		keepAlive, capacity, bytesFull := c.cfg.KeepAlive, c.cfg.Capacity, !bytesOK()
		c.mu.Unlock()
		if bytesFull {
			return fmt.Errorf("memory channel %q: cannot commit transaction: byte capacity allocated to store event bodies reached within keep-alive %s; increase byteCapacity, or the sinks are not keeping up with the sources: %w",
				c.name, keepAlive, flume.ErrChannelFull)
		}
		return fmt.Errorf("memory channel %q: space for commit to queue couldn't be acquired within keep-alive %s: sinks are likely not keeping up with sources, or the capacity (%d) is too tight: %w",
			c.name, keepAlive, capacity, flume.ErrChannelFull)
	}
	c.q.PushBack(t.puts)
	c.taken -= t.taken
	c.slotsUsed += t.putSlots - t.takeSlots
	c.counter.ChannelSize.Store(int64(c.q.Len()))
	if len(t.puts) > 0 || t.taken > 0 {
		c.cond.Broadcast()
	}
	c.mu.Unlock()
	c.counter.EventPutSuccessCount.Add(int64(len(t.puts)))
	c.counter.EventTakeSuccessCount.Add(int64(t.taken))
	t.finish()
	return nil
}

func (t *transaction) Rollback() error {
	if t.done {
		return flume.ErrTxDone
	}
	c := t.c
	if t.taken > 0 {
		c.mu.Lock()
		c.q.PushFront(t.takes)
		c.taken -= t.taken
		c.counter.ChannelSize.Store(int64(c.q.Len()))
		c.cond.Broadcast()
		c.mu.Unlock()
	}
	t.finish()
	return nil
}

func (t *transaction) finish() {
	t.done = true
	t.puts, t.takes = nil, nil
}
