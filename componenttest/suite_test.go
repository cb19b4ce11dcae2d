package componenttest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
)

// recorder is a testing.TB that records failures instead of reporting
// them, so that a test can assert what the suite reports. Everything else
// (Cleanup, TempDir, Helper, logs) goes to the real test.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	failures []string
}

func (r *recorder) record(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, msg)
}

func (r *recorder) Errorf(format string, args ...any) { r.record(fmt.Sprintf(format, args...)) }
func (r *recorder) Error(args ...any)                 { r.record(fmt.Sprint(args...)) }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); runtime.Goexit() }
func (r *recorder) Fail()                             { r.record("Fail") }
func (r *recorder) FailNow()                          { r.record("FailNow"); runtime.Goexit() }
func (r *recorder) Failed() bool                      { r.mu.Lock(); defer r.mu.Unlock(); return len(r.failures) > 0 }

// runCheck runs one check of the suite on s and returns what it reported.
func runCheck(t *testing.T, c check, s Subject) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.fn(r, s)
	}()
	<-done
	return r.failures
}

// faults are the ways a fake breaks the contract.
type faults struct {
	leak          bool          // Stop returns before the goroutine ended
	ignoreCtx     time.Duration // Stop waits this long whatever its ctx
	failStopIdle  bool          // Stop without a running goroutine fails
	noRestart     bool          // Start after Stop fails
	wrongStopErr  bool          // Stop with an ended ctx returns an unrelated error
	stopCancelled bool          // Stop gives up when its ctx has ended
}

// fake is a component with one background goroutine between Start and
// Stop, broken as its faults say. Its goroutines end when the test does,
// whatever its Stop did, so the package's leak check stays meaningful.
type fake struct {
	faults
	release chan struct{} // closed by the test's cleanup
	mu      sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	stopped bool
	wg      *sync.WaitGroup
}

func (f *fake) Start(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noRestart && f.stopped {
		return errors.New("cannot start again")
	}
	if f.done != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	f.cancel, f.done = cancel, done
	f.wg.Go(func() {
		defer close(done)
		<-ctx.Done()
		if f.leak {
			<-f.release // runs on after Stop
		}
	})
	return nil
}

func (f *fake) Stop(ctx context.Context) error {
	f.mu.Lock()
	cancel, done := f.cancel, f.done
	f.cancel, f.done = nil, nil
	f.stopped = true
	f.mu.Unlock()
	if done == nil {
		if f.failStopIdle {
			return errors.New("not running")
		}
		return nil
	}
	if f.wrongStopErr && ctx.Err() != nil {
		cancel()
		<-done
		return errors.New("something unrelated")
	}
	if f.ignoreCtx > 0 {
		select {
		case <-time.After(f.ignoreCtx):
		case <-f.release:
		}
	}
	cancel()
	if f.leak {
		return nil
	}
	if f.stopCancelled && ctx.Err() != nil {
		go func() { <-done }()
		return fmt.Errorf("stop: %w", ctx.Err())
	}
	<-done
	return nil
}

// subject returns a Subject building fakes with faults, whose goroutines
// are released and awaited when the test ends.
func subject(t *testing.T, fs faults) Subject {
	release := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() { close(release); wg.Wait() })
	return Subject{Build: func(testing.TB) flume.Lifecycle {
		return &fake{faults: fs, release: release, wg: &wg}
	}}
}

func checkByName(t *testing.T, name string) check {
	for _, c := range checks {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no check %q", name)
	return check{}
}

// TestSuitePassesAConformingComponent is the control: a component that
// honours the contract passes every check.
func TestSuitePassesAConformingComponent(t *testing.T) {
	for _, c := range checks {
		if got := runCheck(t, c, subject(t, faults{})); len(got) > 0 {
			t.Errorf("%s reported a conforming component: %q", c.name, got)
		}
	}
	// Giving up on an ended ctx is allowed when the next Stop waits.
	c := checkByName(t, "StopWithEndedContext")
	if got := runCheck(t, c, subject(t, faults{stopCancelled: true})); len(got) > 0 {
		t.Errorf("%s reported a component that gives up on an ended context: %q", c.name, got)
	}
}

// TestSuiteCatchesBrokenStops runs the checks on components whose Stop
// breaks the contract and asserts that the suite says so.
func TestSuiteCatchesBrokenStops(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fake  faults
		check string
		want  string
	}{
		{"leaves a goroutine running", faults{leak: true}, "StartStopStop", "goroutines still run after Stop returned nil"},
		{"leaves a goroutine running after a restart", faults{leak: true}, "StartStopStartStop", "goroutines still run"},
		{"ignores an ended context", faults{ignoreCtx: 3 * time.Second}, "StopWithEndedContext", "Stop with an ended context did not return within 1s"},
		{"fails without Start", faults{failStopIdle: true}, "StopWithoutStart", "Stop without Start returned not running"},
		{"fails a second Stop", faults{failStopIdle: true}, "StartStopStop", "a second Stop returned not running"},
		{"cannot start again", faults{noRestart: true}, "StartStopStartStop", "Start after Stop: cannot start again"},
		{"returns an unrelated error on an ended context", faults{wrongStopErr: true}, "StopWithEndedContext",
			"Stop with an ended context returned something unrelated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(d time.Duration) { leakWait = d }(leakWait)
			leakWait = 100 * time.Millisecond
			got := runCheck(t, checkByName(t, tc.check), subject(t, tc.fake))
			if !strings.Contains(strings.Join(got, "\n"), tc.want) {
				t.Fatalf("%s reported %q, want a failure containing %q", tc.check, got, tc.want)
			}
		})
	}
}

// TestRegistryNeedsACasePerType checks that a registered type without a
// case, and a case for a type that is not registered, are reported, and
// that aliases reach their canonical type.
func TestRegistryNeedsACasePerType(t *testing.T) {
	r := flume.NewRegistry()
	sink := func(flume.Settings, *flume.Context, flume.Channel) (flume.Sink, error) { return nil, nil }
	source := func(flume.Settings, *flume.Context, flume.ChannelProcessor) (flume.Source, error) { return nil, nil }
	for _, err := range []error{
		r.RegisterSink("checked", sink, "com.example.CheckedSink"),
		r.RegisterSink("forgotten", sink),
		r.RegisterSource("checked", source),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	runs, problems := plan(r, []Case{
		{Kind: flume.KindSink, Type: "com.example.CheckedSink"},
		{Kind: flume.KindSource, Type: "CHECKED"},
		{Kind: flume.KindChannel, Type: "gone"},
	})
	var ran []string
	for _, c := range runs {
		ran = append(ran, string(c.Kind)+" "+c.Type)
	}
	if fmt.Sprint(ran) != "[sink checked source checked]" {
		t.Errorf("runs %v, want the sink and the source named checked", ran)
	}
	text := strings.Join(problems, "\n")
	for _, want := range []string{
		`sink type "forgotten" is registered but has no conformance case`,
		`conformance case channel "gone": unknown channel type`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems %q lack %q", problems, want)
		}
	}
	if len(problems) != 2 {
		t.Errorf("%d problems, want 2: %q", len(problems), problems)
	}
}
