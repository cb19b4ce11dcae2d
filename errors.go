package flume

import "errors"

// channelError is a failure reported by a channel. Every channelError matches
// ErrChannel with errors.Is, so callers can tell "the channel refused" (retry
// later, answer FAILED to an RPC client) from any other failure.
type channelError struct{ msg string }

func (e *channelError) Error() string { return e.msg }

// Is reports whether target is ErrChannel, the parent of every channel error.
func (e *channelError) Is(target error) bool { return target == ErrChannel }

var (
	// ErrChannel matches every error a channel reports about its own state
	// (full, transaction full, byte capacity, closed): Flume's
	// ChannelException. A source that sees it answers its sender FAILED (or
	// retries); a sink that sees it while taking rolls back and backs off.
	ErrChannel = errors.New("channel error")

	// ErrChannelFull means the channel had no room for the committed events
	// within its keep-alive: Flume's ChannelFullException. Roll back and
	// retry later; the data is still the caller's.
	ErrChannelFull error = &channelError{"channel full"}

	// ErrTxFull means a transaction tried to put or take more events than
	// the channel's transactionCapacity. Commit more often or use smaller
	// batches; the events not accepted are still the caller's.
	ErrTxFull error = &channelError{"transaction capacity exceeded"}

	// ErrClosed means the channel is stopped (or failed to start) and takes
	// no transactions. Retry after it starts.
	ErrClosed error = &channelError{"channel closed"}

	// ErrTxDone means the transaction was already committed or rolled back.
	// Rollback returns it after Commit, so a deferred Rollback is harmless.
	ErrTxDone = errors.New("transaction already committed or rolled back")

	// ErrUnsupported marks a Flume feature flumego recognises but does not
	// implement (Kerberos, ZooKeeper configuration, ...). Configuration that
	// asks for it is rejected with this error rather than silently ignored.
	ErrUnsupported = errors.New("not supported by flumego")
)

// NewChannelError returns an error that matches ErrChannel and carries msg.
// Channel implementations use it for failures that are not one of the named
// sentinels, such as "minimum required space not available".
func NewChannelError(msg string) error { return &channelError{msg} }

// IsChannelError reports whether err is (or wraps) a channel error: Flume's
// ChannelException.
func IsChannelError(err error) bool { return errors.Is(err, ErrChannel) }
