package rpc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/orderselect"
)

// loadBalancingClient is Flume's LoadBalancingRpcClient: each call goes to
// the hosts in the order the host selector gives (round_robin or random),
// trying the next one when a host fails. With backoff, a failed host is
// left out for 2 s, 4 s, 8 s, ... up to maxBackoff (default 30 s), with
// the backoff of Flume's OrderSelector (internal/orderselect).
type loadBalancingClient struct {
	cfg       Config
	sel       *lockedSelector
	newClient func(c Config, addr string) (Client, error)

	mu      sync.Mutex
	clients map[string]Client
	closed  bool
}

func newLoadBalancingClient(c Config) (*loadBalancingClient, error) {
	if len(c.Hosts) < 2 {
		return nil, fmt.Errorf("load balancing rpc client: at least two hosts are required, got %d", len(c.Hosts))
	}
	n := len(c.Hosts)
	return &loadBalancingClient{
		cfg:       c,
		sel:       &lockedSelector{n: n, sel: orderselect.New(n, c.RandomHosts, c.Backoff, c.MaxBackoff, nil)},
		newClient: newHostClient, clients: map[string]Client{},
	}, nil
}

func (l *loadBalancingClient) BatchSize() int { return l.cfg.BatchSize }

func (l *loadBalancingClient) Append(ctx context.Context, e flume.Event) error {
	return l.try(func(c Client) error { return c.Append(ctx, e) })
}

func (l *loadBalancingClient) AppendBatch(ctx context.Context, events []flume.Event) error {
	return l.try(func(c Client) error { return c.AppendBatch(ctx, events) })
}

func (l *loadBalancingClient) try(call func(Client) error) error {
	var errs []error
	for _, i := range l.sel.order() {
		c, err := l.client(i)
		if err == nil {
			if err = call(c); err != nil {
				l.drop(i, c)
			}
		}
		if err == nil {
			return nil
		}
		if errors.Is(err, ErrClientClosed) {
			return err
		}
		l.sel.failed(i)
		errs = append(errs, fmt.Errorf("host %s (%s): %w", l.cfg.Hosts[i].Name, l.cfg.Hosts[i].Addr, err))
	}
	if len(errs) == 0 {
		return fmt.Errorf("load balancing rpc client: every host is backing off after failures")
	}
	return fmt.Errorf("load balancing rpc client: no host took the events: %w", errors.Join(errs...))
}

// client returns the connected client of host i, creating it when needed.
func (l *loadBalancingClient) client(i int) (Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, ErrClientClosed
	}
	name := l.cfg.Hosts[i].Name
	if c := l.clients[name]; c != nil {
		return c, nil
	}
	c, err := l.newClient(l.cfg, l.cfg.Hosts[i].Addr)
	if err != nil {
		return nil, err
	}
	l.clients[name] = c
	return c, nil
}

// drop closes a client that failed; the next use of the host reconnects.
func (l *loadBalancingClient) drop(i int, c Client) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.clients[l.cfg.Hosts[i].Name] == c {
		delete(l.clients, l.cfg.Hosts[i].Name)
	}
	_ = c.Close()
}

func (l *loadBalancingClient) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	var errs []error
	for name, c := range l.clients {
		errs = append(errs, c.Close())
		delete(l.clients, name)
	}
	return errors.Join(errs...)
}

// lockedSelector is an orderselect.Selector shared by concurrent calls.
type lockedSelector struct {
	mu  sync.Mutex
	n   int
	sel *orderselect.Selector
}

// order returns the hosts to try, in order, in a slice of the caller's.
func (s *lockedSelector) order() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sel.Order(s.n))
}

// failed records a failure of host i, as OrderSelector.informFailure.
func (s *lockedSelector) failed(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sel.Failed(i)
}
