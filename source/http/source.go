package http

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	nethttp "net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/source"
	"github.com/flumego/flume/source/http/handler"
)

// Register adds the HTTP source and its built-in handlers to r.
func Register(r *flume.Registry) error {
	return errors.Join(
		r.RegisterSource("http", Factory, "org.apache.flume.source.http.HTTPSource"),
		handler.Register(r),
	)
}

// Factory builds an HTTP source from its properties (see the package
// documentation).
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c, err := ParseConfig(set, cfg)
	if err != nil {
		return nil, err
	}
	s := New(set, c, out)
	set.Publish(&s.counter)
	return s, nil
}

// Source is the HTTP source: an HTTP server whose requests a handler turns
// into events, committed through the accept step network sources share
// (source.Acceptor), with the lifecycle of a source.Endpoint.
type Source struct {
	*source.Endpoint
	cfg     Config
	log     *slog.Logger
	acc     *source.Acceptor
	counter source.ServerCounter
	slots   chan struct{} // QueuedThreadPool.maxThreads
	bad     ratelog.Limiter
}

var _ flume.Source = (*Source)(nil)

// New returns a stopped source that hands its events to out.
func New(set flume.Settings, cfg Config, out flume.ChannelProcessor) *Source {
	s := &Source{cfg: cfg, log: set.Log(), slots: make(chan struct{}, cfg.MaxThreads)}
	s.acc = source.NewAcceptor(s.log, out, &s.counter)
	s.Endpoint = source.NewEndpoint("http source", set, cfg.Addr, &s.counter, s.newServer,
		append([]any{"handler", cfg.HandlerType, "ssl", cfg.TLS != nil, "max_request_size", cfg.MaxRequestSize},
			cfg.Limits.LogAttrs()...)...)
	return s
}

// Counters returns the source's counters.
func (s *Source) Counters() *source.ServerCounter { return &s.counter }

// Answers of the source, with Flume's messages.
const (
	msgBadRequest   = "Bad request from client. "
	msgHandler      = "Deserializer threw unexpected exception. "
	msgChannelFull  = "Error appending event to channel. Channel might be full."
	msgChannelError = "Unexpected error while appending event to channel. "
)

// ServeHTTP answers one request as Flume's HTTP source does: GET, HEAD and
// POST are handled alike (200 once the events are committed; 400 for a
// request the handler cannot read; 413 for a body over max-request-size;
// 503 when a channel refuses the events; 500 for any other failure);
// TRACE and OPTIONS are forbidden (403); PUT and DELETE not allowed
// (405); any other method not implemented (501).
func (srv *server) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	s := srv.s
	h := w.Header()
	if s.cfg.ServerHeader {
		h.Set("Server", "flumego")
	}
	if s.cfg.XPoweredBy {
		h.Set("X-Powered-By", "flumego")
	}
	if !s.cfg.DateHeader {
		h["Date"] = nil
	}
	switch r.Method {
	case nethttp.MethodGet, nethttp.MethodHead, nethttp.MethodPost:
	case nethttp.MethodTrace, nethttp.MethodOptions:
		srv.answer(w, r, nethttp.StatusForbidden, "")
		return
	case nethttp.MethodPut, nethttp.MethodDelete:
		h.Set("Allow", "GET, HEAD, POST")
		srv.answer(w, r, nethttp.StatusMethodNotAllowed, "HTTP method "+r.Method+" is not supported by this URL")
		return
	default:
		srv.answer(w, r, nethttp.StatusNotImplemented, "Method "+r.Method+" is not implemented by this servlet")
		return
	}
	if !srv.enter() {
		srv.answer(w, r, nethttp.StatusServiceUnavailable, "the source is stopping")
		return
	}
	defer srv.leave()
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-r.Context().Done():
		return
	case <-srv.ctx.Done():
		srv.answer(w, r, nethttp.StatusServiceUnavailable, "the source is stopping")
		return
	}
	if !s.cfg.SelfBounded && r.ContentLength > s.cfg.MaxRequestSize {
		srv.badRequest(w, r, nethttp.StatusRequestEntityTooLarge, fmt.Errorf("the body of %d bytes exceeds %s (%d bytes)",
			r.ContentLength, PropMaxRequestSize, s.cfg.MaxRequestSize))
		return
	}
	r.Body = nethttp.MaxBytesReader(w, r.Body, s.cfg.MaxRequestSize)
	events, err := srv.events(r)
	if err != nil {
		var tooBig *nethttp.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			srv.badRequest(w, r, nethttp.StatusRequestEntityTooLarge, fmt.Errorf("the body exceeds %s (%d bytes)", PropMaxRequestSize, tooBig.Limit))
		case errors.Is(err, flume.ErrBadRequest):
			srv.badRequest(w, r, nethttp.StatusBadRequest, err)
		default:
			srv.badRequest(w, r, nethttp.StatusInternalServerError, err)
		}
		return
	}
	rc := nethttp.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // read: the commit may take longer than request-read-timeout
	if max := s.acc.MaxBatch(); max > 0 && len(events) > max {
		s.acc.TooMany(len(events))
		srv.answer(w, r, nethttp.StatusServiceUnavailable, fmt.Sprintf("%s The request's %d events exceed the %d a channel takes in one transaction (transactionCapacity).",
			msgChannelFull, len(events), max))
		return
	}
	switch out, err := s.acc.Accept(srv.ctx, source.AppendBatch, events); out {
	case source.OK:
		srv.answer(w, r, nethttp.StatusOK, "")
	case source.Failed:
		srv.answer(w, r, nethttp.StatusServiceUnavailable, msgChannelFull)
	default:
		srv.answer(w, r, nethttp.StatusInternalServerError, msgChannelError+oneLine(err))
	}
}

