package flume

import "context"

// Lifecycle is implemented by every component the agent runs. The agent
// starts channels, then sinks, then sources, and stops them in the reverse
// order.
//
// Start must return promptly. Its ctx bounds start-up only: background
// work runs on goroutines the component owns, on a context it creates,
// never on Start's ctx. A failed Start leaves nothing running; the agent
// retries it later.
//
// Stop is idempotent and safe to call without Start. It starts stopping at
// once and then waits, at most until ctx ends, for every goroutine of the
// component to end:
//
//   - nil means nothing of the component runs any more and everything it
//     opened is closed;
//   - an error wrapping ctx.Err() means ctx ended first. The component has
//     nevertheless been told to abort everything it was doing, and its
//     goroutines end promptly on their own (nothing they wait for can block
//     them for long). Another Stop waits for them again.
//
// After Stop, Start may be called again: the agent restarts components on
// a reload and after failures.
type Lifecycle interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Channel is a transactional queue of events between sources and sinks.
//
// Every access goes through a Transaction obtained from Begin. A channel is
// safe for concurrent use; a transaction is not, and belongs to the goroutine
// that began it.
type Channel interface {
	Lifecycle
	// Begin opens a transaction. It returns ErrClosed when the channel is
	// not running.
	Begin() (Transaction, error)
	// Len returns the number of committed events waiting to be taken.
	Len() int
	// Capacity returns the maximum number of events the channel holds.
	Capacity() int
	// TransactionCapacity returns the maximum number of events one
	// transaction may put, and separately take.
	TransactionCapacity() int
}

// Transaction is one unit of work on a channel. It ends with exactly one
// Commit or Rollback; after that every method returns ErrTxDone, so
//
//	tx, err := ch.Begin()
//	...
//	defer tx.Rollback()
//
// is always safe. Do wraps that pattern.
type Transaction interface {
	// Put stages events; takers see them only after Commit. It returns
	// ErrTxFull, accepting none of them, if the transaction would hold more
	// than TransactionCapacity puts. A channel whose capacity is counted at
	// put time may block up to its keep-alive (or until ctx ends) for room
	// and then return ErrChannelFull. Once put, events belong to the
	// channel and must not be modified.
	Put(ctx context.Context, events ...Event) error
	// Take removes up to max events from the head of the queue and returns
	// them in order. When the channel is empty it waits up to the channel's
	// keep-alive (or until ctx ends) for the first event; it never waits
	// for more once it has one. An empty result with a nil error means the
	// channel stayed empty. Taking more than TransactionCapacity events in
	// one transaction returns ErrTxFull.
	Take(ctx context.Context, max int) ([]Event, error)
	// Commit makes the puts visible and the takes final. It may wait up to
	// the channel's keep-alive (or until ctx ends) for room and return
	// ErrChannelFull, in which case the transaction is still open and must
	// be rolled back.
	Commit(ctx context.Context) error
	// Rollback discards the puts and returns the taken events to the head
	// of the queue in their original order.
	Rollback() error
}

// Do runs fn inside a transaction on ch: it commits when fn returns nil and
// rolls back when fn returns an error or panics (the panic continues).
func Do(ctx context.Context, ch Channel, fn func(Transaction) error) error {
	tx, err := ch.Begin()
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // no-op after Commit; also runs on panic
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
