package rpc

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/flumego/flume"
)

// failoverClient is Flume's FailoverRpcClient: it sends through one host
// at a time and moves to the next host in the list when a call fails, up to
// max-attempts tries per call.
type failoverClient struct {
	cfg       Config
	maxTries  int
	newClient func(c Config, addr string) (Client, error)
	mu        sync.Mutex
	current   Client
	lastHost  int // index of the host current talks to; -1 before the first
	closed    bool
}

func newFailoverClient(c Config) (*failoverClient, error) {
	if len(c.Hosts) == 0 {
		return nil, fmt.Errorf("failover rpc client: no usable host (set hosts = h1 h2 and hosts.h1 = host:port)")
	}
	tries := c.MaxAttempts
	if tries <= 0 {
		tries = len(c.Hosts)
	}
	return &failoverClient{cfg: c, maxTries: tries, newClient: newHostClient, lastHost: -1}, nil
}

func (f *failoverClient) BatchSize() int { return f.cfg.BatchSize }

func (f *failoverClient) Append(ctx context.Context, e flume.Event) error {
	return f.try(func(c Client) error { return c.Append(ctx, e) })
}

func (f *failoverClient) AppendBatch(ctx context.Context, events []flume.Event) error {
	return f.try(func(c Client) error { return c.AppendBatch(ctx, events) })
}

// try runs call on the current host's client, failing over to the next
// host after each failure, at most maxTries times.
func (f *failoverClient) try(call func(Client) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClientClosed
	}
	var errs []error
	for tries := 0; tries < f.maxTries; tries++ {
		if f.current == nil {
			c, err := f.nextClient()
			if err != nil {
				return errors.Join(append(errs, err)...)
			}
			f.current = c
		}
		err := call(f.current)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("host %s (%s): %w", f.cfg.Hosts[f.lastHost].Name, f.cfg.Hosts[f.lastHost].Addr, err))
		_ = f.current.Close()
		f.current = nil
	}
	return fmt.Errorf("failover rpc client: %d attempts failed: %w", f.maxTries, errors.Join(errs...))
}

// nextClient connects to the first host after the last one used that
// accepts a connection, wrapping around, as Flume's getNextClient.
func (f *failoverClient) nextClient() (Client, error) {
	hosts := f.cfg.Hosts
	n := len(hosts)
	var errs []error
	for i := 1; i <= n; i++ {
		idx := (f.lastHost + i) % n
		if f.lastHost < 0 {
			idx = i - 1
		}
		c, err := f.newClient(f.cfg, hosts[idx].Addr)
		if err != nil {
			errs = append(errs, fmt.Errorf("host %s (%s): %w", hosts[idx].Name, hosts[idx].Addr, err))
			continue
		}
		f.lastHost = idx
		return c, nil
	}
	return nil, fmt.Errorf("failover rpc client: no host accepts connections: %w", errors.Join(errs...))
}

func (f *failoverClient) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	if f.current != nil {
		err := f.current.Close()
		f.current = nil
		return err
	}
	return nil
}
