package rpc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/orderselect"
)

// loadBalancingClient is Flume's LoadBalancingRpcClient: each call goes to
// the hosts in the order the host selector gives (round_robin or random),
// trying the next one when a host fails. With backoff, a failed host is
// left out for 2 s, 4 s, 8 s, ... up to maxBackoff (default 30 s), with
// the backoff of Flume's OrderSelector (internal/orderselect).
type loadBalancingClient struct {
	hosts     []Host
	props     map[string]string
	hostType  string
	batchSize int
	sel       *lockedSelector
	newClient func(typ, addr string, props map[string]string) (Client, error)

	mu      sync.Mutex
	clients map[string]Client
	closed  bool
}

func newLoadBalancingClient(props map[string]string) (*loadBalancingClient, error) {
	hosts, err := ParseHosts(props)
	if err != nil {
		return nil, err
	}
	if len(hosts) < 2 {
		return nil, fmt.Errorf("load balancing rpc client: at least two hosts are required, got %d", len(hosts))
	}
	random := false
	switch sel := strings.TrimSpace(props[PropHostSelector]); strings.ToLower(sel) {
	case "", "round_robin":
	case "random":
		random = true
	default:
		return nil, fmt.Errorf("load balancing rpc client: host-selector %q: custom selector classes: %w (use round_robin or random)", sel, flume.ErrUnsupported)
	}
	maxBackoff := time.Duration(0)
	if v := strings.TrimSpace(props[PropMaxBackoff]); v != "" {
		n, err := flume.ParseJavaInt(v, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("load balancing rpc client: maxBackoff %q: expected milliseconds", v)
		}
		maxBackoff = time.Duration(n) * time.Millisecond
	}
	return &loadBalancingClient{
		hosts: hosts, props: props, hostType: props[PropHostClientType], batchSize: BatchSize(props),
		sel:       &lockedSelector{n: len(hosts), sel: orderselect.New(len(hosts), random, boolProp(props, PropBackoff), maxBackoff, nil)},
		newClient: newHostClient, clients: map[string]Client{},
	}, nil
}

func (l *loadBalancingClient) BatchSize() int { return l.batchSize }

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
		errs = append(errs, fmt.Errorf("host %s (%s): %w", l.hosts[i].Name, l.hosts[i].Addr, err))
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
	name := l.hosts[i].Name
	if c := l.clients[name]; c != nil {
		return c, nil
	}
	c, err := l.newClient(l.hostType, l.hosts[i].Addr, l.props)
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
	if l.clients[l.hosts[i].Name] == c {
		delete(l.clients, l.hosts[i].Name)
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
