package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/rpc/avrorpc"
)

// livepageConfig is an avro source replicating into two channels; c1 feeds
// a failover group (k1, priority 10, to an avro server of the test; k2 to
// files), c2 a lone sink. A reload adds k4 on c2.
func livepageConfig(downstream, dir string, withK4 bool) string {
	sinks := "k1 k2 k3"
	if withK4 {
		sinks += " k4"
	}
	cfg := `a1.sources = r1
a1.channels = c1 c2
a1.sinks = ` + sinks + `
a1.sinkgroups = g1
a1.sources.r1.type = avro
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = 0
a1.sources.r1.channels = c1 c2
a1.sources.r1.selector.type = replicating
a1.channels.c1.type = memory
a1.channels.c1.capacity = 20000
a1.channels.c1.transactionCapacity = 1000
a1.channels.c2.type = memory
a1.channels.c2.capacity = 20000
a1.channels.c2.transactionCapacity = 1000
a1.sinks.k1.type = avro
a1.sinks.k1.channel = c1
a1.sinks.k1.hostname = 127.0.0.1
a1.sinks.k1.port = ` + downstream + `
a1.sinks.k1.batch-size = 500
a1.sinks.k2.type = file_roll
a1.sinks.k2.channel = c1
a1.sinks.k2.sink.directory = ` + filepath.Join(dir, "k2") + `
a1.sinks.k2.sink.rollInterval = 0
a1.sinks.k3.type = file_roll
a1.sinks.k3.channel = c2
a1.sinks.k3.sink.directory = ` + filepath.Join(dir, "k3") + `
a1.sinks.k3.sink.rollInterval = 0
a1.sinks.k3.sink.batchSize = 500
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.k1 = 10
a1.sinkgroups.g1.processor.priority.k2 = 5
`
	if withK4 {
		cfg += `a1.sinks.k4.type = file_roll
a1.sinks.k4.channel = c2
a1.sinks.k4.sink.directory = ` + filepath.Join(dir, "k4") + `
a1.sinks.k4.sink.rollInterval = 0
`
	}
	return cfg
}

