package sink

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// PropResetInterval is the RPC sinks' reset-connection-interval (seconds),
// the key Flume's AbstractRpcSink reads; propResetIntervalGuide is the
// user guide's spelling of it.
const (
	PropResetInterval      = "reset-connection-interval"
	propResetIntervalGuide = "connection-reset-interval"
)

// ParseResetInterval reads reset-connection-interval, in seconds: 0 (the
// default) never resets. As in Flume, a value that is not a positive
// number resets nothing; flumego warns about it. The user guide's
// connection-reset-interval, which Java Flume ignores, is honoured with a
// warning when reset-connection-interval is not set.
func ParseResetInterval(cfg *flume.Context) time.Duration {
	key := PropResetInterval
	if cfg.Has(propResetIntervalGuide) {
		if cfg.Has(PropResetInterval) {
			cfg.MarkUsed(propResetIntervalGuide)
			cfg.Warnf(propResetIntervalGuide, "ignored: %s is also set and takes precedence", PropResetInterval)
		} else {
			key = propResetIntervalGuide
			cfg.Warnf(key, "the user guide's name for %s; Java Flume ignores it, flumego honours it (write %s)", PropResetInterval, PropResetInterval)
		}
	}
	return time.Duration(cfg.LenientIntAtLeast(key, 0, 0)) * time.Second
}

// Conn is an RPC sink's connection to its next hop, kept as Flume's
// AbstractRpcSink keeps it: opened by the first batch that needs it (a next
// hop that is down does not keep the sink from starting, and a failed
// connect fails only that batch), closed after a failed delivery so that
// the next batch reconnects, and closed and reopened before a batch once it
// is older than ResetInterval (reset-connection-interval: a load balancer in
// front of several next hops spreads long-lived connections again). It
// counts Flume's ConnectionCreatedCount, ConnectionClosedCount and, for a
// failed connect or close, ConnectionFailedCount. The avro and thrift sinks
// use it; C is their client type.
type Conn[C io.Closer] struct {
	// Dial opens a connection. Required.
	Dial func(ctx context.Context) (C, error)
	// ResetInterval, when positive, is the age after which the connection
	// is replaced before the next batch.
	ResetInterval time.Duration
	// Counter receives the connection counters. Required.
	Counter *flume.SinkCounter
	// Log receives a debug line per reset; nil discards it.
	Log *slog.Logger
	// Now is the clock of ResetInterval (tests replace it); nil is
	// time.Now.
	Now func() time.Time

	mu     sync.Mutex
	c      C
	open   bool
	opened time.Time
}

func (k *Conn[C]) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

// Do runs fn with the connection, opening it first when there is none (or
// replacing it when it is older than ResetInterval). When the connect or fn
// fails, the error is returned and the connection is closed. Do holds the
// connection for fn's duration: Close waits for it.
func (k *Conn[C]) Do(ctx context.Context, fn func(C) error) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.open && k.ResetInterval > 0 && k.now().Sub(k.opened) >= k.ResetInterval {
		if k.Log != nil {
			k.Log.Debug("reset-connection-interval elapsed; reconnecting")
		}
		k.closeLocked()
	}
	if !k.open {
		c, err := k.Dial(ctx)
		if err != nil {
			k.Counter.ConnectionFailedCount.Add(1)
			return err
		}
		k.c, k.open, k.opened = c, true, k.now()
		k.Counter.ConnectionCreatedCount.Add(1)
	}
	if err := fn(k.c); err != nil {
		k.closeLocked()
		return err
	}
	return nil
}

// Close closes the connection, if one is open (the sink's Stop).
func (k *Conn[C]) Close() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.closeLocked()
}

// closeLocked closes the connection and counts it as Flume's
// destroyConnection does. Called with mu held.
func (k *Conn[C]) closeLocked() {
	if !k.open {
		return
	}
	if err := k.c.Close(); err != nil {
		k.Counter.ConnectionFailedCount.Add(1)
	} else {
		k.Counter.ConnectionClosedCount.Add(1)
	}
	var zero C
	k.c, k.open = zero, false
}
