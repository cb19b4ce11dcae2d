package syslog

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/source"
)

// DefaultEventSize is eventSize's default: the longest message, in bytes.
const DefaultEventSize = 2500

// tcpBatch is the most events the syslogtcp source commits in one
// transaction: the messages a read brought in, up to the memory channel's
// default transactionCapacity (Flume commits each message on its own).
const tcpBatch = 100

// The read buffer of a TCP connection: small at first, so that many idle
// connections hold little, and larger once the connection proved busy
// (busyAfter messages), so that batches fill up.
const (
	readBuffer     = 4096
	busyReadBuffer = 64 << 10
	busyAfter      = 1000
)

// Register adds the three syslog sources to r under Flume's aliases and
// class names.
func Register(r *flume.Registry) error {
	return errors.Join(
		r.RegisterSource("syslogtcp", TCPFactory, "org.apache.flume.source.SyslogTcpSource"),
		r.RegisterSource("multiport_syslogtcp", MultiportFactory, "org.apache.flume.source.MultiportSyslogTCPSource"),
		r.RegisterSource("syslogudp", UDPFactory, "org.apache.flume.source.SyslogUDPSource"),
	)
}

// parseEventSize reads eventSize. Flume reads a value below 1 as no limit;
// flumego needs one to bound each connection's memory.
func parseEventSize(cfg *flume.Context) int {
	n := cfg.Int("eventSize", DefaultEventSize)
	if n < 1 {
		cfg.Warnf("eventSize", "must be greater than 0 (Flume reads it as no limit; flumego bounds every message to keep memory bounded): using the default %d", DefaultEventSize)
		return DefaultEventSize
	}
	return n
}

// parseFormats refuses the undocumented custom format of Flume's
// SyslogUtils (format.regex and its search, replace and dateFormat).
func parseFormats(cfg *flume.Context) {
	if cfg.Has("format.regex") {
		cfg.Unsupportedf("format.regex", "a custom syslog format (format.regex, format.search, format.replace, format.dateFormat)")
	}
	cfg.MarkPrefixUsed("format.")
}

// requiredHost reads host, which the TCP sources bind to. Flume's
// syslogtcp cannot start without it; a configuration that says bind (the
// other sources' name) gets a hint.
func requiredHost(cfg *flume.Context) string {
	if !cfg.Has("host") && cfg.Has("bind") {
		cfg.Errorf("host", "required property is missing (the syslog sources read host, not bind)")
		return ""
	}
	host := cfg.Required("host")
	cfg.Need(flume.NeedListenHost, "host", host)
	return host
}

// tcpServer serves the connections of a syslog TCP source: it reads
// messages (reader), turns them into events (toEvent) and delivers them in
// batches through the acceptor.
type tcpServer struct {
	name      string // of the source kind, in log lines
	acc       *source.Acceptor
	log       *slog.Logger
	tls       *tls.Config
	limits    netserver.Limits
	eventSize int
	lines     bool
	readBuf   int
	batch     int
	client    clientHeaders
	portHdr   string
	// build adds the headers of a message's event, read on a connection
	// to local port port, to hb's pending event and returns its body; ok is
	// false for a message that makes no event (nothing added), readFail for
	// one Flume counts in EventReadFail (an unparsable message).
	build func(m Message, port int, hb *flume.HeaderBuffer) (body []byte, ok, readFail bool)
	// unparsable keeps bad messages to one warning per 10 s.
	unparsable ratelog.Limiter
}

func (s *tcpServer) newServer() source.Server {
	return netserver.New(netserver.Config{Name: s.name, Logger: s.log, Limits: s.limits, Hooks: s.acc.Hooks()}, s.serve)
}

// maxBatch is the batch size, bounded by what the channels take in one
// transaction.
func (s *tcpServer) maxBatch() int {
	if m := s.acc.MaxBatch(); m > 0 && m < s.batch {
		return m
	}
	return s.batch
}

