package http

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"strconv"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/sink"
)

// Register adds the HTTP sink to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterSink("http", Factory, "org.apache.flume.sink.http.HttpSink")
}

// Factory builds an HTTP sink from its properties.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c, err := ParseConfig(cfg)
	if err != nil {
		return nil, err
	}
	s := New(set, c, in)
	set.Publish(&s.counter)
	return s, nil
}

// Sink is the HTTP sink: it POSTs each event's body to the endpoint and
// decides from the answer's status whether to commit or roll back and
// whether to back off.
type Sink struct {
	cfg     Config
	in      flume.Channel
	log     *slog.Logger
	client  *nethttp.Client
	counter flume.SinkCounter
	// rolledBack keeps the warnings about rolled-back answers to one per
	// 10 s while they last; failed those about failed requests.
	rolledBack, failed ratelog.Streak
	empty              ratelog.Limiter

	mu      sync.Mutex
	started bool
}

var _ flume.Sink = (*Sink)(nil)

// New returns a stopped sink that drains in.
func New(set flume.Settings, cfg Config, in flume.Channel) *Sink {
	dialer := &net.Dialer{Timeout: cfg.ConnectTimeout}
	transport := &nethttp.Transport{
		Proxy:                 nethttp.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       cfg.TLS,
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		ResponseHeaderTimeout: cfg.RequestTimeout,
		MaxIdleConns:          2,
		MaxIdleConnsPerHost:   2,
	}
	return &Sink{cfg: cfg, in: in, log: set.Log(), client: &nethttp.Client{Transport: transport}}
}

// Counters returns the sink's counters.
func (s *Sink) Counters() *flume.SinkCounter { return &s.counter }

// Start starts the counters; the endpoint is connected to by the first
// event.
func (s *Sink) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.counter.Started()
	}
	return nil
}

// Stop closes the idle connections. It is idempotent.
func (s *Sink) Stop(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.client.CloseIdleConnections()
	if s.started {
		s.started = false
		s.counter.Stopped()
	}
	return nil
}

// rollback is the delivery error of an answer whose status the sink rolls
// back for.
type rollback struct {
	code    int
	backoff bool
}

func (r *rollback) Error() string { return "the endpoint answered " + strconv.Itoa(r.code) }

// Process takes one event, POSTs its body and commits or rolls back as the
// answer's status says (see the package documentation).
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	backoff, empty := false, false
	res, err := sink.Step(ctx, s.in, sink.Options{BatchSize: 1}, nil, func(ctx context.Context, events []flume.Event) error {
		body := events[0].Body
		if len(body) == 0 {
			empty = true
			s.empty.Warn(s.log, "an event with an empty body is committed without a request, as Flume does")
			return nil
		}
		s.counter.EventDrainAttemptCount.Add(1)
		code, err := s.post(ctx, body)
		if err != nil {
			s.counter.EventWriteFail.Add(1)
			return err
		}
		if code < 100 {
			return &rollback{code: code, backoff: true}
		}
		if s.cfg.IncrementMetrics.For(code) {
			s.counter.EventDrainSuccessCount.Add(1)
		}
		backoff = s.cfg.Backoff.For(code)
		if s.cfg.Rollback.For(code) {
			return &rollback{code: code, backoff: backoff}
		}
		return nil
	})
	var rb *rollback
	switch {
	case errors.As(err, &rb):
		s.rolledBack.Fail(s.log, "the event is rolled back for the endpoint's answer and will be sent again",
			"status", rb.code, "backoff", rb.backoff)
		if rb.backoff {
			return flume.Backoff, nil
		}
		return flume.Ready, nil
	case err != nil:
		if ctx.Err() == nil {
			s.failed.Fail(s.log, "the request failed; the event will be sent again", "endpoint", s.cfg.Endpoint.Redacted(), "error", err)
		}
		return flume.Backoff, fmt.Errorf("http sink: %w", err)
	case res.TakeErr != nil:
		s.counter.ChannelReadFail.Add(1)
		return flume.Backoff, nil
	case res.Taken == 0 || empty:
		return flume.Backoff, nil
	}
	s.rolledBack.OK(s.log, "events are committed again")
	s.failed.OK(s.log, "requests succeed again")
	if backoff {
		return flume.Backoff, nil
	}
	return flume.Ready, nil
}

// maxDrain is how much of an answer's body is read, so that its connection
// can be reused; a longer body closes it.
const maxDrain = 64 << 10

// post sends one body and returns the answer's status code.
func (s *Sink) post(ctx context.Context, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout+s.cfg.RequestTimeout)
	defer cancel()
	req, err := nethttp.NewRequestWithContext(ctx, nethttp.MethodPost, s.cfg.Endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", s.cfg.ContentType)
	req.Header.Set("Accept", s.cfg.Accept)
	req.Header.Set("User-Agent", "flumego")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
