package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/thrifttest"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/rpc/thriftrpc"
)

func thriftEvents(n int) []flume.Event {
	out := make([]flume.Event, n)
	for i := range out {
		out[i] = flumetest.EventWithHeaders([]byte(fmt.Sprintf("body %d", i)), map[string]string{"seq": strconv.Itoa(i)})
	}
	return out
}

// The SDK's thrift client against the python3-thrift server generated from
// Flume's IDL: batches are split at batch-size, statuses are reported.
func TestThriftClientAgainstPythonServer(t *testing.T) {
	for _, proto := range []string{"compact", "binary"} {
		t.Run(proto, func(t *testing.T) {
			srv := thrifttest.StartServer(t, proto)
			c, err := rpc.NewThriftClient(srv.Addr, map[string]string{"batch-size": "30", "protocol": proto, "request-timeout": "10000"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx := t.Context()
			evs := thriftEvents(70)
			if err := c.Append(ctx, evs[0]); err != nil {
				t.Fatal(err)
			}
			if call := srv.Next(t, 30*time.Second); call.Method != "append" || string(call.Events[0].Body) != "body 0" {
				t.Fatalf("append arrived as %+v", call)
			}
			if err := c.AppendBatch(ctx, evs); err != nil {
				t.Fatal(err)
			}
			var sizes []int
			var got []flume.Event
			for len(got) < len(evs) {
				call := srv.Next(t, 30*time.Second)
				sizes = append(sizes, len(call.Events))
				got = append(got, call.Events...)
			}
			if fmt.Sprint(sizes) != "[30 30 10]" {
				t.Fatalf("batches of %v, want [30 30 10]", sizes)
			}
			for i, e := range got {
				if flumetest.Headers(e)["seq"] != strconv.Itoa(i) || string(e.Body) != fmt.Sprintf("body %d", i) {
					t.Fatalf("event %d arrived as %q %q", i, flumetest.Headers(e), e.Body)
				}
			}
			srv.SetAnswer(t, "FAILED")
			err = c.AppendBatch(ctx, evs[:3])
			var se *rpc.StatusError
			if !errors.As(err, &se) || se.Status != "FAILED" {
				t.Fatalf("FAILED answer gave %v", err)
			}
			srv.Next(t, 30*time.Second)
		})
	}
}

func TestThriftClientConfigErrors(t *testing.T) {
	if _, err := rpc.NewThriftClient("h:1", map[string]string{"kerberos": "true"}); !errors.Is(err, flume.ErrUnsupported) {
		t.Fatalf("kerberos: %v", err)
	}
	if _, err := rpc.NewThriftClient("no-port", nil); err == nil {
		t.Fatal("host without port accepted")
	}
	c, err := rpc.NewThriftClient("127.0.0.1:1", map[string]string{"batch-size": "-5"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BatchSize() != rpc.DefaultBatchSize {
		t.Fatalf("batch size %d", c.BatchSize())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Append(t.Context(), flume.Event{}); !errors.Is(err, rpc.ErrClientClosed) {
		t.Fatalf("call after Close: %v", err)
	}
}

// maxConnections bounds the connections and the calls in flight; more
// callers wait their turn and all succeed.
func TestThriftClientPool(t *testing.T) {
	var cur, peak atomic.Int64
	srv := thriftrpc.NewServer(thriftrpc.ServerConfig{}, func(ctx context.Context, c *thriftrpc.Call) (thriftrpc.Status, error) {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond) // hold the connection so callers overlap
		return thriftrpc.OK, nil
	})
	ln := flumetest.Listen(t)
	conns := &ln.Accepted
	srv.Start(ln)
	defer srv.Shutdown(context.Background())
	c, err := rpc.NewThriftClient(ln.Addr().String(), map[string]string{"maxConnections": "2"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.AppendBatch(context.Background(), thriftEvents(5))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if conns.Load() > 2 || peak.Load() > 2 {
		t.Fatalf("%d connections, %d calls at once with maxConnections = 2", conns.Load(), peak.Load())
	}
}
