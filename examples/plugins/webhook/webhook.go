package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/sink"
)

// Type is the class-style name the plugin registers.
const Type = "com.example.flume.WebhookSink"

func init() {
	// The error is reported by the agent when it loads the plugin.
	_ = Register(flume.DefaultRegistry())
}

// Register adds the webhook sink to r.
func Register(r *flume.Registry) error {
	return r.RegisterSink(Type, Factory, "webhook")
}

// Sink posts events to an HTTP endpoint.
type Sink struct {
	endpoint   string
	batchSize  int
	maxRetries int
	backoff    time.Duration
	headers    map[string]string
	client     *http.Client
	ch         flume.Channel
	log        *slog.Logger
	counter    flume.SinkCounter
}

var _ flume.Batcher = (*Sink)(nil)

// Factory builds a webhook sink from its properties.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	s := &Sink{
		endpoint:   cfg.Required("endpoint"),
		batchSize:  cfg.Positive("batchSize", 100),
		maxRetries: cfg.IntAtLeast("maxRetries", 3, 0),
		backoff:    cfg.Millis("retryBackoff", 500*time.Millisecond),
		headers:    cfg.Sub("header.").Map(),
		client:     &http.Client{Timeout: cfg.Millis("requestTimeout", 10*time.Second)},
		ch:         in,
		log:        set.Log(),
	}
	cfg.MarkPrefixUsed("header.")
	if u, err := url.Parse(s.endpoint); s.endpoint != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		cfg.Errorf("endpoint", "expected an http:// or https:// URL")
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	set.Publish(&s.counter)
	return s, nil
}

// BatchSize returns the configured batchSize.
func (s *Sink) BatchSize() (int, string) { return s.batchSize, "batchSize" }

// Start records the start time.
func (s *Sink) Start(context.Context) error { s.counter.Started(); return nil }

// Stop releases idle connections.
func (s *Sink) Stop(context.Context) error {
	s.client.CloseIdleConnections()
	s.counter.Stopped()
	return nil
}

// Process sends one batch.
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: s.batchSize}, &s.counter, s.post)
	return res.Status, err
}

type jsonEvent struct {
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func (s *Sink) post(ctx context.Context, events []flume.Event) error {
	batch := make([]jsonEvent, len(events))
	for i, e := range events {
		batch[i] = jsonEvent{Headers: maps.Collect(e.AllHeaders()), Body: string(e.Body)}
	}
	payload, err := json.Marshal(batch)
	if err != nil {
		return err
	}
	wait := s.backoff
	for attempt := 0; ; attempt++ {
		err = s.send(ctx, payload)
		if err == nil || attempt >= s.maxRetries || ctx.Err() != nil {
			return err
		}
		s.log.Warn("webhook request failed; retrying", "attempt", attempt+1, "retry", wait, "error", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (s *Sink) send(ctx context.Context, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.counter.ConnectionFailedCount.Add(1)
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s answered %s: %s", s.endpoint, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}
