package live

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/flumego/flume/topology"
)

// Defaults of a Page.
const (
	// SampleInterval is how often the sampler reads the counters.
	SampleInterval = time.Second
	// HistorySize is how many samples the ring keeps: five minutes.
	HistorySize = 300
)

//go:embed assets
var assets embed.FS

// contentSecurityPolicy lets the page load its own script, style and data
// and nothing else, nor be framed.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Page is the live page and its data. Start runs its sampler; ServeHTTP
// answers GET / (the page), /live/page.js, /live/page.css and /live/state.
type Page struct {
	topo     func() topology.Graph
	hist     *History
	interval time.Duration
	now      func() time.Time

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns the page of the topology topo returns; topo is called once
// per sample and per request, from any goroutine.
func New(topo func() topology.Graph) *Page {
	return &Page{topo: topo, hist: NewHistory(HistorySize), interval: SampleInterval, now: time.Now}
}

// Start starts the sampler; it returns at once. Starting a started page
// does nothing.
func (p *Page) Start(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p.cancel, p.done = cancel, done
	go func() {
		defer close(done)
		t := time.NewTicker(p.interval)
		defer t.Stop()
		for {
			p.sample()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// Stop stops the sampler and waits for it, up to ctx. It is idempotent.
func (p *Page) Stop(ctx context.Context) error {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("live page: stop: %w", ctx.Err())
	}
	p.mu.Lock()
	if p.done == done {
		p.cancel, p.done = nil, nil
	}
	p.mu.Unlock()
	return nil
}

func (p *Page) sample() { p.hist.add(p.now(), measure(p.topo())) }

// ServeHTTP serves the page, its script and style, and its data. It
// answers GET and HEAD only.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	switch r.URL.Path {
	case "/":
		p.asset(w, "assets/index.html", "text/html;charset=utf-8")
	case "/live/page.js":
		p.asset(w, "assets/page.js", "text/javascript;charset=utf-8")
	case "/live/page.css":
		p.asset(w, "assets/page.css", "text/css;charset=utf-8")
	case "/live/state":
		var since uint64
		if v := r.URL.Query().Get("since"); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				http.Error(w, "since: not a sample number", http.StatusBadRequest)
				return
			}
			since = n
		}
		h.Set("Content-Type", "application/json;charset=utf-8")
		h.Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(p.State(since))
	default:
		http.Error(w, "Not Found", http.StatusNotFound)
	}
}

