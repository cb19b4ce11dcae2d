package sinkrunner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/ratelog"
)

// Runner calls a sink's (or a sink group processor's) Process in a loop on
// its own goroutine, as Flume's SinkRunner does:
//
//   - Ready: call again at once;
//   - Backoff: sleep BackoffStep more after each consecutive Backoff, up to
//     MaxBackoff (1 s, 2 s, ... 5 s with Flume's defaults);
//   - an error (or a panic, which is contained and logged with its stack):
//     log it and sleep ErrorBackoff (5 s).
//
// The sleeps end early when the runner is stopped or asked to drain.
type Runner struct {
	// BackoffStep, MaxBackoff and ErrorBackoff default to Flume's 1 s, 5 s
	// and 5 s; tests shorten them. Set them before Start.
	BackoffStep  time.Duration
	MaxBackoff   time.Duration
	ErrorBackoff time.Duration

	name string
	sink flume.Sink
	log  *slog.Logger
	// failing keeps a sink that fails every ErrorBackoff to one error line
	// per 10 s and logs when it delivers again; panics keeps the stacks of
	// a sink that panics on every call to one per 10 s.
	failing ratelog.Streak
	panics  ratelog.Limiter

	mu       sync.Mutex
	cancel   context.CancelFunc
	done     chan struct{} // closed when the loop ends; nil while idle
	stopping bool          // Stop was called and has not completed yet
	drained  chan struct{} // closed by the loop when draining found nothing left
	drain    chan struct{} // closed to ask the loop to stop at the first empty Backoff
}

// New returns a runner for s. name (the sink's or the sink group's) is
// added to every log line as "runner"; log may be nil.
func New(name string, s flume.Sink, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{
		BackoffStep: time.Second, MaxBackoff: 5 * time.Second, ErrorBackoff: 5 * time.Second,
		name: name, sink: s, log: log.With("runner", name),
	}
}

// Sink returns the sink (or processor) the runner drives.
func (r *Runner) Sink() flume.Sink { return r.sink }

// Start starts the sink and the loop. It fails while an earlier Stop has
// not completed (the sink's Process has not returned yet).
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping {
		return fmt.Errorf("start sink runner %q: still stopping (the sink's Process has not returned yet)", r.name)
	}
	if r.done != nil {
		return nil
	}
	if err := r.sink.Start(ctx); err != nil {
		return fmt.Errorf("start sink runner %q: %w", r.name, err)
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.done = make(chan struct{})
	r.drain = make(chan struct{})
	r.drained = make(chan struct{})
	go r.loop(loopCtx, r.done, r.drain, r.drained)
	return nil
}

// Drain asks the loop to keep going until the sink reports Backoff without
// an error (its channel is empty), then stops the loop. It returns when the
// sink drained or when ctx ends, whichever comes first; the caller then
// calls Stop. Draining a runner that is not running returns at once.
func (r *Runner) Drain(ctx context.Context) error {
	r.mu.Lock()
	drain, drained := r.drain, r.drained
	if r.stopping {
		drained = nil
	}
	if drain != nil && drained != nil {
		select {
		case <-drain:
		default:
			close(drain)
		}
	}
	r.mu.Unlock()
	if drained == nil {
		return nil
	}
	select {
	case <-drained:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sink runner %q: drain: %w", r.name, ctx.Err())
	}
}

// Stop ends the loop, interrupting a Process call through its context, and
// stops the sink. It is idempotent and safe without Start.
//
// When ctx ends before the loop does (the sink's Process ignores its
// context), Stop still stops the sink, with the ended ctx, so the sink
// aborts what it is doing: the sink's Stop then runs while its Process is
// in progress. Stop returns an error wrapping ctx.Err(), and a later Stop
// waits for the loop again; Start fails until a Stop has completed.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	if done == nil {
		r.mu.Unlock()
		return nil
	}
	r.stopping = true
	r.mu.Unlock()
	cancel()
	var loopErr error
	select {
	case <-done:
	case <-ctx.Done():
		loopErr = fmt.Errorf("sink runner %q: stop: the sink's Process has not returned: %w", r.name, ctx.Err())
	}
	// Stop the sink either way: while Process is still running, this is
	// what tells the sink to abort it.
	sinkErr := r.sink.Stop(ctx)
	if loopErr == nil && (sinkErr == nil || ctx.Err() == nil) {
		// The loop has ended and the sink's Stop has completed (with its
		// own error, if any): the runner can be started again.
		r.mu.Lock()
		r.cancel, r.done, r.drain, r.drained, r.stopping = nil, nil, nil, nil, false
		r.mu.Unlock()
	}
	return errors.Join(loopErr, sinkErr)
}

func (r *Runner) loop(ctx context.Context, done, drain, drained chan struct{}) {
	defer close(done)
	consecutive := 0
	draining := false
	for ctx.Err() == nil {
		if !draining {
			select {
			case <-drain:
				draining = true
			default:
			}
		}
		status, err := r.process(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			r.failing.OK(r.log, "the sink delivers again")
		}
		var wait time.Duration
		switch {
		case err != nil:
			r.failing.FailAt(r.log, slog.LevelError, "unable to deliver events; backing off", "backoff", r.ErrorBackoff, "error", err)
			wait = r.ErrorBackoff
		case status == flume.Backoff:
			if draining {
				close(drained)
				return
			}
			consecutive++
			wait = min(time.Duration(consecutive)*r.BackoffStep, r.MaxBackoff)
		default:
			consecutive = 0
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-drainSignal(drain, draining):
			// Draining starts now; retry at once instead of sleeping.
		}
		t.Stop()
	}
}

// drainSignal returns drain while the loop is not draining yet, so a sleep
// is cut short when a drain is requested; nil (never ready) afterwards.
func drainSignal(drain chan struct{}, draining bool) chan struct{} {
	if draining {
		return nil
	}
	return drain
}

// process calls Process and turns a panic into an error, so a faulty
// (plugin) sink cannot take the agent down. A sink built on sink.Step has
// rolled its transaction back by the time the panic reaches here.
func (r *Runner) process(ctx context.Context) (status flume.Status, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panics.Log(r.log, slog.LevelError, "sink panicked; its transaction was rolled back", "panic", p, "stack", string(debug.Stack()))
			status, err = flume.Backoff, fmt.Errorf("sink panicked: %v", p)
		}
	}()
	return r.sink.Process(ctx)
}
