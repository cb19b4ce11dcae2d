package source

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/ratelog"
)

// Call says how a sender delivered events, which decides the request
// counters Flume keeps for them.
type Call uint8

const (
	// Append is one event in a request of its own (Avro and Thrift
	// append): AppendReceivedCount and AppendAcceptedCount.
	Append Call = iota
	// AppendBatch is a batch in one request (appendBatch, an HTTP
	// request): AppendBatchReceivedCount and AppendBatchAcceptedCount.
	AppendBatch
	// Events are events that came without a request of their own (syslog
	// messages read off a stream): only the Event counters, as Flume's
	// syslog sources count.
	Events
)

// String returns the name used in log lines.
func (c Call) String() string {
	switch c {
	case Append:
		return "append"
	case AppendBatch:
		return "appendBatch"
	}
	return "events"
}

// Outcome is how a request was answered.
type Outcome uint8

const (
	// OK: the events are committed on every required channel. Avro and
	// Thrift answer OK, HTTP 200.
	OK Outcome = iota
	// Failed: a channel refused the events (full, stopped, or more events
	// than one transaction holds; flume.IsChannelError), Flume's
	// ChannelException. The sender keeps them and sends them again: Avro
	// and Thrift answer FAILED, HTTP 503; a syslog stream stops being read
	// for a while.
	Failed
	// Error: anything else failed (an interceptor, a panic, the source
	// stopping). Avro answers an Avro error, Thrift a TApplicationException
	// of type INTERNAL_ERROR, HTTP 500; the sender treats the delivery as
	// failed.
	Error
)

// ServerCounter is the counter group of a network source: Flume's
// SourceCounter and ConnectionRefusedCount, the connections closed on
// arrival because max-connections were open (a flumego addition, published
// after Flume's attributes).
type ServerCounter struct {
	flume.SourceCounter
	ConnectionRefusedCount atomic.Int64
}

func (c *ServerCounter) serverFields() []flume.CounterField {
	return []flume.CounterField{{Name: "ConnectionRefusedCount", Value: &c.ConnectionRefusedCount}}
}

// Started resets every counter and records the start time.
func (c *ServerCounter) Started() {
	c.SourceCounter.Started()
	flume.ResetCounters(c.serverFields()...)
}

// Attributes returns Flume's source attributes and ConnectionRefusedCount.
func (c *ServerCounter) Attributes() []flume.Attribute {
	return flume.AppendCounters(c.SourceCounter.Attributes(), c.serverFields()...)
}

// Acceptor is the accept step every network source shares: a request of
// events from a sender is handed to the ChannelProcessor, answered OK,
// Failed or Error, counted with Flume's source counters, and failures are
// logged without flooding the log. Avro and Thrift use it per append or
// appendBatch call; the HTTP source per request (a handler that cannot
// parse the body reports BadRequest and answers 400; otherwise Accept with
// AppendBatch, and OK, Failed, Error become 200, 503, 500); the syslog
// sources per message or batch of messages read off a connection or a
// datagram (Events; an unparsable message is a BadRequest).
//
// Counters, one mapping for every source (Flume's sources disagree; this
// is its HTTP source's, the only one that tells all three failures apart):
//
//   - every request read: AppendReceivedCount (Append) or
//     AppendBatchReceivedCount (AppendBatch), and EventReceivedCount by its
//     events; its Accepted counterparts once the events are committed;
//   - Failed: ChannelWriteFail, also for a batch refused unread because it
//     declares more events than the channels take in one transaction
//     (TooMany; it counts as received);
//   - Error: GenericProcessingFail;
//   - a request that cannot be read or decoded (malformed, oversized,
//     unknown method, not received within request-read-timeout):
//     EventReadFail, and nothing else;
//   - a connection refused over max-connections: ConnectionRefusedCount.
//
// An Acceptor is safe for concurrent use.
type Acceptor struct {
	out     flume.ChannelProcessor
	limiter flume.BatchLimiter // nil when out cannot tell
	counter *ServerCounter
	log     *slog.Logger
	// refused and failed keep streaks of Failed and Error answers to one
	// warning per 10 s, and say when they end.
	refused, failed ratelog.Streak
}

