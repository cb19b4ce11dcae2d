package memory

import (
	"context"
	"runtime"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/loadevent"
)

// BenchmarkFootprint reports the heap a memory channel holding 100,000
// events takes per event ("bytes/event", live heap after a GC): 200-byte
// bodies with 3 headers (timestamp, host, seq), arrived as the avro source
// receives them (decoded from appendBatch requests of 1000 events, which
// they keep alive) or built one by one (an exec source's lines given their
// headers by interceptors). The Go runtime lets the heap grow to about
// twice the live data before collecting (GOGC=100).
//
//	go test -run XXX -bench Footprint -benchtime 3x ./channel/memory
func BenchmarkFootprint(b *testing.B) {
	const events, batch = 100_000, 1000
	body := loadevent.Body(200)
	for _, tc := range []struct {
		name  string
		batch func(first int) []flume.Event
	}{
		{"avro", func(first int) []flume.Event {
			// A request buffer of its own, as the server reads each one.
			req := avroevent.AppendEvents(nil, loadevent.Batch(batch, body, 3, int64(first)))
			evs, _, err := avroevent.DecodeEvents(req, nil, 0)
			if err != nil {
				b.Fatal(err)
			}
			return evs
		}},
		{"built", func(first int) []flume.Event {
			evs := loadevent.Batch(batch, nil, 3, int64(first))
			for i := range evs {
				evs[i].Body = append([]byte(nil), body...)
			}
			return evs
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var perEvent float64
			for b.Loop() {
				before := liveHeap()
				ch := newStarted(b, Config{Capacity: events, TransactionCapacity: batch})
				for i := 0; i < events; i += batch {
					evs := tc.batch(i)
					if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
						return tx.Put(context.Background(), evs...)
					}); err != nil {
						b.Fatal(err)
					}
				}
				perEvent = float64(liveHeap()-before) / events
				if ch.Len() != events {
					b.Fatalf("%d events queued", ch.Len())
				}
				runtime.KeepAlive(ch)
			}
			b.ReportMetric(perEvent, "bytes/event")
		})
	}
}

// liveHeap returns the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
