package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/flumego/flume/internal/bench/loadgen"
)

func init() {
	Register(Scenario{Name: "http-null-8conn",
		Desc: "8 HTTP clients posting Flume JSON batches (pre-encoded) → http source → memory → null, as a separate agent process",
		Run:  httpNull})
	Register(Scenario{Name: "syslogtcp-null",
		Desc: "one TCP connection streaming RFC 5424 messages → syslogtcp source → memory → null, as a separate agent process",
		Run:  syslogNull})
}

// netPipeline is a source of type kind on 127.0.0.1:0 (extra properties
// added) → memory → null sink that logs once it passed every event.
func netPipeline(p Params, kind, extra string) string {
	return fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = %s
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
%sa1.channels.c1.type = memory
a1.channels.c1.capacity = %d
a1.channels.c1.transactionCapacity = %d
`, kind, extra, p.capacity(), p.Batch) + nullSink("k1", p)
}

func httpNull(ctx context.Context, p Params) (Result, error) {
	a, err := StartAgent(p, "a1", netPipeline(p, "http", "a1.sources.r1.bind = 127.0.0.1\n"), "-Dflume.root.logger=INFO,console")
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	addr, err := listenAddress(wctx, a, "http source listening")
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	cpu0 := a.CPU()
	r, err := loadgen.HTTP(wctx, loadgen.Params{Addr: addr, Connections: 8, Batch: p.Batch, EventSize: p.EventSize, Headers: p.Headers, Events: p.Events})
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	if err := waitForLog(wctx, a, "null sink progress"); err != nil {
		a.Kill()
		return Result{}, err
	}
	cpu := a.CPU() - cpu0
	rss, err := a.Stop()
	return Result{Scenario: "http-null-8conn", Events: r.Events, Bytes: r.Bytes, Elapsed: r.Elapsed, PeakRSS: rss, CPU: cpu,
		Note: fmt.Sprintf("client side, every batch answered 200; p50 %v p99 %v per batch, %d 503s resent",
			r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Retries)}, err
}

// syslogCapacity is the syslog scenario's channel, unless -capacity says
// otherwise: a second of the source's events. A syslog sender gets no acknowledgement, so nothing
// paces it but the channel: the null sink, faster than one connection's
// parsing, empties the channel and then backs off for a second (Flume's
// sink runner), and a smaller channel would measure that pause, not the
// source.
const syslogCapacity = 500000

func syslogNull(ctx context.Context, p Params) (Result, error) {
	if p.Capacity == 0 {
		p.Capacity = max(10*p.Batch, syslogCapacity)
	}
	props := netPipeline(p, "syslogtcp", "a1.sources.r1.host = 127.0.0.1\n")
	a, err := StartAgent(p, "a1", props, "-Dflume.root.logger=INFO,console", "-Dflume.monitoring.type=http",
		"-Dflume.monitoring.port=0", "-Dflume.monitoring.bind=127.0.0.1")
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	addr, err := listenAddress(wctx, a, "syslogtcp source listening")
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	metrics, err := listenAddress(wctx, a, "monitoring server listening")
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	cpu0 := a.CPU()
	start := time.Now()
	r, err := loadgen.Syslog(wctx, loadgen.Params{Addr: addr, Connections: 1, EventSize: p.EventSize, Events: p.Events})
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	if err := waitForCounter(wctx, metrics, "SOURCE.r1", "EventAcceptedCount", int64(p.Events)); err != nil {
		a.Kill()
		return Result{}, err
	}
	elapsed := time.Since(start)
	cpu := a.CPU() - cpu0
	rss, err := a.Stop()
	return Result{Scenario: "syslogtcp-null", Events: r.Events, Bytes: r.Bytes, Elapsed: elapsed, PeakRSS: rss, CPU: cpu,
		Note: fmt.Sprintf("first byte sent to the last message committed (RFC 5424: 6 headers); channel of %d events", p.capacity())}, err
}

// waitForCounter polls an agent's monitoring server until a counter of a
// component reaches want.
func waitForCounter(ctx context.Context, addr, component, counter string, want int64) error {
	url := "http://" + addr + "/metrics"
	for {
		resp, err := http.Get(url)
		if err == nil {
			var m map[string]map[string]string
			err = json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			if n, _ := strconv.ParseInt(m[component][counter], 10, 64); err == nil && n >= want {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s %s to reach %d: %w", component, counter, want, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}
