package bench

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/flumego/flume/rpc/thriftrpc"
)

func init() {
	Register(Scenario{Name: "thrift-null", Desc: "thrift client (pre-encoded batches, 1 connection) → thrift source → memory → null, as a separate agent process", Run: thriftNull})
}

// freePort returns a port that was free a moment ago on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func thriftNull(ctx context.Context, p Params) (Result, error) {
	port, err := freePort()
	if err != nil {
		return Result{}, err
	}
	props := fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = thrift
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = %d
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = %d
a1.channels.c1.transactionCapacity = %d
`, port, 10*p.Batch, p.Batch) + nullSink("k1", p)
	a, err := StartAgent(p, "a1", props, "-Dflume.root.logger=INFO,console")
	if err != nil {
		return Result{}, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for { // wait for the source to listen
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-wctx.Done():
			a.Kill()
			return Result{}, fmt.Errorf("thrift source did not start: %w", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	r, err := thriftrpc.RunLoad(wctx, addr, 1, p.Batch, p.EventSize, p.Events, "compact")
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	if err := waitForLog(wctx, a, "null sink progress"); err != nil {
		a.Kill()
		return Result{}, err
	}
	rss, err := a.Stop()
	return Result{Scenario: "thrift-null", Events: r.Events, Bytes: r.Bytes, Elapsed: r.Elapsed, PeakRSS: rss,
		Note: fmt.Sprintf("client-side, acknowledged; p50 %v p99 %v per batch", r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond))}, err
}