// NewAcceptor returns the accept step of a source that hands its events to
// out and counts in counter. log should carry the source's name.
func NewAcceptor(log *slog.Logger, out flume.ChannelProcessor, counter *ServerCounter) *Acceptor {
	a := &Acceptor{out: out, counter: counter, log: log}
	a.limiter, _ = out.(flume.BatchLimiter)
	return a
}

// Accept hands the events of one request to the channels and returns the
// answer to give. The error is the processor's, set with Error only.
func (a *Acceptor) Accept(ctx context.Context, call Call, events []flume.Event) (Outcome, error) {
	n := int64(len(events))
	c := &a.counter.SourceCounter
	switch call {
	case Append:
		c.AppendReceivedCount.Add(1)
	case AppendBatch:
		c.AppendBatchReceivedCount.Add(1)
	}
	c.EventReceivedCount.Add(n)
	if n > 0 {
		if err := a.out.Process(ctx, events); err != nil {
			if flume.IsChannelError(err) {
				c.ChannelWriteFail.Add(1)
				a.refused.Fail(a.log, "channels refused events; the sender was told to send them again",
					"call", call.String(), "events", n, "error", err)
				return Failed, nil
			}
			c.GenericProcessingFail.Add(1)
			if ctx.Err() == nil {
				a.failed.Fail(a.log, "events could not be processed; the sender was told the delivery failed",
					"call", call.String(), "events", n, "error", err)
			}
			return Error, err
		}
	}
	switch call {
	case Append:
		c.AppendAcceptedCount.Add(1)
	case AppendBatch:
		c.AppendBatchAcceptedCount.Add(1)
	}
	c.EventAcceptedCount.Add(n)
	a.refused.OK(a.log, "channels accept events again")
	a.failed.OK(a.log, "events are processed again")
	return OK, nil
}

// MaxBatch returns the largest batch the channels could ever take in one
// transaction (flume.BatchLimiter), 0 when the processor cannot tell.
func (a *Acceptor) MaxBatch() int {
	if a.limiter == nil {
		return 0
	}
	return a.limiter.MaxBatch()
}

// TooMany counts a batch that a server refused, unread, because it
// declared more events than MaxBatch: a batch received and refused by the
// channels (answer Failed).
func (a *Acceptor) TooMany(declared int) {
	c := &a.counter.SourceCounter
	c.AppendBatchReceivedCount.Add(1)
	c.EventReceivedCount.Add(int64(declared))
	c.ChannelWriteFail.Add(1)
	a.refused.Fail(a.log, "batch larger than the channels take in one transaction; answered FAILED (lower the sender's batch size or raise the channels' transactionCapacity)",
		"events", declared, "max_batch", a.MaxBatch())
}

// BadRequest counts a request that could not be read or decoded. The
// server that saw it logs it, with the peer's address.
func (a *Acceptor) BadRequest(error) { a.counter.EventReadFail.Add(1) }

// ConnRefused counts a connection refused over max-connections (the
// server logs it).
func (a *Acceptor) ConnRefused(net.Addr) { a.counter.ConnectionRefusedCount.Add(1) }

// Hooks returns the server hooks that report to the acceptor: the
// OpenConnectionCount gauge, refused connections, bad requests and the
// batch limit.
func (a *Acceptor) Hooks() netserver.Hooks {
	h := netserver.Hooks{
		Connections:   &a.counter.OpenConnectionCount,
		OnConnRefused: a.ConnRefused,
		OnBadRequest:  a.BadRequest,
	}
	if a.limiter != nil {
		h.MaxBatch, h.OnTooManyEvents = a.MaxBatch, a.TooMany
	}
	return h
}
