package flume

import "context"

// Source produces events and hands them to the ChannelProcessor it was built
// with. Sources run their own goroutines between Start and Stop: an RPC server
// accepts connections, the exec source reads a child's output, a pollable
// source (seq) loops and backs off when it has nothing to do.
type Source interface {
	Lifecycle
}

// ChannelProcessor is what a source hands its events to. It runs the source's
// interceptors, asks the channel selector which channels each event goes to,
// and commits the events to every required channel, one transaction per
// channel, then to the optional ones.
//
// Process returns nil only when every event (that the interceptors kept) is
// committed on every required channel: only then may an RPC source answer OK.
// A failure on a required channel returns an error matching ErrChannel when
// the channel refused (full, closed); the source answers FAILED or retries the
// same batch. Failures on optional channels are counted and logged, never
// returned. Process is safe for concurrent use.
type ChannelProcessor interface {
	Process(ctx context.Context, events []Event) error
}

// BatchLimiter is implemented by a ChannelProcessor that can tell, before a
// batch is decoded, the largest batch it could ever commit; 0 means it
// cannot tell (interceptors may drop events, a selector may spread them).
// An RPC source uses it to refuse an oversized batch as soon as its event
// count is read instead of decoding it first. The answer may change when
// the agent reconfigures a channel, so ask per batch.
type BatchLimiter interface {
	MaxBatch() int
}

// Sink drains one channel to a destination. The agent's sink runner calls
// Process in a loop from a single goroutine (a sink is never called
// concurrently):
//
//   - Ready: work was done; call again at once.
//   - Backoff: nothing to do (channel empty); the runner sleeps 1 s more per
//     consecutive Backoff, up to 5 s.
//   - error: delivery failed. The sink has already rolled its transaction
//     back, so nothing is lost; the runner logs the error and sleeps 5 s (or
//     the sink group fails over to another sink).
//
// A sink commits its channel transaction only after the destination
// acknowledged every event of the batch.
type Sink interface {
	Lifecycle
	Process(ctx context.Context) (Status, error)
}

// Interceptor inspects and rewrites events before the channel selector sees
// them. Intercept may modify the events in place, drop some (by returning a
// shorter slice; it may reuse the input's backing array) or fail the whole
// batch with an error, which reaches the source like a channel failure of
// unknown kind (a panic fails the batch the same way). Interceptors of one source run in configuration order and may
// be called concurrently from several connections of that source.
type Interceptor interface {
	Intercept(events []Event) ([]Event, error)
}

// SinkSelector orders the sinks of a load_balance sink group. For each
// Process call the group asks Order for the sinks to try, as indexes into the
// group's sink list (configuration order), and tries them in turn until one
// does not fail; each sink that fails is reported with Failed. A selector that
// implements backoff leaves failed sinks out of Order until their time is up.
// The group calls a selector from one goroutine only.
type SinkSelector interface {
	Order(sinks int) []int
	Failed(index int)
}

// NamedChannel is a channel with the name it has in the configuration, as a
// channel selector sees a source's channels.
type NamedChannel struct {
	Name string
	Channel
}

// ChannelSelector decides which of a source's channels each event goes to:
// Flume's ChannelSelector. The required channels' failure fails the batch
// (the source answers FAILED or retries); the optional channels' failure is
// counted and ignored. Select may be called concurrently (from several
// connections of the source) and must not modify e. Returning no channel at
// all drops the event, as Flume's multiplexing selector does for an
// unmapped header without a default.
type ChannelSelector interface {
	Select(e Event) (required, optional []NamedChannel)
}

// StaticChannelSelector is a ChannelSelector whose answer does not depend on
// the event (the replicating selector). The channel processor then puts
// the whole batch on every channel without grouping it event by event, and
// knows before a batch arrives how large a batch can commit.
type StaticChannelSelector interface {
	ChannelSelector
	Channels() (required, optional []NamedChannel)
}

// NamedSink is a member of a sink group: a built sink with the name it has
// in the configuration.
type NamedSink struct {
	Name string
	Sink
}

// Batcher is implemented by sources and sinks that move events in batches.
// As in Flume, the agent drops a component whose batch size exceeds the
// transactionCapacity of a channel it is connected to, since every one of its
// transactions would fail.
type Batcher interface {
	// BatchSize returns the largest number of events the component puts or
	// takes in one transaction, and the key of its configuration (relative
	// to the component, e.g. "batchSize") that sets it: the key the value
	// was read from, or the one to set when the value is a default. The
	// agent points its error at that property.
	BatchSize() (size int, key string)
}