func (s *tcpServer) serve(ctx context.Context, c *netserver.Conn) {
	var conn net.Conn = c
	if s.tls != nil {
		tc, err := c.ServerTLS(ctx, c, s.tls)
		if err != nil {
			s.unparsable.Warn(s.log, s.name+": TLS handshake failed", "remote", c.RemoteAddr().String(), "error", err)
			return
		}
		conn = tc
	}
	port := 0
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		port = a.Port
	}
	ip, host := s.client.values(ctx, c.RemoteAddr())
	rd := newReader(bufio.NewReaderSize(conn, s.readBuf), s.eventSize, s.lines)
	rd.started = c.Started
	messages := 0
	limit := s.maxBatch()
	batch := make([]flume.Event, 0, min(limit, 16))
	var hb flume.HeaderBuffer // the headers of the connection's events, in shared storage
	portText := strconv.Itoa(port)
	flush := func() bool {
		if len(batch) == 0 {
			return true
		}
		if !c.Begin() {
			return false // stopping: the peer gets no more of our attention
		}
		ok := deliver(ctx, s.acc, batch)
		clear(batch)
		batch = batch[:0]
		return c.End() && ok
	}
	for {
		if messages++; messages == busyAfter {
			rd.grow(conn, max(busyReadBuffer, s.readBuf))
		}
		m, err := rd.next()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, netserver.ErrRequestTimeout) &&
				!errors.Is(err, net.ErrClosed) {
				s.log.Debug(s.name+": connection ended", "remote", c.RemoteAddr().String(), "error", err)
			}
			flush()
			return
		}
		body, ok, readFail := s.build(m, port, &hb)
		if readFail {
			s.acc.BadRequest(nil)
			s.unparsable.Warn(s.log, s.name+": unparsable syslog message", "remote", c.RemoteAddr().String(),
				"message", truncate(m.Raw))
		}
		if ok {
			s.client.add(&hb, ip, host)
			if s.portHdr != "" {
				hb.Add(s.portHdr, portText)
			}
			e := flume.NewEvent(body)
			hb.Attach(&e)
			batch = append(batch, e)
		}
		if len(batch) >= limit || !rd.hasMessage() {
			if !flush() {
				return
			}
		}
	}
}

// truncate shortens a message for a log line.
func truncate(b []byte) string {
	const max = 200
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// TCPSource is the syslogtcp source: syslog messages over TCP (optionally
// TLS), newline-framed as Flume reads them or octet-counted.
type TCPSource struct {
	*source.Endpoint
	counter source.ServerCounter
}

// Counters returns the source's counters.
func (s *TCPSource) Counters() *source.ServerCounter { return &s.counter }

// TCPFactory builds a syslogtcp source (see the package documentation).
func TCPFactory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	host := requiredHost(cfg)
	port := cfg.Port("port")
	srv := &tcpServer{
		name:      "syslogtcp source",
		log:       set.Log(),
		eventSize: parseEventSize(cfg),
		readBuf:   readBuffer,
		batch:     tcpBatch,
		client:    parseClientHeaders(cfg),
	}
	f := &Formatter{Keep: ParseKeepFields(cfg.String("keepFields", "none"))}
	parseFormats(cfg)
	srv.tls = tlsconf.Server(cfg, tlsconf.ServerKeys, tlsconf.SystemGlobal())
	srv.limits = netserver.ParseLimits(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	s := &TCPSource{}
	srv.acc = source.NewAcceptor(srv.log, out, &s.counter)
	srv.build = func(m Message, _ int, hb *flume.HeaderBuffer) ([]byte, bool, bool) {
		body, err := f.build(m, hb)
		if err != nil {
			hb.Discard()
		}
		return body, err == nil, err != nil
	}
	s.Endpoint = source.NewEndpoint(srv.name, set, net.JoinHostPort(host, strconv.Itoa(port)), &s.counter, srv.newServer,
		append([]any{"ssl", srv.tls != nil, "eventSize", srv.eventSize}, srv.limits.LogAttrs()...)...)
	set.Publish(&s.counter)
	return s, nil
}