// events runs the handler; a panic in it (a plugin's bug) is an error.
func (srv *server) events(r *nethttp.Request) (events []flume.Event, err error) {
	defer func() {
		if p := recover(); p != nil {
			srv.s.log.Error("http source handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("the handler panicked: %v", p)
		}
	}()
	if srv.s.cfg.Handler == nil {
		return nil, errors.New("no handler")
	}
	return srv.s.cfg.Handler.Events(r)
}

// badRequest answers a request the handler could not turn into events,
// counts it (EventReadFail) and logs it, rate limited.
func (srv *server) badRequest(w nethttp.ResponseWriter, r *nethttp.Request, status int, err error) {
	s := srv.s
	s.acc.BadRequest(err)
	s.bad.Warn(s.log, "http source: bad request", "remote", r.RemoteAddr, "status", status, "error", err)
	msg := oneLine(err)
	switch status {
	case nethttp.StatusBadRequest:
		msg = msgBadRequest + strings.TrimPrefix(msg, flume.ErrBadRequest.Error()+": ")
	case nethttp.StatusInternalServerError:
		msg = msgHandler + msg
	}
	srv.answer(w, r, status, msg)
}

// answer writes the response, within request-read-timeout for a peer that
// does not take it.
func (srv *server) answer(w nethttp.ResponseWriter, r *nethttp.Request, status int, msg string) {
	if t := srv.s.cfg.Limits.RequestTimeout; t > 0 {
		_ = nethttp.NewResponseController(w).SetWriteDeadline(time.Now().Add(t))
	}
	if status != nethttp.StatusOK {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(msg)+1))
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg + "\n"))
		return
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(status)
}

func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// server is one run of the source's HTTP server, from Start to Stop.
type server struct {
	s      *Source
	http   *nethttp.Server
	ctx    context.Context // ends when Stop gives up waiting: commits in progress abort
	cancel context.CancelFunc
	ln     net.Listener
	served chan struct{} // closed when Serve returned

	mu     sync.Mutex
	active int
	idle   *sync.Cond
	closed bool
}

var _ source.Server = (*server)(nil)

func (s *Source) newServer() source.Server {
	ctx, cancel := context.WithCancel(context.Background())
	srv := &server{s: s, ctx: ctx, cancel: cancel, served: make(chan struct{})}
	srv.idle = sync.NewCond(&srv.mu)
	timeout := s.cfg.Limits.RequestTimeout
	if timeout < 0 {
		timeout = 0
	}
	srv.http = &nethttp.Server{
		Handler:                      srv,
		ReadHeaderTimeout:            timeout,
		ReadTimeout:                  timeout,
		IdleTimeout:                  s.cfg.IdleTimeout,
		MaxHeaderBytes:               s.cfg.MaxHeaderBytes,
		DisableGeneralOptionsHandler: true,
		TLSNextProto:                 map[string]func(*nethttp.Server, *tls.Conn, nethttp.Handler){}, // HTTP/1.1, as Flume's Jetty
		ErrorLog:                     slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:                  func(net.Listener) context.Context { return ctx },
	}
	return srv
}

// Start serves ln on a goroutine of its own.
func (srv *server) Start(ln net.Listener) {
	cfg := srv.s.cfg
	ln = newLimitListener(ln, cfg.Limits.MaxConnections, srv.s.acc.Hooks(), srv.s.log)
	srv.ln = ln
	if cfg.TLS != nil {
		tc := cfg.TLS.Clone()
		tc.NextProtos = []string{"http/1.1"}
		ln = tls.NewListener(ln, tc)
	}
	go func() {
		defer close(srv.served)
		if err := srv.http.Serve(ln); !errors.Is(err, nethttp.ErrServerClosed) {
			srv.s.log.Error("http source stopped serving", "error", err)
		}
	}()
}

// Addr returns the listening address.
func (srv *server) Addr() net.Addr { return srv.ln.Addr() }

// Shutdown stops accepting, closes idle connections and lets requests in
// progress commit and answer within ctx; then it aborts them (their
// clients get no answer and resend). It returns once nothing of the server
// runs.
func (srv *server) Shutdown(ctx context.Context) error {
	err := srv.http.Shutdown(ctx)
	if err != nil {
		srv.cancel()
		_ = srv.http.Close()
	}
	srv.mu.Lock()
	srv.closed = true
	for srv.active > 0 {
		srv.idle.Wait()
	}
	srv.mu.Unlock()
	srv.cancel()
	<-srv.served
	return err
}

// enter counts a request in progress; false once the server is closed.
func (srv *server) enter() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.active++
	return true
}

func (srv *server) leave() {
	srv.mu.Lock()
	srv.active--
	if srv.active == 0 {
		srv.idle.Broadcast()
	}
	srv.mu.Unlock()
}
