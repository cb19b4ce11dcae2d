package embedded

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// source is the embedded agent's source (Flume's EmbeddedSource): the
// application, calling Put. It owns no goroutine: each Put runs on its
// caller's. Stop refuses new puts, aborts the puts in progress (they
// return ErrClosed and commit nothing more) and waits for them to return.
type source struct {
	name  string
	agent string
	out   flume.ChannelProcessor
	// intercepts is set when the source has interceptors: they modify
	// events in place, so each attempt gets fresh copies.
	intercepts bool
	counter    flume.SourceCounter

	mu      sync.Mutex
	running bool
	runCtx  context.Context // ends when the source stops
	abort   context.CancelFunc
	active  int           // puts in progress
	idle    chan struct{} // closed when active drops to 0 while a Stop waits
}

func (s *source) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return nil
	}
	s.runCtx, s.abort = context.WithCancel(context.Background())
	s.running = true
	s.counter.Started()
	return nil
}

func (s *source) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.running = false
		s.abort()
		s.counter.Stopped()
	}
	if s.active == 0 {
		s.mu.Unlock()
		return nil
	}
	if s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("embedded source %q: puts in progress did not return: %w", s.name, ctx.Err())
	}
}

// begin registers a put, returning the context that ends when the source
// stops, or ErrClosed when it is not running.
func (s *source) begin() (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return nil, fmt.Errorf("embedded agent %q: %w", s.agent, ErrClosed)
	}
	s.active++
	return s.runCtx, nil
}

func (s *source) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	if s.active == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
}

// Retry pacing of a put the channel refused: a refusal that came back
// sooner than the current backoff (a channel whose keep-alive is 0, a
// full disk) waits for the rest of it; one that waited for room in the
// channel is retried at once.
const (
	minRetry = time.Millisecond
	maxRetry = time.Second
)

// put commits events in one transaction through the channel processor,
// retrying while the channel refuses them (full, out of disk space, not
// started yet) until ctx ends or the source stops.
func (s *source) put(ctx context.Context, events []flume.Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded agent %q: %d events not put: %w", s.agent, len(events), err)
	}
	runCtx, err := s.begin()
	if err != nil {
		return err
	}
	defer s.end()
	s.counter.AppendBatchReceivedCount.Add(1)
	s.counter.EventReceivedCount.Add(int64(len(events)))
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopWatch := context.AfterFunc(runCtx, cancel)
	defer stopWatch()

	var refusal error // the last refusal of the channel
	backoff := minRetry
	for {
		batch := events
		if s.intercepts {
			batch = make([]flume.Event, len(events))
			for i, e := range events {
				batch[i] = e.Clone()
			}
		}
		began := time.Now()
		err := s.out.Process(pctx, batch)
		if err == nil {
			s.counter.AppendBatchAcceptedCount.Add(1)
			s.counter.EventAcceptedCount.Add(int64(len(events)))
			return nil
		}
		switch {
		case runCtx.Err() != nil:
			return fmt.Errorf("embedded agent %q: stopped before %d events were committed: %w", s.agent, len(events), ErrClosed)
		case errors.Is(err, flume.ErrTxFull):
			s.counter.ChannelWriteFail.Add(1)
			return fmt.Errorf("embedded agent %q: %w", s.agent, err)
		case flume.IsChannelError(err):
			s.counter.ChannelWriteFail.Add(1)
			refusal = err
		case ctx.Err() != nil:
			// The channel was waiting (for room, or for its commit) when
			// ctx ended.
		default: // an interceptor failed or panicked: retrying would not help
			s.counter.GenericProcessingFail.Add(1)
			return fmt.Errorf("embedded agent %q: %w", s.agent, err)
		}
		if ctx.Err() != nil {
			return s.notCommitted(len(events), refusal, ctx.Err())
		}
		elapsed := time.Since(began)
		if elapsed >= backoff { // the channel waited for room itself
			backoff = minRetry
			continue
		}
		t := time.NewTimer(backoff - elapsed)
		select {
		case <-t.C:
		case <-pctx.Done():
			t.Stop()
		}
		backoff = min(2*backoff, maxRetry)
	}
}

// notCommitted is the error of a put whose ctx ended before the channel
// took the events: it matches the channel's last refusal, or
// flume.ErrChannelFull when the channel was still waiting for room (a
// memory channel's commit, a file channel's put), and ctx's error.
func (s *source) notCommitted(n int, refusal, ctxErr error) error {
	if refusal == nil {
		return fmt.Errorf("embedded agent %q: %d events not committed: the channel took no events before the context ended: %w; %w",
			s.agent, n, flume.ErrChannelFull, ctxErr)
	}
	return fmt.Errorf("embedded agent %q: %d events not committed before the context ended: %w; %w", s.agent, n, refusal, ctxErr)
}
