package source_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/source"
)

type explodingInterceptor struct{}

func (explodingInterceptor) Intercept([]flume.Event) ([]flume.Event, error) {
	return nil, errors.New("interceptor exploded")
}

// counters lists the counters Accept keeps, in a fixed order.
func counters(c *source.ServerCounter) string {
	return fmt.Sprint(c.AppendReceivedCount.Load(), c.AppendAcceptedCount.Load(), c.AppendBatchReceivedCount.Load(),
		c.AppendBatchAcceptedCount.Load(), c.EventReceivedCount.Load(), c.EventAcceptedCount.Load(),
		c.ChannelWriteFail.Load(), c.GenericProcessingFail.Load(), c.EventReadFail.Load(), c.ConnectionRefusedCount.Load())
}

// TestAcceptCounts: one counter mapping for every outcome, whatever the
// source (see Acceptor).
func TestAcceptCounts(t *testing.T) {
	ctx := context.Background()
	ch := flumetest.MemoryChannel(t, 10, 5, 10*time.Millisecond)
	var c source.ServerCounter
	a := source.NewAcceptor(slog.New(slog.DiscardHandler), flumetest.Processor(ch), &c)
	steps := []struct {
		name string
		do   func() (source.Outcome, error)
		want source.Outcome
		// AppendReceived AppendAccepted BatchReceived BatchAccepted
		// EventReceived EventAccepted ChannelWriteFail GenericProcessingFail
		// EventReadFail ConnectionRefused
		counters string
	}{
		{"append", func() (source.Outcome, error) { return a.Accept(ctx, source.Append, channeltest.Events(0, 1)) }, source.OK, "1 1 0 0 1 1 0 0 0 0"},
		{"batch", func() (source.Outcome, error) { return a.Accept(ctx, source.AppendBatch, channeltest.Events(1, 5)) }, source.OK, "1 1 1 1 5 5 0 0 0 0"},
		{"empty batch", func() (source.Outcome, error) { return a.Accept(ctx, source.AppendBatch, nil) }, source.OK, "1 1 2 2 5 5 0 0 0 0"},
		{"stream events", func() (source.Outcome, error) { return a.Accept(ctx, source.Events, channeltest.Events(5, 7)) }, source.OK, "1 1 2 2 7 7 0 0 0 0"},
		{"refused by a full channel", func() (source.Outcome, error) { return a.Accept(ctx, source.AppendBatch, channeltest.Events(7, 11)) }, source.Failed, "1 1 3 2 11 7 1 0 0 0"},
		{"too many, unread", func() (source.Outcome, error) { a.TooMany(40); return source.Failed, nil }, source.Failed, "1 1 4 2 51 7 2 0 0 0"},
		{"bad request", func() (source.Outcome, error) { a.BadRequest(errors.New("garbage")); return source.OK, nil }, source.OK, "1 1 4 2 51 7 2 0 1 0"},
		{"connection refused", func() (source.Outcome, error) { a.Hooks().OnConnRefused(nil); return source.OK, nil }, source.OK, "1 1 4 2 51 7 2 0 1 1"},
	}
	for _, s := range steps {
		got, err := s.do()
		if got != s.want || err != nil {
			t.Fatalf("%s: %v, %v; want %v", s.name, got, err, s.want)
		}
		if cs := counters(&c); cs != s.counters {
			t.Fatalf("%s: counters %s, want %s", s.name, cs, s.counters)
		}
	}
	if a.MaxBatch() != 5 || a.Hooks().MaxBatch == nil || a.Hooks().Connections != &c.OpenConnectionCount {
		t.Fatalf("MaxBatch %d; hooks %+v", a.MaxBatch(), a.Hooks())
	}

	var e source.ServerCounter
	failing := source.NewAcceptor(slog.New(slog.DiscardHandler), flumetest.Processor(ch, explodingInterceptor{}), &e)
	got, err := failing.Accept(ctx, source.Append, channeltest.Events(0, 1))
	if got != source.Error || err == nil || !strings.Contains(err.Error(), "exploded") {
		t.Fatalf("an interceptor failure: %v, %v", got, err)
	}
	if cs := counters(&e); cs != "1 0 0 0 1 0 0 1 0 0" {
		t.Fatalf("after an interceptor failure: counters %s", cs)
	}
}

// TestAcceptLogsStreaks: a channel that keeps refusing is warned about
// once, not per request, and its recovery is logged.
func TestAcceptLogsStreaks(t *testing.T) {
	ctx := context.Background()
	ch := flumetest.MemoryChannel(t, 2, 2, time.Millisecond)
	var logs flumetest.LogBuffer
	var c source.ServerCounter
	a := source.NewAcceptor(slog.New(slog.NewTextHandler(&logs, nil)), flumetest.Processor(ch), &c)
	for range 2 {
		if got, _ := a.Accept(ctx, source.Append, channeltest.Events(0, 1)); got != source.OK {
			t.Fatalf("answered %v", got)
		}
	}
	for range 20 {
		if got, _ := a.Accept(ctx, source.Append, channeltest.Events(0, 1)); got != source.Failed {
			t.Fatalf("a full channel answered %v", got)
		}
	}
	flumetest.TakeAll(t, ch)
	if got, _ := a.Accept(ctx, source.Append, channeltest.Events(0, 1)); got != source.OK {
		t.Fatalf("after draining: %v", got)
	}
	out := logs.String()
	if n := strings.Count(out, "channels refused events"); n != 1 || !strings.Contains(out, "level=WARN") {
		t.Fatalf("%d warnings for 20 refusals:\n%s", n, out)
	}
	if !strings.Contains(out, "level=INFO msg=\"channels accept events again\"") {
		t.Fatalf("the recovery was not logged:\n%s", out)
	}
}