// TestLivePageInChromium drives headless Chromium (Debian's chromium) with
// chromedp against a running flume-ng agent: the page shows every
// component, the event counts it displays match /metrics after 10,000
// events, a stopped primary sink shows as failed within 5 s, a reload that
// adds a sink adds it to the page, and on a phone-sized screen nothing is
// wider than the screen. Screenshots are written to a temporary directory.
func TestLivePageInChromium(t *testing.T) {
	chromium := flumetest.Peer(t, "install Debian's chromium (.ci/setup.d/chromium.sh)", "chromium", "chromium-browser", "google-chrome")
	begin := time.Now()
	dir := t.TempDir()
	for _, d := range []string{"k2", "k3", "k4"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// The primary's destination: an Avro RPC server that takes everything.
	var received atomic.Int64
	down := avrorpc.NewServer(avrorpc.ServerConfig{}, func(_ context.Context, _ bool, evs []flume.Event) (avrorpc.Status, error) {
		received.Add(int64(len(evs)))
		return avrorpc.OK, nil
	})
	ln := flumetest.Listen(t)
	down.Start(ln)
	t.Cleanup(func() { _ = down.Close() })

	cfg := write(t, "a1.properties", livepageConfig(strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), dir, false))
	cmd, logs, base := startMonitored(t, cfg, "-i", "1")
	source := logValue(t, logs, "avro source listening", "address")

	// Chromium as root (no sandbox) on a network that refuses its background
	// connections: those are switched off, and its profile is fresh.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	defer cancelCtx()
	ctx, cancelTimeout := context.WithTimeout(ctx, 50*time.Second)
	defer cancelTimeout()
	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	// waitPage polls the page (it redraws every second) until cond holds.
	waitPage := func(timeout time.Duration, what string, cond func() bool) {
		t.Helper()
		flumetest.WaitFor(t, timeout, what, cond)
	}
	cards := func() []string {
		return evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('#cards [data-node]')).map(e => e.dataset.node)`)
	}
	want := []string{"source/r1", "channel/c1", "channel/c2", "sinkgroup/g1", "sink/k1", "sink/k2", "sink/k3"}
	waitPage(10*time.Second, "every component on the page", func() bool { return sameSet(cards(), want) })
	graphNames := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('#graph .node text.name')).map(e => e.textContent)`)
	if !sameSet(graphNames, []string{"r1", "c1", "c2", "g1", "k1", "k2", "k3"}) {
		t.Errorf("the graph names %v", graphNames)
	}

	// 10,000 events, in batches of 100.
	conn, err := avrorpc.Dial(context.Background(), source, avrorpc.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	send := func(from, n int) {
		t.Helper()
		for i := from; i < from+n; i += 100 {
			batch := make([]flume.Event, 100)
			for j := range batch {
				batch[j] = flume.NewEvent([]byte(fmt.Sprintf("event %d", i+j)))
			}
			if st, err := conn.AppendBatch(context.Background(), batch); err != nil || st != avrorpc.OK {
				t.Fatalf("appendBatch: %v %v", st, err)
			}
		}
	}
	send(0, 10000)
	metrics := func() map[string]map[string]string {
		var m map[string]map[string]string
		if err := json.Unmarshal([]byte(httpGet(t, base+"/metrics")), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	waitPage(20*time.Second, "10,000 events delivered by k1 and k3", func() bool {
		m := metrics()
		return m["SINK.k1"]["EventDrainSuccessCount"] == "10000" && m["SINK.k3"]["EventDrainSuccessCount"] == "10000"
	})
	if received.Load() != 10000 {
		t.Fatalf("the primary's destination received %d events", received.Load())
	}
	// What the page displays against /metrics (the page lags by a second
	// at most).
	checks := []struct{ node, field, key, attr string }{
		{"source/r1", "in", "SOURCE.r1", "EventReceivedCount"},
		{"source/r1", "out", "SOURCE.r1", "EventAcceptedCount"},
		{"channel/c1", "in", "CHANNEL.c1", "EventPutSuccessCount"},
		{"channel/c1", "out", "CHANNEL.c1", "EventTakeSuccessCount"},
		{"channel/c2", "in", "CHANNEL.c2", "EventPutSuccessCount"},
		{"channel/c2", "out", "CHANNEL.c2", "EventTakeSuccessCount"},
		{"sink/k1", "out", "SINK.k1", "EventDrainSuccessCount"},
		{"sink/k2", "out", "SINK.k2", "EventDrainSuccessCount"},
		{"sink/k3", "out", "SINK.k3", "EventDrainSuccessCount"},
		{"sink/k3", "in", "SINK.k3", "EventDrainAttemptCount"},
		{"sinkgroup/g1", "out", "SINK.k1", "EventDrainSuccessCount"}, // k2 delivered none yet
	}
	var mismatch string
	waitPage(5*time.Second, "the page's counts to match /metrics", func() bool {
		m := metrics()
		mismatch = ""
		for _, c := range checks {
			text := evaluate[string](t, ctx, fmt.Sprintf(`(document.querySelector('#cards [data-node=%q] [data-field=%q]') || {}).textContent || ''`, c.node, c.field))
			if shown := leadingCount(text); shown != m[c.key][c.attr] {
				mismatch += fmt.Sprintf("%s %s shows %q, /metrics %s.%s = %s; ", c.node, c.field, text, c.key, c.attr, m[c.key][c.attr])
			}
		}
		return mismatch == "" && m["SOURCE.r1"]["EventAcceptedCount"] == "10000"
	})
	if mismatch != "" {
		t.Fatal(mismatch)
	}

	// The primary's destination stops: k1 fails on its next batch and the
	// page shows it within 5 s.
	if err := down.Close(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	send(10000, 200)
	state := func(id string) string {
		return evaluate[string](t, ctx, fmt.Sprintf(`(document.querySelector('#cards [data-node=%q]') || {dataset: {}}).dataset.state || ''`, id))
	}
	waitPage(5*time.Second, "k1 shown as failed", func() bool { return state("sink/k1") == "failed" })
	t.Logf("the stopped primary showed as failed %v after its destination stopped", time.Since(stopped).Round(10*time.Millisecond))
	member := evaluate[string](t, ctx, `document.querySelector('#cards [data-node="sink/k1"] [data-field=member]').textContent`)
	if !strings.Contains(member, "failed") || !strings.Contains(member, "penalty until") && !strings.Contains(member, "retried") {
		t.Errorf("k1's member state reads %q", member)
	}
	waitPage(10*time.Second, "k2 to take over", func() bool { return metrics()["SINK.k2"]["EventDrainSuccessCount"] == "200" })

	// A reload that adds a sink adds it to the page.
	if err := os.WriteFile(cfg, []byte(livepageConfig(strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), dir, true)), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(cfg, future, future); err != nil {
		t.Fatal(err)
	}
	waitPage(10*time.Second, "k4 on the page after the reload", func() bool { return sameSet(cards(), append(want, "sink/k4")) })
	generation := evaluate[string](t, ctx, `document.body.dataset.generation`)
	if generation != "1" {
		t.Errorf("generation %q after one reload", generation)
	}
	k4 := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('#graph [data-edge]')).map(e => e.dataset.edge).filter(e => e.includes('sink/k4'))`)
	if len(k4) != 1 || k4[0] != "channel/c2 sink/k4" {
		t.Errorf("edges to k4 in the graph: %v", k4)
	}

	// The screenshots outlive the test, for a look at the page.
	shots, err := os.MkdirTemp("", "flumego-livepage-")
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	desktop := filepath.Join(shots, "livepage.png")
	if err := os.WriteFile(desktop, png, 0o644); err != nil {
		t.Fatal(err)
	}

	// On a phone: the graph is drawn top to bottom at full size (not
	// scaled down) and nothing is wider than the screen.
	if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	waitPage(5*time.Second, "the vertical layout, drawn at full size", func() bool {
		return evaluate[bool](t, ctx, `(function(){ const g = document.getElementById('graph');
			return g.dataset.layout === 'vertical' && g.viewBox.baseVal.width <= g.parentNode.clientWidth })()`)
	})
	overflow := evaluate[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`)
	if overflow > 0 {
		t.Errorf("the page is %d px wider than a 390 px screen", overflow)
	}
	if png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	phone := filepath.Join(shots, "livepage-phone.png")
	if err := os.WriteFile(phone, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s, %s", desktop, phone)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agent exit: %v\n%s", err, logs.String())
	}
	t.Logf("took %v", time.Since(begin).Round(100*time.Millisecond))
}

// evaluate runs js in the page and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// leadingCount returns the number a count cell starts with, without its
// thousands separators ("10,000  (0/s)" is "10000").
func leadingCount(text string) string {
	f := strings.Fields(text)
	if len(f) == 0 {
		return ""
	}
	return strings.ReplaceAll(f[0], ",", "")
}

func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for _, w := range want {
		if !seen[w] {
			return false
		}
	}
	return true
}