func (p *Page) asset(w http.ResponseWriter, name, ctype string) {
	data, err := assets.ReadFile(name)
	if err != nil {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(data)
}

// State is what GET /live/state returns: the topology now, each node's
// counts now and rates of the last sample, and the samples after the one
// asked for.
type State struct {
	Agent      string `json:"agent"`
	Generation uint64 `json:"generation"`
	Running    bool   `json:"running"`
	// Now is the server's time, in milliseconds since the epoch.
	Now int64 `json:"now"`
	// Interval is the sampling interval in milliseconds.
	Interval int64 `json:"interval"`
	// Seq is the number of the last sample taken (0 before the first):
	// the since of the next request.
	Seq   uint64      `json:"seq"`
	Nodes []StateNode `json:"nodes"`
	Edges []StateEdge `json:"edges"`
	// Samples are the samples after the one asked for, oldest first.
	Samples []StateSample `json:"samples"`
}

// StateNode is a node with its live figures.
type StateNode struct {
	topology.Node
	// Counts are its cumulative counts now (events in and out, errors,
	// rollbacks); absent for a node without counters.
	Counts *Figures `json:"counts,omitempty"`
	// Rate is events per second in and out over the last sample.
	Rate *Rates `json:"rate,omitempty"`
	// LastMinute are the errors and rollbacks counted in the last minute.
	LastMinute *Incidents `json:"lastMinute,omitempty"`
}

// Rates are events per second in and out.
type Rates struct {
	In  float64 `json:"in"`
	Out float64 `json:"out"`
}

// Incidents are errors and rollbacks counted over a time.
type Incidents struct {
	Errors    float64 `json:"errors"`
	Rollbacks float64 `json:"rollbacks"`
}

// Figures are a node's numbers: events in and out, errors, rollbacks.
type Figures struct {
	In        float64 `json:"in"`
	Out       float64 `json:"out"`
	Errors    float64 `json:"errors"`
	Rollbacks float64 `json:"rollbacks"`
}

// StateEdge is an edge with the events per second that took it over the
// last sample, when the counters tell.
type StateEdge struct {
	topology.Edge
	Rate *float64 `json:"rate,omitempty"`
}

// StateSample is one sample: for each node ID, [events/s in, events/s
// out, errors, rollbacks].
type StateSample struct {
	Seq    uint64                `json:"seq"`
	At     int64                 `json:"t"`
	Points map[string][4]float64 `json:"points"`
}

// State returns the state now, with the samples after sample since.
func (p *Page) State(since uint64) State {
	g := p.topo()
	now := p.now()
	st := State{Agent: g.Agent, Generation: g.Generation, Running: g.Running, Now: now.UnixMilli(),
		Interval: p.interval.Milliseconds(), Nodes: []StateNode{}, Edges: []StateEdge{}, Samples: []StateSample{}}
	all := p.hist.since(0)
	var last *sample
	if len(all) > 0 {
		last = all[len(all)-1]
		st.Seq = last.seq
	}
	minute := map[string]*Incidents{}
	for _, s := range all {
		if now.Sub(s.at) > time.Minute {
			continue
		}
		for id, pt := range s.points {
			f := minute[id]
			if f == nil {
				f = new(Incidents)
				minute[id] = f
			}
			f.Errors += pt.Errors
			f.Rollbacks += pt.Rollbacks
		}
	}
	current := measure(g)
	for _, n := range g.Nodes {
		sn := StateNode{Node: n}
		if t, ok := current[n.ID]; ok {
			sn.Counts = &Figures{In: t.in, Out: t.out, Errors: t.errors, Rollbacks: t.rollbacks}
			sn.LastMinute = &Incidents{}
			if f := minute[n.ID]; f != nil {
				sn.LastMinute = f
			}
		}
		if last != nil {
			if pt, ok := last.points[n.ID]; ok {
				sn.Rate = &Rates{In: round(pt.In), Out: round(pt.Out)}
			}
		}
		st.Nodes = append(st.Nodes, sn)
	}
	var points map[string]point
	if last != nil {
		points = last.points
	}
	for _, e := range g.Edges {
		se := StateEdge{Edge: e}
		if !e.Dropped {
			se.Rate = edgeRate(g, e, points)
		}
		st.Edges = append(st.Edges, se)
	}
	for _, s := range all {
		if s.seq <= since {
			continue
		}
		ss := StateSample{Seq: s.seq, At: s.at.UnixMilli(), Points: make(map[string][4]float64, len(s.points))}
		for id, pt := range s.points {
			ss.Points[id] = [4]float64{round(pt.In), round(pt.Out), pt.Errors, pt.Rollbacks}
		}
		st.Samples = append(st.Samples, ss)
	}
	return st
}

// edgeRate returns the events per second on an edge when the counters
// tell it: what a source accepts, what enters a channel fed by one source
// (or by a replicating selector), what leaves a channel that feeds one
// sink or group, what a sink delivers.
func edgeRate(g topology.Graph, e topology.Edge, points map[string]point) *float64 {
	from, _ := g.Node(e.From)
	to, _ := g.Node(e.To)
	if from == nil || to == nil {
		return nil
	}
	rate := func(id string, out bool) *float64 {
		pt, ok := points[id]
		if !ok {
			return nil
		}
		v := pt.In
		if out {
			v = pt.Out
		}
		v = round(v)
		return &v
	}
	degree := func(id string, incoming bool) int {
		n := 0
		for _, x := range g.Edges {
			if !x.Dropped && ((incoming && x.To == id) || (!incoming && x.From == id)) {
				n++
			}
		}
		return n
	}
	switch {
	case from.Kind == topology.Source:
		return rate(from.ID, true)
	case from.Kind == topology.Selector && degree(to.ID, true) == 1:
		return rate(to.ID, false)
	case from.Kind == topology.Selector && from.Type == "replicating":
		return rate(from.ID, true)
	case from.Kind == topology.Channel && degree(from.ID, false) == 1:
		return rate(from.ID, true) // all it gives goes this way
	case from.Kind == topology.Channel && to.Kind == topology.Sink:
		return rate(to.ID, true)
	case from.Kind == topology.Channel && degree(to.ID, true) == 1:
		return rate(to.ID, true)
	case from.Kind == topology.SinkGroup:
		return rate(to.ID, true)
	}
	return nil
}

// round keeps three decimals, enough for a rate on a page.
func round(v float64) float64 { return math.Round(v*1000) / 1000 }
