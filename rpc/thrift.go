package rpc

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc/thriftrpc"
)

// DefaultThriftMaxConnections is the default size of a ThriftClient's
// connection pool (Flume's maxConnections).
const DefaultThriftMaxConnections = 5

// ThriftClient sends events to a thrift source (client.type = thrift). It
// keeps a pool of up to maxConnections connections, opened on demand; each
// call uses one connection at a time, so up to maxConnections calls run
// concurrently and more wait. A connection that failed (transport error,
// timeout, undecodable reply) is discarded and the next call opens a new
// one; a FAILED or ERROR answer keeps it, as Flume's ThriftRpcClient does.
type ThriftClient struct {
	addr     string
	cfg      thriftrpc.ClientConfig
	slots    chan struct{}
	mu       sync.Mutex
	idle     []*thriftrpc.Conn
	closed   bool
	closedCh chan struct{}
}

var _ Client = (*ThriftClient)(nil)

// NewThriftClient returns a client for the thrift source at hostAndPort,
// configured by Flume's RpcClient properties: batch-size (100),
// connect-timeout and request-timeout (20000 ms, at least 1000), protocol
// (compact or binary), maxConnections (5), ssl, truststore,
// truststore-password, truststore-type, trust-all-certs,
// include/exclude-protocols and cipher suites, and max-frame-size (a
// flumego addition). kerberos = true is refused with an error matching
// flume.ErrUnsupported. No connection is opened until the first call.
func NewThriftClient(hostAndPort string, props map[string]string, opts ...Option) (Client, error) {
	cfg := propsContext(props)
	c := ParseThriftClient(cfg)
	pool := parseMaxConnections(cfg)
	logWarnings(cfg, opts)
	if err := cfg.Err(); err != nil {
		return nil, fmt.Errorf("thrift rpc client for %s: %w", hostAndPort, err)
	}
	return NewThriftClientConfig(hostAndPort, c, pool)
}

// NewThriftClientConfig returns a client for hostAndPort from a parsed
// configuration, with a pool of maxConnections connections.
func NewThriftClientConfig(hostAndPort string, cfg thriftrpc.ClientConfig, maxConnections int) (*ThriftClient, error) {
	if _, _, err := net.SplitHostPort(hostAndPort); err != nil {
		return nil, fmt.Errorf("thrift rpc client: %q is not host:port: %w", hostAndPort, err)
	}
	if cfg.BatchSize < 1 {
		cfg.BatchSize = DefaultBatchSize
	}
	if maxConnections < 1 {
		maxConnections = DefaultThriftMaxConnections
	}
	return &ThriftClient{
		addr:     hostAndPort,
		cfg:      cfg,
		slots:    make(chan struct{}, maxConnections),
		closedCh: make(chan struct{}),
	}, nil
}

// BatchSize returns the largest number of events sent in one appendBatch.
func (c *ThriftClient) BatchSize() int { return c.cfg.BatchSize }

// Append sends one event with append. A non-OK answer is a *StatusError.
func (c *ThriftClient) Append(ctx context.Context, e flume.Event) error {
	return c.with(ctx, func(conn *thriftrpc.Conn) error {
		return statusErr(conn.Append(ctx, e))
	})
}

// AppendBatch sends events in appendBatch calls of at most BatchSize
// events over one connection and returns at the first failure.
func (c *ThriftClient) AppendBatch(ctx context.Context, events []flume.Event) error {
	if len(events) == 0 {
		return nil
	}
	return c.with(ctx, func(conn *thriftrpc.Conn) error {
		for len(events) > 0 {
			n := min(len(events), c.cfg.BatchSize)
			if err := statusErr(conn.AppendBatch(ctx, events[:n])); err != nil {
				return err
			}
			events = events[n:]
		}
		return nil
	})
}

func statusErr(s thriftrpc.Status, err error) error {
	if err != nil {
		return err
	}
	if s != thriftrpc.OK {
		return &StatusError{Status: s.String()}
	}
	return nil
}

// with runs fn on a pooled connection.
func (c *ThriftClient) with(ctx context.Context, fn func(*thriftrpc.Conn) error) error {
	select {
	case c.slots <- struct{}{}:
	case <-c.closedCh:
		return ErrClientClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.slots }()
	conn, err := c.checkout(ctx)
	if err != nil {
		return err
	}
	err = fn(conn)
	c.checkin(conn)
	if err != nil {
		return fmt.Errorf("thrift rpc client %s: %w", c.addr, err)
	}
	return nil
}

func (c *ThriftClient) checkout(ctx context.Context) (*thriftrpc.Conn, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClientClosed
	}
	if n := len(c.idle); n > 0 {
		conn := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return conn, nil
	}
	c.mu.Unlock()
	conn, err := thriftrpc.Dial(ctx, c.addr, c.cfg)
	if err != nil {
		return nil, fmt.Errorf("thrift rpc client: %w", err)
	}
	return conn, nil
}

func (c *ThriftClient) checkin(conn *thriftrpc.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || conn.Broken() {
		_ = conn.Close()
		return
	}
	c.idle = append(c.idle, conn)
}

// Close closes the idle connections (busy ones close when their call
// returns); later calls return ErrClientClosed.
func (c *ThriftClient) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	close(c.closedCh)
	for _, conn := range c.idle {
		_ = conn.Close()
	}
	c.idle = nil
	return nil
}
