package source

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/flumego/flume"
)

// Server is what a network source runs on its listener: the Avro and
// Thrift RPC servers, and an HTTP or syslog server adapted to it.
type Server interface {
	// Start serves ln on the server's own goroutines; the server owns ln.
	Start(ln net.Listener)
	// Addr returns the listening address.
	Addr() net.Addr
	// Shutdown stops accepting, closes idle connections and lets requests
	// in progress finish and answer; when ctx ends first it aborts them,
	// and returns ctx.Err() once nothing of the server runs.
	Shutdown(ctx context.Context) error
}

// Endpoint is the lifecycle every network source shares: Start listens on
// the source's address and starts a new Server on it; Stop drains it (the
// calls in progress are answered, within Stop's context; then they are
// aborted, their senders get no answer and resend), as flume.Lifecycle
// requires. Its Addr tells which port was picked for port 0.
type Endpoint struct {
	what      string // "avro source", in errors and log lines
	name      string
	addr      string
	log       *slog.Logger
	counter   *ServerCounter
	newServer func() Server
	describe  []any // attributes of the "listening" log line

	mu  sync.Mutex
	srv Server
}

// NewEndpoint returns the endpoint of the source set describes (what is its
// kind, "avro source"), to listen on addr (host:port) with servers made by
// newServer. counter, when not nil, is started and stopped with the source.
// describe are attributes for the start-up log line.
func NewEndpoint(what string, set flume.Settings, addr string, counter *ServerCounter, newServer func() Server, describe ...any) *Endpoint {
	return &Endpoint{what: what, name: set.Name, addr: addr, log: set.Log(), counter: counter, newServer: newServer, describe: describe}
}

// Start listens on the address and serves it; an address in use is an
// error (the agent retries). It does nothing when already started.
func (e *Endpoint) Start(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", e.addr)
	if err != nil {
		return fmt.Errorf("%s %q: %w", e.what, e.name, err)
	}
	if e.counter != nil {
		e.counter.Started()
	}
	e.srv = e.newServer()
	e.srv.Start(ln)
	e.log.Info(e.what+" listening", append([]any{"address", ln.Addr().String()}, e.describe...)...)
	return nil
}

// Addr returns the address the source listens on, nil when stopped.
func (e *Endpoint) Addr() net.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv == nil {
		return nil
	}
	return e.srv.Addr()
}

// Stop stops accepting, lets the calls in progress finish within ctx and
// closes every connection. When ctx ends first the remaining calls are
// aborted (their senders resend) and the error wraps ctx.Err(); either way
// nothing of the server runs when Stop returns. Stop is idempotent.
func (e *Endpoint) Stop(ctx context.Context) error {
	e.mu.Lock()
	srv := e.srv
	e.srv = nil
	e.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if e.counter != nil {
		e.counter.Stopped()
	}
	e.log.Info(e.what + " stopped")
	if err != nil {
		return fmt.Errorf("%s %q: stop: %w", e.what, e.name, err)
	}
	return nil
}
