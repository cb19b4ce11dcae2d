package syslog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/source"
)

// MultiportSource is the multiport_syslogtcp source: syslog lines over TCP
// (optionally TLS) on several ports, parsed as Flume's SyslogParser does
// and committed in batches of batchSize.
type MultiportSource struct {
	endpoints []*source.Endpoint
	counter   source.ServerCounter

	mu      sync.Mutex
	running bool
}

var _ flume.Source = (*MultiportSource)(nil)

// Counters returns the source's counters.
func (s *MultiportSource) Counters() *source.ServerCounter { return &s.counter }

// MultiportFactory builds a multiport_syslogtcp source (see the package
// documentation).
func MultiportFactory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	var ports []int
	if p, ok := cfg.Lookup("ports"); !ok {
		cfg.Errorf("ports", "required property is missing (expected port numbers separated by spaces)")
	} else {
		for _, f := range strings.Fields(p.Value) {
			n, err := flume.ParseJavaInt(f, 32)
			if err != nil || n < 0 || n > 65535 {
				cfg.Errorf("ports", "%q is not a port number (expected integers from 0 to 65535 separated by spaces)", f)
				continue
			}
			ports = append(ports, int(n))
		}
		if len(ports) == 0 && p.Value != "" {
			cfg.Errorf("ports", "no port")
		}
	}
	host := cfg.String("host", "") // Flume listens on every address without one
	cfg.Need(flume.NeedListenHost, "host", host)
	if cfg.Has("numProcessors") {
		cfg.IntAtLeast("numProcessors", 0, 1) // accepted: Go's scheduler uses every processor
	}
	srv := &tcpServer{
		name:      "multiport_syslogtcp source",
		log:       set.Log(),
		eventSize: parseEventSize(cfg),
		lines:     true,
		batch:     cfg.Positive("batchSize", 100),
		client:    parseClientHeaders(cfg),
		portHdr:   cfg.String("portHeader", ""),
	}
	// readBufferBytes is the key Flume reads; the user guide says
	// readBufferSize.
	bufKey := "readBufferBytes"
	if !cfg.Has(bufKey) && cfg.Has("readBufferSize") {
		bufKey = "readBufferSize"
	} else if cfg.Has("readBufferSize") {
		cfg.MarkUsed("readBufferSize")
		cfg.Warnf("readBufferSize", "ignored: readBufferBytes is also set and takes precedence, as in Flume")
	}
	srv.readBuf = max(cfg.Positive(bufKey, 1024), readBuffer) // a tuning hint: never below syslogtcp's
	p := &lineParser{keep: ParseKeepFields(cfg.String("keepFields", "none"))}
	def, err := lookupCharset(cfg.String("charset.default", "UTF-8"))
	if err != nil {
		cfg.Errorf("charset.default", "%v", err)
	}
	perPort := map[int]charset{}
	sub := cfg.Sub("charset.port.")
	for _, k := range sub.Keys() {
		n, err := flume.ParseJavaInt(k, 32)
		if err != nil {
			sub.Errorf(k, "not a port number")
			continue
		}
		cs, err := lookupCharset(sub.String(k, ""))
		if err != nil {
			sub.Errorf(k, "%v", err)
			continue
		}
		perPort[int(n)] = cs
	}
	srv.tls = tlsconf.Server(cfg, tlsconf.ServerKeys, tlsconf.SystemGlobal())
	srv.limits = netserver.ParseLimits(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	s := &MultiportSource{}
	srv.acc = source.NewAcceptor(srv.log, out, &s.counter)
	srv.build = func(m Message, port int, hb *flume.HeaderBuffer) ([]byte, bool, bool) {
		cs, ok := perPort[port]
		if !ok {
			cs = def
		}
		body, invalid, ok := p.build(m.Raw, cs, m.Incomplete, hb)
		return body, ok, invalid
	}
	for _, port := range ports {
		s.endpoints = append(s.endpoints, source.NewEndpoint(srv.name, set, net.JoinHostPort(host, strconv.Itoa(port)),
			nil, srv.newServer,
			append([]any{"ssl", srv.tls != nil, "eventSize", srv.eventSize, "batchSize", srv.batch}, srv.limits.LogAttrs()...)...))
	}
	set.Publish(&s.counter)
	return s, nil
}

// Start listens on every port. When one cannot be bound, the ports already
// bound are released and the error returned: the agent retries the source
// (Flume logs the failure and serves the other ports without it).
func (s *MultiportSource) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return nil
	}
	s.counter.Started()
	for i, e := range s.endpoints {
		if err := e.Start(ctx); err != nil {
			for _, started := range s.endpoints[:i] {
				_ = started.Stop(ctx)
			}
			s.counter.Stopped()
			return err
		}
	}
	s.running = true
	return nil
}

// Stop stops every port, letting batches in progress commit within ctx.
func (s *MultiportSource) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, e := range s.endpoints {
		errs = append(errs, e.Stop(ctx))
	}
	if err := errors.Join(errs...); err != nil {
		return err // running stays set: a second Stop waits again
	}
	if s.running {
		s.counter.Stopped()
		s.running = false
	}
	return nil
}

// Addrs returns the addresses the source listens on, in the order of
// ports (nil entries when stopped).
func (s *MultiportSource) Addrs() []net.Addr {
	out := make([]net.Addr, len(s.endpoints))
	for i, e := range s.endpoints {
		out[i] = e.Addr()
	}
	return out
}

// Addr returns the first listening address (nil when stopped).
func (s *MultiportSource) Addr() net.Addr {
	if len(s.endpoints) == 0 {
		return nil
	}
	return s.endpoints[0].Addr()
}

func (s *MultiportSource) String() string {
	return fmt.Sprintf("multiport_syslogtcp on %d port(s)", len(s.endpoints))
}
