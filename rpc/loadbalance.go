package rpc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// loadBalancingClient is Flume's LoadBalancingRpcClient: each call goes to
// the hosts in the order the host selector gives (round_robin or random),
// trying the next one when a host fails. With backoff, a failed host is
// left out for 1 s, 2 s, 4 s, ... up to maxBackoff (default 30 s).
type loadBalancingClient struct {
	hosts     []Host
	props     map[string]string
	hostType  string
	batchSize int
	sel       *orderSelector
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
		sel:       newOrderSelector(len(hosts), random, boolProp(props, PropBackoff), maxBackoff),
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

// orderSelector is Flume's OrderSelector with its round-robin and random
// variants: the order in which hosts are tried, leaving out hosts that are
// backing off.
type orderSelector struct {
	mu         sync.Mutex
	n          int
	random     bool
	backoff    bool
	maxTimeout time.Duration
	next       int
	state      []failState
	now        func() time.Time
}

type failState struct {
	lastFail   time.Time
	restore    time.Time
	sequential int
}

func newOrderSelector(n int, random, backoff bool, maxTimeout time.Duration) *orderSelector {
	if maxTimeout == 0 {
		maxTimeout = 30 * time.Second
	}
	return &orderSelector{n: n, random: random, backoff: backoff, maxTimeout: maxTimeout, state: make([]failState, n), now: time.Now}
}

func (s *orderSelector) order() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	active := make([]int, 0, s.n)
	for i := range s.n {
		if !s.backoff || s.state[i].restore.Before(now) {
			active = append(active, i)
		}
	}
	if s.random {
		rand.Shuffle(len(active), func(i, j int) { active[i], active[j] = active[j], active[i] })
		return active
	}
	size := len(active)
	if size == 0 {
		return active
	}
	if s.next >= size {
		s.next = 0
	}
	begin := s.next
	s.next++
	if s.next == size {
		s.next = 0
	}
	out := make([]int, size)
	for i := range size {
		out[i] = active[(begin+i)%size]
	}
	return out
}

// failed records a failure of host i, as OrderSelector.informFailure.
func (s *orderSelector) failed(i int) {
	if !s.backoff {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.state[i]
	now := s.now()
	last := min(s.maxTimeout, time.Second<<st.sequential)
	if now.Sub(st.lastFail) < last+time.Hour {
		if st.sequential < 16 {
			st.sequential++
		}
	} else {
		st.sequential = 1
	}
	st.lastFail = now
	st.restore = now.Add(min(s.maxTimeout, time.Second<<st.sequential))
}
