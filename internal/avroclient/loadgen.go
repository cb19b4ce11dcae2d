package avroclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc/avrorpc"
)

// Result is what RunLoad measured.
type Result struct {
	Events  int64         // events the source accepted (answered OK)
	Bytes   int64         // body bytes of those events
	Elapsed time.Duration // from the first call to the last answer
	Retries int64         // batches answered FAILED and sent again
}

// RunLoad sends total events of eventSize body bytes (no headers) to the
// avro source at addr in appendBatch calls of batchSize events, over
// connections parallel connections, each waiting for every answer as
// Flume's sinks do. Calls are encoded once, before the clock starts, so the
// generator costs one write per batch. A FAILED answer (full channel) is
// retried after 1 ms.
func RunLoad(ctx context.Context, addr string, connections, batchSize, eventSize int, total int) (Result, error) {
	if connections < 1 || batchSize < 1 || eventSize < 0 || total < 0 {
		return Result{}, fmt.Errorf("load generator: invalid parameters (connections %d, batch %d, event size %d, total %d)",
			connections, batchSize, eventSize, total)
	}
	body := make([]byte, eventSize)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	encode := func(n int) []byte {
		evs := make([]flume.Event, n)
		for i := range evs {
			evs[i] = flume.Event{Body: body}
		}
		return avrorpc.EncodeAppendBatch(evs)
	}
	full := encode(batchSize)
	var last []byte
	lastN := total % batchSize
	if lastN > 0 {
		last = encode(lastN)
	}
	batches := int64((total + batchSize - 1) / batchSize)

	conns := make([]*avrorpc.Conn, connections)
	for i := range conns {
		c, err := avrorpc.Dial(ctx, addr, avrorpc.ClientConfig{})
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return Result{}, err
		}
		defer c.Close()
		if err := c.Ping(ctx); err != nil { // handshake before the clock starts
			return Result{}, err
		}
		conns[i] = c
	}
	var next, events, retries atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, connections)
	start := time.Now()
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := next.Add(1) - 1
				if b >= batches {
					return
				}
				call, n := full, batchSize
				if b == batches-1 && last != nil {
					call, n = last, lastN
				}
				for {
					st, err := c.CallEncoded(ctx, call)
					if err != nil {
						errs[i] = err
						next.Store(batches) // stop the others
						return
					}
					if st == avrorpc.OK {
						break
					}
					retries.Add(1)
					select {
					case <-ctx.Done():
						errs[i] = ctx.Err()
						return
					case <-time.After(time.Millisecond):
					}
				}
				events.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	r := Result{Events: events.Load(), Elapsed: time.Since(start), Retries: retries.Load()}
	r.Bytes = r.Events * int64(eventSize)
	return r, errors.Join(errs...)
}
