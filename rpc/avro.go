package rpc

import (
	"context"
	"fmt"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc/avrorpc"
)

// NewAvroClient returns a client for the avro source at hostAndPort, the
// Go counterpart of Flume's NettyAvroRpcClient (client.type = default).
// props are Flume's RpcClient properties (batch-size, connect-timeout,
// request-timeout, compression-type, compression-level, ssl, ...); hosts
// are not read. As Flume's, it connects at once and fails when the source
// cannot be reached. After a failed call the connection is closed and the
// next call connects again.
func NewAvroClient(hostAndPort string, props map[string]string, opts ...Option) (Client, error) {
	cfg := propsContext(props)
	c, batch := parseAvro(cfg)
	logWarnings(cfg, opts)
	if err := cfg.Err(); err != nil {
		return nil, fmt.Errorf("avro rpc client for %s: %w", hostAndPort, err)
	}
	return newAvroClient(hostAndPort, c, batch)
}

func newAvroClient(addr string, cfg avrorpc.ClientConfig, batchSize int) (Client, error) {
	c := &avroClient{addr: addr, cfg: cfg, batchSize: batchSize}
	if err := c.connect(context.Background()); err != nil {
		return nil, err
	}
	return c, nil
}

type avroClient struct {
	addr      string
	cfg       avrorpc.ClientConfig
	batchSize int

	mu     sync.Mutex
	conn   *avrorpc.Conn
	closed bool
}

// connect dials when there is no live connection. Called with mu held or
// before the client is shared.
func (c *avroClient) connect(ctx context.Context) error {
	if c.conn != nil {
		return nil
	}
	conn, err := avrorpc.Dial(ctx, c.addr, c.cfg)
	if err != nil {
		return err
	}
	c.conn = conn
	return nil
}

func (c *avroClient) BatchSize() int { return c.batchSize }

func (c *avroClient) Append(ctx context.Context, e flume.Event) error {
	return c.do(ctx, func(conn *avrorpc.Conn) (avrorpc.Status, error) { return conn.Append(ctx, e) })
}

func (c *avroClient) AppendBatch(ctx context.Context, events []flume.Event) error {
	for len(events) > 0 {
		n := min(len(events), c.batchSize)
		chunk := events[:n]
		if err := c.do(ctx, func(conn *avrorpc.Conn) (avrorpc.Status, error) { return conn.AppendBatch(ctx, chunk) }); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

func (c *avroClient) do(ctx context.Context, call func(*avrorpc.Conn) (avrorpc.Status, error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClientClosed
	}
	if err := c.connect(ctx); err != nil {
		return err
	}
	st, err := call(c.conn)
	if err == nil && st != avrorpc.OK {
		err = &StatusError{Status: st.String()}
	}
	if err != nil {
		// As Flume's client, any failure makes the connection unusable.
		c.conn.Close()
		c.conn = nil
		return fmt.Errorf("avro rpc client %s: %w", c.addr, err)
	}
	return nil
}

func (c *avroClient) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.conn != nil {
		err := c.conn.Close()
		c.conn = nil
		return err
	}
	return nil
}
