package componenttest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
)

// ChannelSubject returns the Subject of a channel type: build returns a
// new channel, not started; between Start and Stop the suite commits a put
// and a take.
func ChannelSubject(build func(t testing.TB) flume.Channel) Subject {
	return Subject{
		Build:    func(t testing.TB) flume.Lifecycle { return build(t) },
		Exercise: func(t testing.TB, l flume.Lifecycle) { exerciseChannel(t, l.(flume.Channel)) },
	}
}

// SinkSubject returns the Subject of a sink type (or sink group): build
// returns a new sink, not started, draining in, a started memory channel
// the suite made. Between Start and Stop the suite puts three events on in
// and calls Process until the sink delivered them, so its destination must
// be up.
func SinkSubject(build func(t testing.TB, in flume.Channel) flume.Sink) Subject {
	return Subject{
		Build: func(t testing.TB) flume.Lifecycle {
			ch := newChannel(t)
			return &sinkUnderTest{Sink: build(t, ch), ch: ch}
		},
		Exercise: func(t testing.TB, l flume.Lifecycle) { exerciseSink(t, l.(*sinkUnderTest)) },
	}
}

// SourceSubject returns the Subject of a source type: build returns a new
// source, not started, handing its events to out, which puts them on a
// memory channel the suite made. After each Start the suite calls feed,
// when set, to make the source receive events, and, when produces is set,
// waits for an event on the channel.
func SourceSubject(build func(t testing.TB, out flume.ChannelProcessor) flume.Source,
	feed func(t testing.TB, src flume.Source), produces bool) Subject {
	return Subject{
		Build: func(t testing.TB) flume.Lifecycle {
			ch := newChannel(t)
			return &sourceUnderTest{Source: build(t, flumetest.Processor(ch)), ch: ch}
		},
		Exercise: func(t testing.TB, l flume.Lifecycle) { exerciseSource(t, l.(*sourceUnderTest), feed, produces) },
	}
}

type sinkUnderTest struct {
	flume.Sink
	ch *memory.Channel
}

type sourceUnderTest struct {
	flume.Source
	ch *memory.Channel
}

// newChannel returns a started memory channel for a source or sink under
// test, with room for what the checks put and no keep-alive.
func newChannel(t testing.TB) *memory.Channel { return flumetest.MemoryChannel(t, 1000, 1000, 0) }

func events(n int) []flume.Event {
	out := make([]flume.Event, n)
	for i := range out {
		out[i] = flume.NewEvent(fmt.Appendf(nil, "event %d", i))
		out[i].SetHeader("seq", fmt.Sprint(i))
	}
	return out
}

// exerciseChannel commits a put and a take.
func exerciseChannel(t testing.TB, ch flume.Channel) {
	t.Helper()
	ctx := context.Background()
	if err := flume.Do(ctx, ch, func(tx flume.Transaction) error { return tx.Put(ctx, events(1)...) }); err != nil {
		t.Fatalf("put on the started channel: %v", err)
	}
	var got []flume.Event
	if err := flume.Do(ctx, ch, func(tx flume.Transaction) (err error) {
		got, err = tx.Take(ctx, 1)
		return err
	}); err != nil || len(got) != 1 {
		t.Fatalf("take from the started channel: %d events, %v", len(got), err)
	}
}

// exerciseSink puts three events on the sink's channel and calls Process
// until it delivered them.
func exerciseSink(t testing.TB, s *sinkUnderTest) {
	t.Helper()
	ctx := context.Background()
	if err := flume.Do(ctx, s.ch, func(tx flume.Transaction) error { return tx.Put(ctx, events(3)...) }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(StopTimeout)
	var lastErr error
	for s.ch.Len() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the started sink did not deliver 3 events within %s (is its destination up?); last error: %v", StopTimeout, lastErr)
		}
		pctx, cancel := context.WithTimeout(ctx, StopTimeout)
		_, err := s.Process(pctx)
		cancel()
		if err != nil {
			lastErr = err
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// exerciseSource feeds the source and waits for its first event.
func exerciseSource(t testing.TB, s *sourceUnderTest, feed func(testing.TB, flume.Source), produces bool) {
	t.Helper()
	before := s.ch.Len()
	if feed != nil {
		feed(t, s.Source)
	}
	if !produces {
		return
	}
	deadline := time.Now().Add(StopTimeout)
	for s.ch.Len() <= before && s.ch.Len() < s.ch.Capacity() {
		if time.Now().After(deadline) {
			t.Fatalf("the started source put no event on its channel within %s", StopTimeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
