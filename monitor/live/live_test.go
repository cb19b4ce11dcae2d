package live

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/topology"
)

// TestMain fails the package's tests when a goroutine outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fixture is a topology r1 → selector → c1 → g1 → {k1, k2} whose counters
// the test moves by hand, and a clock it sets.
type fixture struct {
	mu     sync.Mutex
	src    *flume.SourceCounter
	ch     *flume.ChannelCounter
	k1, k2 *flume.SinkCounter
	member topology.Member
	at     time.Time
	extra  bool // a reload added sink k3
}

func newFixture() *fixture {
	return &fixture{src: new(flume.SourceCounter), ch: new(flume.ChannelCounter), k1: new(flume.SinkCounter), k2: new(flume.SinkCounter),
		member: topology.Member{Priority: 10, Active: true}, at: time.UnixMilli(1_700_000_000_000)}
}

func (f *fixture) topo() topology.Graph {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := topology.NewBuilder("a1", 0, true)
	b.Add(topology.Node{Kind: topology.Source, Name: "r1", Type: "avro", State: "running", Counters: []flume.CounterGroup{f.src}})
	b.Add(topology.Node{Kind: topology.Selector, Name: "r1", Type: "replicating", State: "running"})
	b.Add(topology.Node{Kind: topology.Channel, Name: "c1", Type: "memory", State: "running", Counters: []flume.CounterGroup{f.ch},
		Fill: &topology.Fill{Len: 5, Capacity: 100, TransactionCapacity: 10}})
	b.Add(topology.Node{Kind: topology.SinkGroup, Name: "g1", Type: "failover", State: "running"})
	m := f.member
	b.Add(topology.Node{Kind: topology.Sink, Name: "k1", Type: "avro", State: "running", Counters: []flume.CounterGroup{f.k1}, Member: &m})
	b.Add(topology.Node{Kind: topology.Sink, Name: "k2", Type: "avro", State: "running", Counters: []flume.CounterGroup{f.k2},
		Member: &topology.Member{Priority: 5}})
	b.Link("source/r1", "selector/r1")
	b.Link("selector/r1", "channel/c1")
	b.Link("channel/c1", "sinkgroup/g1")
	b.Link("sinkgroup/g1", "sink/k1")
	b.Link("sinkgroup/g1", "sink/k2")
	if f.extra {
		b.Add(topology.Node{Kind: topology.Sink, Name: "k3", Type: "null", State: "running"})
		b.Link("channel/c1", "sink/k3")
	}
	return b.Graph()
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.at
}

func (f *fixture) tick(d time.Duration) {
	f.mu.Lock()
	f.at = f.at.Add(d)
	f.mu.Unlock()
}

func newPage(f *fixture) *Page {
	p := New(f.topo)
	p.now = f.now
	return p
}

