package avrorpc

import (
	"context"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/avrobin"
)

// TestOversizedBatchRefusedUnread: with MaxBatch set, a batch whose blocks
// declare more events than the limit is answered FAILED as soon as the
// count passes it: the events after that point are not decoded (here they
// are garbage, which would otherwise be an error answer) and the handler
// is not called.
func TestOversizedBatchRefusedUnread(t *testing.T) {
	rec := &recorder{}
	var refused []int
	_, addr := startServer(t, ServerConfig{Hooks: Hooks{
		MaxBatch:        func() int { return 10 },
		OnTooManyEvents: func(declared int) { refused = append(refused, declared) },
	}}, rec.handle)
	c := dial(t, addr, ClientConfig{})
	var params []byte
	for range 11 {
		params = avroevent.AppendEvent(avrobin.AppendLong(params, 1), flume.Event{Body: []byte("x")})
	}
	params = append(params, 0xff, 0xff, 0xff) // garbage instead of the end marker
	st, err := c.CallEncoded(context.Background(), appendBatchCall(params))
	if err != nil || st != Failed {
		t.Fatalf("oversized batch answered %v, %v; want FAILED", st, err)
	}
	if calls, _ := rec.snapshot(); calls != 0 {
		t.Fatalf("handler called %d times for a refused batch", calls)
	}
	if len(refused) != 1 || refused[0] != 11 {
		t.Fatalf("OnTooManyEvents got %+v", refused)
	}
	// The connection stays usable, and a batch within the limit is served.
	if st, err := c.AppendBatch(context.Background(), make([]flume.Event, 10)); err != nil || st != OK {
		t.Fatalf("batch of 10 answered %v, %v", st, err)
	}
	if calls, evs := rec.snapshot(); calls != 1 || len(evs) != 10 {
		t.Fatalf("handler: %d calls, %d events", calls, len(evs))
	}
}

// appendBatchCall frames params as an appendBatch call body, as
// EncodeAppendBatch does for events.
func appendBatchCall(params []byte) []byte {
	return append(appendCallHeader(nil, MessageAppendBatch), params...)
}
