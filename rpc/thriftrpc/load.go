package thriftrpc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// Result is what RunLoad measured.
type Result struct {
	// Events and Bytes (event bodies) acknowledged with OK.
	Events, Bytes int64
	// Calls answered OK, and FAILED answers (those batches were resent).
	Calls, Failed int64
	// Elapsed is the wall time from the first connection to the last
	// answer.
	Elapsed time.Duration
	// P50 and P99 are the latencies of appendBatch calls.
	P50, P99 time.Duration
}

// EventsPerSec returns the acknowledged events per second.
func (r Result) EventsPerSec() float64 { return float64(r.Events) / r.Elapsed.Seconds() }

// MBPerSec returns the acknowledged body megabytes (10^6) per second.
func (r Result) MBPerSec() float64 { return float64(r.Bytes) / 1e6 / r.Elapsed.Seconds() }

// String formats the result on one line.
func (r Result) String() string {
	return fmt.Sprintf("%d events in %v: %.0f events/s, %.1f MB/s, %d calls (p50 %v, p99 %v), %d FAILED answers retried",
		r.Events, r.Elapsed.Round(time.Millisecond), r.EventsPerSec(), r.MBPerSec(), r.Calls,
		r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Failed)
}

// RunLoad sends total events of eventSize body bytes (no headers) to the
// thrift source at addr over connections parallel connections, in
// appendBatch calls of batchSize events, speaking protocol ("compact" or
// "binary"). Batches are encoded once before the clock starts, so the
// figures measure the source, not the client. A FAILED answer resends the
// batch; any other failure ends the run with an error. It is the engine of
// `flume-ng bench thrift`.
func RunLoad(ctx context.Context, addr string, connections, batchSize, eventSize, total int, protocol string) (Result, error) {
	proto, ok := ParseProtocolName(protocol)
	if !ok {
		return Result{}, fmt.Errorf("thrift load: protocol %q is not compact or binary", protocol)
	}
	if connections < 1 || batchSize < 1 || eventSize < 0 || total < 1 {
		return Result{}, errors.New("thrift load: connections, batch size and total must be positive")
	}
	connections = min(connections, (total+batchSize-1)/batchSize)
	cfg := DefaultClientConfig()
	cfg.Protocol = proto
	cfg.RequestTimeout = time.Minute

	type worker struct {
		conn   *Conn
		frames [][]byte // the batches this connection sends, pre-encoded
		sizes  []int
		lat    []time.Duration
		failed int64
		err    error
	}
	body := make([]byte, eventSize)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	encode := func(c *Codec, n int) ([]byte, error) {
		evs := make([]flume.Event, n)
		for i := range evs {
			evs[i] = flume.Event{Body: body}
		}
		f, err := c.EncodeCall(MethodAppendBatch, 1, evs)
		return slices.Clone(f), err
	}
	workers := make([]*worker, connections)
	defer func() {
		for _, w := range workers {
			if w != nil && w.conn != nil {
				_ = w.conn.Close()
			}
		}
	}()
	full := map[int][]byte{}
	codec := NewCodec(proto, cfg.MaxFrameSize)
	for i := range workers {
		w := &worker{}
		workers[i] = w
		share := total / connections
		if i < total%connections {
			share++
		}
		for share > 0 {
			n := min(share, batchSize)
			f, ok := full[n]
			if !ok {
				var err error
				if f, err = encode(codec, n); err != nil {
					return Result{}, fmt.Errorf("thrift load: %w", err)
				}
				full[n] = f
			}
			w.frames = append(w.frames, f)
			w.sizes = append(w.sizes, n)
			share -= n
		}
		c, err := Dial(ctx, addr, cfg)
		if err != nil {
			return Result{}, fmt.Errorf("thrift load: %w", err)
		}
		w.conn = c
	}

	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, f := range w.frames {
				for {
					t0 := time.Now()
					st, err := w.conn.roundTrip(ctx, MethodAppendBatch, 1, f)
					if err != nil {
						w.err = err
						return
					}
					if st == OK {
						w.lat = append(w.lat, time.Since(t0))
						break
					}
					if st != FAILED {
						w.err = fmt.Errorf("source answered %v", st)
						return
					}
					w.failed++
				}
			}
		}()
	}
	wg.Wait()
	r := Result{Elapsed: time.Since(start)}
	var lat []time.Duration
	for _, w := range workers {
		if w.err != nil {
			return r, fmt.Errorf("thrift load: %w", w.err)
		}
		for _, n := range w.sizes {
			r.Events += int64(n)
			r.Bytes += int64(n * eventSize)
		}
		r.Calls += int64(len(w.lat))
		r.Failed += w.failed
		lat = append(lat, w.lat...)
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		r.P50 = lat[len(lat)/2]
		r.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r, nil
}