func node(t *testing.T, st State, id string) StateNode {
	t.Helper()
	for _, n := range st.Nodes {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("no node %s in %+v", id, st.Nodes)
	return StateNode{}
}

func TestStateRatesCountsAndIncidents(t *testing.T) {
	f := newFixture()
	p := newPage(f)
	p.sample() // the first sample has no rates
	if st := p.State(0); node(t, st, "source/r1").Rate != nil || len(st.Samples) != 1 || st.Seq != 1 {
		t.Fatalf("first sample: %+v", st)
	}
	// One second: 100 events in, 80 out; k1 fails twice and rolls back 20.
	f.src.EventReceivedCount.Add(100)
	f.src.EventAcceptedCount.Add(100)
	f.ch.EventPutAttemptCount.Add(103)
	f.ch.EventPutSuccessCount.Add(100)
	f.ch.EventTakeSuccessCount.Add(80)
	f.k1.EventDrainAttemptCount.Add(20)
	f.k1.EventWriteFail.Add(2)
	f.k2.EventDrainAttemptCount.Add(80)
	f.k2.EventDrainSuccessCount.Add(80)
	f.tick(time.Second)
	p.sample()
	st := p.State(0)
	for id, want := range map[string][2]float64{"source/r1": {100, 100}, "selector/r1": {100, 100}, "channel/c1": {100, 80},
		"sink/k1": {20, 0}, "sink/k2": {80, 80}, "sinkgroup/g1": {100, 80}} {
		n := node(t, st, id)
		if n.Rate == nil || n.Rate.In != want[0] || n.Rate.Out != want[1] || n.Counts == nil || n.Counts.In != want[0] || n.Counts.Out != want[1] {
			t.Errorf("%s: rate %+v counts %+v, want %v", id, n.Rate, n.Counts, want)
		}
	}
	if k1 := node(t, st, "sink/k1"); k1.LastMinute.Errors != 2 || k1.LastMinute.Rollbacks != 20 || k1.Member == nil || !k1.Member.Active {
		t.Errorf("k1: %+v %+v", k1.LastMinute, k1.Member)
	}
	if c1 := node(t, st, "channel/c1"); c1.LastMinute.Rollbacks != 3 || c1.Fill.Capacity != 100 {
		t.Errorf("c1: %+v %+v", c1.LastMinute, c1.Fill)
	}
	rates := map[string]float64{}
	for _, e := range st.Edges {
		if e.Rate != nil {
			rates[e.From+" "+e.To] = *e.Rate
		}
	}
	for e, want := range map[string]float64{"source/r1 selector/r1": 100, "selector/r1 channel/c1": 100, "channel/c1 sinkgroup/g1": 80,
		"sinkgroup/g1 sink/k1": 0, "sinkgroup/g1 sink/k2": 80} {
		if got, ok := rates[e]; !ok || got != want {
			t.Errorf("edge %s: %v (present %v), want %v", e, got, ok, want)
		}
	}
	if len(st.Samples) != 2 || st.Samples[1].Points["channel/c1"] != [4]float64{100, 80, 0, 3} {
		t.Errorf("samples %+v", st.Samples)
	}
	if again := p.State(st.Seq); len(again.Samples) != 0 || again.Seq != st.Seq {
		t.Errorf("since the last sample: %d samples", len(again.Samples))
	}

	// The component restarts (its counters start over): no negative rate.
	f.k2.Started()
	f.k2.EventDrainSuccessCount.Add(5)
	f.k2.EventDrainAttemptCount.Add(5)
	// After more than a minute, the errors no longer count.
	f.tick(61 * time.Second)
	p.sample()
	st = p.State(2)
	if k2 := node(t, st, "sink/k2"); k2.Rate.Out < 0 || k2.Counts.Out != 5 {
		t.Errorf("k2 after a restart: %+v %+v", k2.Rate, k2.Counts)
	}
	if k1 := node(t, st, "sink/k1"); k1.LastMinute.Errors != 0 {
		t.Errorf("k1 errors over a minute ago still count: %+v", k1.LastMinute)
	}
	if len(st.Samples) != 1 || st.Samples[0].Seq != 3 {
		t.Errorf("since 2: %+v", st.Samples)
	}

	// A failed member and a reload that adds a sink show at once.
	f.mu.Lock()
	f.member = topology.Member{Priority: 10, Failures: 1, PenaltyUntil: f.at.Add(2 * time.Second)}
	f.extra = true
	f.mu.Unlock()
	st = p.State(3)
	if k1 := node(t, st, "sink/k1"); k1.Member.Failures != 1 || k1.Member.Active {
		t.Errorf("k1 member %+v", k1.Member)
	}
	if k3 := node(t, st, "sink/k3"); k3.Counts != nil || k3.Rate != nil {
		t.Errorf("k3 has no counters: %+v", k3)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	h := NewHistory(300)
	at := time.Unix(0, 0)
	for i := range 1000 {
		h.add(at.Add(time.Duration(i)*time.Second), map[string]totals{"sink/k1": {out: float64(i * 10), has: true}})
	}
	all := h.since(0)
	if h.Len() != 300 || len(all) != 300 || all[0].seq != 701 || all[299].seq != 1000 {
		t.Fatalf("len %d, first %d, last %d", len(all), all[0].seq, all[len(all)-1].seq)
	}
	for i, s := range all {
		if i > 0 && s.seq != all[i-1].seq+1 {
			t.Fatalf("out of order at %d", i)
		}
		if s.points["sink/k1"].Out != 10 {
			t.Fatalf("sample %d: rate %v", s.seq, s.points["sink/k1"].Out)
		}
	}
}

func TestServe(t *testing.T) {
	f := newFixture()
	p := newPage(f)
	srv := httptest.NewServer(p)
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		code         int
		ctype, body  string
	}{
		{"GET", "/", 200, "text/html;charset=utf-8", `<script src="live/page.js"`},
		{"HEAD", "/", 200, "text/html;charset=utf-8", ""},
		{"GET", "/live/page.js", 200, "text/javascript;charset=utf-8", "textContent"},
		{"GET", "/live/page.css", 200, "text/css;charset=utf-8", ".card"},
		{"GET", "/live/state", 200, "application/json;charset=utf-8", `"agent":"a1"`},
		{"GET", "/live/state?since=x", 400, "", ""},
		{"POST", "/live/state", 405, "", ""},
		{"PUT", "/", 405, "", ""},
		{"GET", "/live/other", 404, "", ""},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || (tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype) || !strings.Contains(string(body), tc.body) {
			t.Errorf("%s %s: %d %q %.80q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if tc.code == 200 && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s %s: no Content-Security-Policy", tc.method, tc.path)
		}
	}
	var st State
	resp, err := http.Get(srv.URL + "/live/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || len(st.Nodes) != 6 || len(st.Edges) != 5 {
		t.Fatalf("state: %v %+v", err, st)
	}
}

// TestPageNoInlineCode checks what the Content-Security-Policy relies on:
// the page has no inline script or style, and the script writes names as
// text only.
func TestPageNoInlineCode(t *testing.T) {
	html, _ := assets.ReadFile("assets/index.html")
	js, _ := assets.ReadFile("assets/page.js")
	for _, bad := range []string{"<script>", "<style", " style=", "onclick", "onload"} {
		if strings.Contains(string(html), bad) {
			t.Errorf("index.html holds %q", bad)
		}
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(string(js), bad) {
			t.Errorf("page.js uses %s", bad)
		}
	}
}

func TestStartStop(t *testing.T) {
	f := newFixture()
	p := New(f.topo)
	p.interval = 10 * time.Millisecond
	ctx := context.Background()
	if err := p.Stop(ctx); err != nil {
		t.Fatal("Stop before Start:", err)
	}
	for range 2 {
		if err := p.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := p.Start(ctx); err != nil {
			t.Fatal(err)
		}
		flumetest.WaitFor(t, 5*time.Second, "three samples", func() bool { return p.hist.Len() >= 3 })
		if err := p.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if err := p.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
