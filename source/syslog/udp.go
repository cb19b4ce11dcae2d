package syslog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/source"
)

// maxDatagram is the largest syslog datagram (RFC 5426), Flume's UDP
// eventSize.
const maxDatagram = 1 << 16

// UDPSource is the syslogudp source: one event per datagram.
type UDPSource struct {
	name    string
	addr    string
	log     *slog.Logger
	acc     *source.Acceptor
	f       *Formatter
	client  clientHeaders
	counter source.ServerCounter
	bad     ratelog.Limiter

	mu     sync.Mutex
	conn   net.PacketConn
	cancel context.CancelFunc
	done   chan struct{}
}

var _ flume.Source = (*UDPSource)(nil)

// UDPFactory builds a syslogudp source (see the package documentation).
func UDPFactory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	host := cfg.String("host", "") // every address without one, as Flume
	cfg.Need(flume.NeedListenHost, "host", host)
	port := cfg.Port("port")
	s := &UDPSource{
		name:   set.Name,
		log:    set.Log(),
		f:      &Formatter{Keep: ParseKeepFields(cfg.String("keepFields", "none"))},
		client: parseClientHeaders(cfg),
	}
	parseFormats(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	s.addr = net.JoinHostPort(host, strconv.Itoa(port))
	s.acc = source.NewAcceptor(s.log, out, &s.counter)
	set.Publish(&s.counter)
	return s, nil
}

// Counters returns the source's counters.
func (s *UDPSource) Counters() *source.ServerCounter { return &s.counter }

// Start binds the port and reads datagrams on a goroutine of its own.
func (s *UDPSource) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		return nil
	}
	conn, err := net.ListenPacket("udp", s.addr)
	if err != nil {
		return fmt.Errorf("syslogudp source %q: %w", s.name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.conn, s.cancel, s.done = conn, cancel, make(chan struct{})
	s.counter.Started()
	go s.run(ctx, conn, s.done)
	s.log.Info("syslogudp source listening", "address", conn.LocalAddr().String())
	return nil
}

// Addr returns the bound address, nil when stopped.
func (s *UDPSource) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	return s.conn.LocalAddr()
}

// Stop closes the socket and waits for the datagram being delivered
// (within ctx; then its delivery is abandoned and the datagram lost, as a
// datagram in the socket's buffer is).
func (s *UDPSource) Stop(ctx context.Context) error {
	s.mu.Lock()
	conn, cancel, done := s.conn, s.cancel, s.done
	s.mu.Unlock()
	if conn == nil {
		return nil
	}
	_ = conn.Close()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		cancel()
		<-done
		err = fmt.Errorf("syslogudp source %q: stop: %w", s.name, ctx.Err())
	}
	cancel()
	s.mu.Lock()
	if s.conn == conn {
		s.conn = nil
		s.counter.Stopped()
	}
	s.mu.Unlock()
	s.log.Info("syslogudp source stopped")
	return err
}

func (s *UDPSource) run(ctx context.Context, conn net.PacketConn, done chan struct{}) {
	defer close(done)
	buf := make([]byte, maxDatagram)
	var hb flume.HeaderBuffer
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.bad.Warn(s.log, "syslogudp source: read failed", "error", err)
			continue
		}
		m, _, _ := scan(buf[:n], maxDatagram, false)
		body, err := s.f.build(m, &hb)
		if err != nil {
			hb.Discard()
			s.acc.BadRequest(err)
			s.bad.Warn(s.log, "syslogudp source: unparsable datagram", "remote", from.String(), "error", err)
			continue
		}
		ip, host := s.client.values(ctx, from)
		s.client.add(&hb, ip, host)
		e := flume.NewEvent(body)
		hb.Attach(&e)
		if !deliver(ctx, s.acc, []flume.Event{e}) {
			return
		}
	}
}
