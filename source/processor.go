package source

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/ratelog"
)

// ChannelProcessor implements flume.ChannelProcessor: interceptors, then
// the selector, then one transaction per channel.
type ChannelProcessor struct {
	selector     flume.ChannelSelector
	interceptors []flume.Interceptor
	log          *slog.Logger

	// OptionalFailures counts batches an optional channel refused.
	OptionalFailures atomic.Int64
	optionalWarn     ratelog.Limiter // one warning per 10 s, not one per batch
	panicWarn        ratelog.Limiter
}

var (
	_ flume.ChannelProcessor = (*ChannelProcessor)(nil)
	_ flume.BatchLimiter     = (*ChannelProcessor)(nil)
)

// NewChannelProcessor returns a processor that runs interceptors in order
// and routes with selector. log may be nil.
func NewChannelProcessor(selector flume.ChannelSelector, interceptors []flume.Interceptor, log *slog.Logger) *ChannelProcessor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &ChannelProcessor{selector: selector, interceptors: interceptors, log: log}
}

// Process intercepts events and commits them to their channels. It returns
// nil only when every required channel committed its share; the error of
// the first required channel that failed otherwise (a channel's refusal
// matches flume.ErrChannel).
func (p *ChannelProcessor) Process(ctx context.Context, events []flume.Event) error {
	if len(p.interceptors) > 0 {
		var err error
		if events, err = p.intercept(events); err != nil {
			return err
		}
	}
	if len(events) == 0 {
		return nil
	}
	var required, optional []flume.NamedChannel
	var reqEvents, optEvents [][]flume.Event
	if s, ok := p.selector.(flume.StaticChannelSelector); ok {
		required, optional = s.Channels()
	} else {
		required, reqEvents, optional, optEvents = p.group(events)
	}
	for i, ch := range required {
		evs := events
		if reqEvents != nil {
			evs = reqEvents[i]
		}
		if err := put(ctx, ch, evs); err != nil {
			return fmt.Errorf("put %d events on required channel %q: %w", len(evs), ch.Name, err)
		}
	}
	for i, ch := range optional {
		evs := events
		if optEvents != nil {
			evs = optEvents[i]
		}
		if err := put(ctx, ch, evs); err != nil {
			p.OptionalFailures.Add(1)
			p.optionalWarn.Warn(p.log, "optional channel refused events; they are not delivered there",
				"channel", ch.Name, "events", len(evs), "error", err)
		}
	}
	return nil
}

// MaxBatch returns the largest batch Process can commit when that is known
// before the batch is seen: with no interceptors (which may drop events)
// and a selector that sends every event to the same channels, it is the
// smallest transactionCapacity of the required channels; otherwise 0.
func (p *ChannelProcessor) MaxBatch() int {
	s, ok := p.selector.(flume.StaticChannelSelector)
	if !ok || len(p.interceptors) > 0 {
		return 0
	}
	required, _ := s.Channels()
	limit := 0
	for _, ch := range required {
		if tc := ch.TransactionCapacity(); tc > 0 && (limit == 0 || tc < limit) {
			limit = tc
		}
	}
	return limit
}

// intercept runs the interceptors in order. A panic in one (a plugin's
// bug) fails the batch like an interceptor error instead of taking the
// agent down from the source's goroutine.
func (p *ChannelProcessor) intercept(events []flume.Event) (_ []flume.Event, err error) {
	var in flume.Interceptor
	defer func() {
		if r := recover(); r != nil {
			p.panicWarn.Warn(p.log, "interceptor panicked; the batch fails", "interceptor", fmt.Sprintf("%T", in),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("interceptor %T panicked: %v", in, r)
		}
	}()
	for _, in = range p.interceptors {
		if events, err = in.Intercept(events); err != nil {
			return nil, fmt.Errorf("interceptor: %w", err)
		}
	}
	return events, nil
}

func put(ctx context.Context, ch flume.NamedChannel, evs []flume.Event) error {
	return flume.Do(ctx, ch, func(tx flume.Transaction) error { return tx.Put(ctx, evs...) })
}

// group splits events per channel, channels in order of first appearance.
func (p *ChannelProcessor) group(events []flume.Event) (req []flume.NamedChannel, reqEv [][]flume.Event, opt []flume.NamedChannel, optEv [][]flume.Event) {
	reqIdx := map[flume.Channel]int{}
	optIdx := map[flume.Channel]int{}
	add := func(chs []flume.NamedChannel, idx map[flume.Channel]int, list *[]flume.NamedChannel, lists *[][]flume.Event, e flume.Event) {
		for _, ch := range chs {
			i, ok := idx[ch.Channel]
			if !ok {
				i = len(*list)
				idx[ch.Channel] = i
				*list = append(*list, ch)
				*lists = append(*lists, nil)
			}
			(*lists)[i] = append((*lists)[i], e)
		}
	}
	for _, e := range events {
		r, o := p.selector.Select(e)
		add(r, reqIdx, &req, &reqEv, e)
		add(o, optIdx, &opt, &optEv, e)
	}
	return req, reqEv, opt, optEv
}
