package http

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/ratelog"
)

// limitListener applies max-connections to the connections net/http
// accepts, as internal/netserver does for the other network sources: a
// connection over the limit is closed at once, counted and logged (rate
// limited); OpenConnectionCount follows the open ones.
type limitListener struct {
	net.Listener
	max     int64
	open    atomic.Int64
	hooks   netserver.Hooks
	log     *slog.Logger
	refused ratelog.Limiter
}

func newLimitListener(ln net.Listener, max int, hooks netserver.Hooks, log *slog.Logger) *limitListener {
	return &limitListener{Listener: ln, max: int64(max), hooks: hooks, log: log}
}

// Accept returns the next connection within the limit.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.max > 0 && l.open.Load() >= l.max {
			remote := c.RemoteAddr()
			_ = c.Close()
			if l.hooks.OnConnRefused != nil {
				l.hooks.OnConnRefused(remote)
			}
			l.refused.Warn(l.log, "http source: connection refused: max-connections are open", "remote", remote.String(),
				"max_connections", l.max)
			continue
		}
		l.open.Add(1)
		if l.hooks.Connections != nil {
			l.hooks.Connections.Add(1)
		}
		return &countedConn{Conn: c, l: l}, nil
	}
}

type countedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.open.Add(-1)
		if c.l.hooks.Connections != nil {
			c.l.hooks.Connections.Add(-1)
		}
	})
	return err
}
