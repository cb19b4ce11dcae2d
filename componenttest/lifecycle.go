package componenttest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/flumego/flume"
	"go.uber.org/goleak"
)

// Bounds of the checks. A Stop of a component that is not busy must end
// within StopTimeout; a Stop whose context has already ended must return
// within PromptStop.
const (
	StopTimeout = 10 * time.Second
	PromptStop  = time.Second
)

// leakWait is how long goroutines may take to end after a Stop that
// returned nil (a peer noticing a closed connection).
var leakWait = 3 * time.Second

// Subject is the component type under test.
type Subject struct {
	// Build returns a new component that has not been started; each
	// check builds its own. Whatever it needs besides (a channel, a peer)
	// must exist before Build is called or be created by it without
	// starting goroutines; resources are released with t.Cleanup.
	Build func(t testing.TB) flume.Lifecycle
	// Exercise, when set, is called after every Start that succeeded, to
	// make the component do its work: a sink delivers events, a source
	// receives some, a channel commits a transaction.
	Exercise func(t testing.TB, c flume.Lifecycle)
}

type check struct {
	name string
	fn   func(t testing.TB, s Subject)
}

var checks = []check{
	{"StopWithoutStart", checkStopWithoutStart},
	{"StartStopStop", checkStartStopStop},
	{"StartStopStartStop", checkRestart},
	{"StopWithEndedContext", checkStopWithEndedContext},
}

// Lifecycle runs every lifecycle check on s, each as a subtest.
func Lifecycle(t *testing.T, s Subject) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.fn(t, s) })
	}
}

func checkStopWithoutStart(t testing.TB, s Subject) {
	before := goleak.IgnoreCurrent()
	c := s.Build(t)
	mustStop(t, c, "Stop without Start")
	mustStop(t, c, "a second Stop without Start")
	noLeaks(t, before, "Stop without Start")
}

func checkStartStopStop(t testing.TB, s Subject) {
	before := goleak.IgnoreCurrent()
	c := s.Build(t)
	mustStart(t, s, c, "Start")
	mustStop(t, c, "Stop")
	mustStop(t, c, "a second Stop")
	noLeaks(t, before, "Stop")
}

func checkRestart(t testing.TB, s Subject) {
	before := goleak.IgnoreCurrent()
	c := s.Build(t)
	mustStart(t, s, c, "Start")
	mustStop(t, c, "Stop")
	mustStart(t, s, c, "Start after Stop")
	mustStop(t, c, "Stop after a restart")
	noLeaks(t, before, "Stop after a restart")
}

func checkStopWithEndedContext(t testing.TB, s Subject) {
	before := goleak.IgnoreCurrent()
	c := s.Build(t)
	mustStart(t, s, c, "Start")
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	err := call(t, "Stop with an ended context", PromptStop, func() error { return c.Stop(ended) })
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Stop with an ended context returned %v; want nil or an error wrapping context.Canceled", err)
	}
	mustStop(t, c, "Stop after a Stop with an ended context")
	noLeaks(t, before, "Stop after a Stop with an ended context")
	mustStart(t, s, c, "Start after a Stop with an ended context")
	mustStop(t, c, "the last Stop")
	noLeaks(t, before, "the last Stop")
}

func mustStart(t testing.TB, s Subject, c flume.Lifecycle, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
	defer cancel()
	if err := call(t, what, StopTimeout, func() error { return c.Start(ctx) }); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if s.Exercise != nil {
		s.Exercise(t, c)
	}
}

func mustStop(t testing.TB, c flume.Lifecycle, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
	defer cancel()
	if err := call(t, what, StopTimeout+time.Second, func() error { return c.Stop(ctx) }); err != nil {
		t.Fatalf("%s returned %v; want nil once nothing of the component runs", what, err)
	}
}

// call runs f on its own goroutine and fails the test when it does not
// return within d; a panic is returned as an error.
func call(t testing.TB, what string, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v", p)
			}
		}()
		done <- f()
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		t.Fatalf("%s did not return within %s", what, d)
		return nil
	}
}

// noLeaks fails the test when a goroutine that before did not ignore is
// still running leakWait after the call.
func noLeaks(t testing.TB, before goleak.Option, after string) {
	t.Helper()
	deadline := time.Now().Add(leakWait)
	for {
		err := goleak.Find(before) // retries for about half a second
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("goroutines still run after %s returned nil: %v", after, err)
			return
		}
	}
}
