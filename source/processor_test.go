package source

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/channel/memory"
)

func channel(t *testing.T, name string, capacity int) flume.NamedChannel {
	t.Helper()
	ch, _ := memory.New(flume.Settings{Name: name}, memory.Config{Capacity: capacity, TransactionCapacity: capacity})
	_ = ch.Start(context.Background())
	return flume.NamedChannel{Name: name, Channel: ch}
}

type dropOdd struct{}

func (dropOdd) Intercept(evs []flume.Event) ([]flume.Event, error) {
	out := evs[:0]
	for _, e := range evs {
		if channeltest.Seq(e)%2 == 0 {
			e.SetHeader("kept", "yes")
			out = append(out, e)
		}
	}
	return out, nil
}

func TestReplicatingRequiredAndOptional(t *testing.T) {
	req, opt := channel(t, "c1", 10), channel(t, "c2", 2)
	p := NewChannelProcessor(NewReplicating([]flume.NamedChannel{req, opt}, []string{"c2"}), []flume.Interceptor{dropOdd{}}, nil)
	if err := p.Process(context.Background(), channeltest.Events(0, 8)); err != nil {
		t.Fatalf("a full optional channel failed the batch: %v", err)
	}
	if req.Len() != 4 || opt.Len() != 0 || p.OptionalFailures.Load() != 1 {
		t.Fatalf("required holds %d, optional %d, optional failures %d", req.Len(), opt.Len(), p.OptionalFailures.Load())
	}
	if err := p.Process(context.Background(), channeltest.Events(0, 14)); !flume.IsChannelError(err) {
		t.Fatalf("a full required channel: err = %v, want a channel error", err)
	}
	if req.Len() != 4 {
		t.Fatalf("a refused batch was partly committed: %d", req.Len())
	}
}

func TestInterceptorErrorFailsBatch(t *testing.T) {
	ch := channel(t, "c1", 10)
	boom := errors.New("boom")
	p := NewChannelProcessor(NewReplicating([]flume.NamedChannel{ch}, nil), []flume.Interceptor{failing{boom}}, nil)
	if err := p.Process(context.Background(), channeltest.Events(0, 1)); !errors.Is(err, boom) || flume.IsChannelError(err) {
		t.Fatalf("err = %v", err)
	}
}

// A panicking interceptor fails its batch; the next batch goes through.
func TestInterceptorPanicFailsBatch(t *testing.T) {
	ch := channel(t, "c1", 10)
	p := NewChannelProcessor(NewReplicating([]flume.NamedChannel{ch}, nil), []flume.Interceptor{dropOdd{}, &panicOnce{}}, nil)
	err := p.Process(context.Background(), channeltest.Events(0, 2))
	if err == nil || !strings.Contains(err.Error(), "*source.panicOnce panicked: bad plugin") || flume.IsChannelError(err) {
		t.Fatalf("err = %v", err)
	}
	if ch.Len() != 0 {
		t.Fatalf("the failed batch left %d events", ch.Len())
	}
	if err := p.Process(context.Background(), channeltest.Events(0, 2)); err != nil || ch.Len() != 1 {
		t.Fatalf("next batch: %v, channel holds %d", err, ch.Len())
	}
}

type panicOnce struct{ done bool }

func (p *panicOnce) Intercept(evs []flume.Event) ([]flume.Event, error) {
	if !p.done {
		p.done = true
		panic("bad plugin")
	}
	return evs, nil
}

type failing struct{ err error }

func (f failing) Intercept([]flume.Event) ([]flume.Event, error) { return nil, f.err }

func TestSelectorConfig(t *testing.T) {
	chs := []flume.NamedChannel{channel(t, "c1", 1), channel(t, "c2", 1)}
	cfg := flume.ContextFromMap(map[string]string{"optional": "c9"})
	if _, err := testSelector(cfg, chs); err == nil && cfg.Err() == nil {
		t.Error("an optional channel that is not the source's was accepted")
	}
	cfg = flume.ContextFromMap(map[string]string{"type": "nonsense"})
	if _, err := testSelector(cfg, chs); err == nil {
		t.Error("an unknown selector type was accepted")
	}
}

// TestMaxBatch: the processor knows the largest batch it can commit only
// when every event goes to the same channels unchanged: the smallest
// transactionCapacity of the required channels (optional ones do not
// limit it); with an interceptor or an event-dependent selector it cannot
// tell.
func TestMaxBatch(t *testing.T) {
	c1, c2, c3 := channel(t, "c1", 30), channel(t, "c2", 20), channel(t, "c3", 5)
	if got := NewChannelProcessor(NewReplicating([]flume.NamedChannel{c1, c2, c3}, []string{"c3"}), nil, nil).MaxBatch(); got != 20 {
		t.Fatalf("replicating over 30, 20 and optional 5: MaxBatch = %d, want 20", got)
	}
	if got := NewChannelProcessor(NewReplicating([]flume.NamedChannel{c1}, nil), []flume.Interceptor{dropOdd{}}, nil).MaxBatch(); got != 0 {
		t.Fatalf("with an interceptor: MaxBatch = %d, want 0", got)
	}
	cfg := flume.ContextFromMap(map[string]string{"type": "multiplexing", "header": "h", "default": "c1"})
	sel, err := testSelector(cfg, []flume.NamedChannel{c1, c2})
	if err != nil {
		t.Fatal(err)
	}
	if got := NewChannelProcessor(sel, nil, nil).MaxBatch(); got != 0 {
		t.Fatalf("multiplexing: MaxBatch = %d, want 0", got)
	}
}
