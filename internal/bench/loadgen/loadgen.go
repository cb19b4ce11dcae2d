package loadgen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/loadevent"
	"github.com/flumego/flume/rpc/avrorpc"
	"github.com/flumego/flume/rpc/thriftrpc"
)

// Params say what to send.
type Params struct {
	// Addr is the source's host:port.
	Addr string
	// Connections is the number of parallel connections, each waiting for
	// every answer before its next call, as Flume's sinks do.
	Connections int
	// Batch is the number of events per appendBatch call.
	Batch int
	// EventSize is the body size of every event.
	EventSize int
	// Headers is the number of headers of every event: timestamp, host,
	// seq, then h4, ... (see loadevent.Batch).
	Headers int
	// Events is the total number of events to send.
	Events int
}

// Result is what a run measured.
type Result struct {
	// Events and Bytes (event bodies) acknowledged with OK.
	Events, Bytes int64
	// Calls answered OK, and Retries: calls answered FAILED (a full
	// channel), whose batches were sent again after 1 ms.
	Calls, Retries int64
	// Elapsed is the wall time from the first call to the last answer.
	Elapsed time.Duration
	// P50 and P99 are the latencies of the calls answered OK.
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
		r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Retries)
}

// conn sends one pre-encoded call and tells whether it was answered OK
// (false: FAILED, send it again).
type conn interface {
	send(ctx context.Context, call []byte) (bool, error)
	Close() error
}

// Avro sends p to an avro source.
func Avro(ctx context.Context, p Params) (Result, error) {
	encode := func(evs []flume.Event) ([]byte, error) { return avrorpc.EncodeAppendBatch(evs), nil }
	dial := func(ctx context.Context) (conn, error) {
		c, err := avrorpc.Dial(ctx, p.Addr, avrorpc.ClientConfig{})
		if err != nil {
			return nil, err
		}
		if err := c.Ping(ctx); err != nil { // handshake before the clock starts
			c.Close()
			return nil, err
		}
		return avroConn{c}, nil
	}
	r, err := run(ctx, p, encode, dial)
	if err != nil {
		return r, fmt.Errorf("avro load: %w", err)
	}
	return r, nil
}

type avroConn struct{ *avrorpc.Conn }

func (c avroConn) send(ctx context.Context, call []byte) (bool, error) {
	st, err := c.CallEncoded(ctx, call)
	if err != nil {
		return false, err
	}
	if st != avrorpc.OK && st != avrorpc.Failed {
		return false, fmt.Errorf("source answered %v", st)
	}
	return st == avrorpc.OK, nil
}

// Thrift sends p to a thrift source speaking protocol ("compact" or
// "binary").
func Thrift(ctx context.Context, p Params, protocol string) (Result, error) {
	proto, ok := thriftrpc.ParseProtocolName(protocol)
	if !ok {
		return Result{}, fmt.Errorf("thrift load: protocol %q is not compact or binary", protocol)
	}
	cfg := thriftrpc.ClientConfig{Protocol: proto, RequestTimeout: time.Minute}
	codec := thriftrpc.NewCodec(proto, cfg.MaxFrameSize)
	encode := func(evs []flume.Event) ([]byte, error) {
		f, err := codec.EncodeCall(thriftrpc.MethodAppendBatch, 1, evs)
		return slices.Clone(f), err
	}
	dial := func(ctx context.Context) (conn, error) {
		c, err := thriftrpc.Dial(ctx, p.Addr, cfg)
		if err != nil {
			return nil, err
		}
		return thriftConn{c}, nil
	}
	r, err := run(ctx, p, encode, dial)
	if err != nil {
		return r, fmt.Errorf("thrift load: %w", err)
	}
	return r, nil
}

type thriftConn struct{ *thriftrpc.Conn }

func (c thriftConn) send(ctx context.Context, call []byte) (bool, error) {
	st, err := c.CallEncoded(ctx, thriftrpc.MethodAppendBatch, 1, call)
	if err != nil {
		return false, err
	}
	if st != thriftrpc.OK && st != thriftrpc.Failed {
		return false, fmt.Errorf("source answered %v", st)
	}
	return st == thriftrpc.OK, nil
}

// run encodes the batches, opens the connections, then sends every batch:
// each connection takes the next one until none is left.
func run(ctx context.Context, p Params, encode func([]flume.Event) ([]byte, error), dial func(context.Context) (conn, error)) (Result, error) {
	if p.Connections < 1 || p.Batch < 1 || p.EventSize < 0 || p.Headers < 0 || p.Events < 0 {
		return Result{}, fmt.Errorf("invalid parameters (connections %d, batch %d, event size %d, headers %d, events %d)",
			p.Connections, p.Batch, p.EventSize, p.Headers, p.Events)
	}
	body := loadevent.Body(p.EventSize)
	batchOf := func(n int) ([]byte, error) {
		return encode(loadevent.Batch(n, body, p.Headers, 1))
	}
	full, err := batchOf(p.Batch)
	if err != nil {
		return Result{}, err
	}
	var last []byte
	lastN := p.Events % p.Batch
	if lastN > 0 {
		if last, err = batchOf(lastN); err != nil {
			return Result{}, err
		}
	}
	batches := int64((p.Events + p.Batch - 1) / p.Batch)

	conns := make([]conn, min(int64(p.Connections), max(batches, 1)))
	defer func() {
		for _, c := range conns {
			if c != nil {
				_ = c.Close()
			}
		}
	}()
	for i := range conns {
		if conns[i], err = dial(ctx); err != nil {
			return Result{}, err
		}
	}

	type worker struct {
		events, retries int64
		lat             []time.Duration
		err             error
	}
	workers := make([]worker, len(conns))
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range conns {
		w := &workers[i]
		wg.Go(func() {
			for {
				b := next.Add(1) - 1
				if b >= batches {
					return
				}
				call, n := full, p.Batch
				if b == batches-1 && last != nil {
					call, n = last, lastN
				}
				for {
					t0 := time.Now()
					ok, err := c.send(ctx, call)
					if err != nil {
						w.err = err
						next.Store(batches) // stop the others
						return
					}
					if ok {
						w.lat = append(w.lat, time.Since(t0))
						break
					}
					w.retries++
					select {
					case <-ctx.Done():
						w.err = ctx.Err()
						return
					case <-time.After(time.Millisecond):
					}
				}
				w.events += int64(n)
			}
		})
	}
	wg.Wait()
	r := Result{Elapsed: time.Since(start)}
	var lat []time.Duration
	var errs []error
	for _, w := range workers {
		r.Events += w.events
		r.Retries += w.retries
		r.Calls += int64(len(w.lat))
		lat = append(lat, w.lat...)
		errs = append(errs, w.err)
	}
	r.Bytes = r.Events * int64(p.EventSize)
	slices.Sort(lat)
	if len(lat) > 0 {
		r.P50 = lat[len(lat)/2]
		r.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r, errors.Join(errs...)
}
