package live

import (
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/topology"
)

// totals are a node's cumulative counts at one moment.
type totals struct {
	in, out, errors, rollbacks float64
	has                        bool // some counter was found
}

// attrs reads a node's counter groups into a map of attribute values.
func attrs(groups []flume.CounterGroup) map[string]float64 {
	m := map[string]float64{}
	for _, g := range groups {
		for _, a := range g.Attributes() {
			if !a.Gauge {
				m[a.Name] += a.Value
			}
		}
	}
	return m
}

// countersOf returns a node's totals from its counter groups.
func countersOf(n topology.Node) totals {
	m := attrs(n.Counters)
	var t totals
	if len(m) == 0 {
		return t
	}
	t.has = true
	switch n.Kind {
	case topology.Source:
		t.in, t.out = m["EventReceivedCount"], m["EventAcceptedCount"]
	case topology.Channel:
		t.in, t.out = m["EventPutSuccessCount"], m["EventTakeSuccessCount"]
		t.rollbacks = max(0, m["EventPutAttemptCount"]-m["EventPutSuccessCount"])
	case topology.Sink:
		t.in, t.out = m["EventDrainAttemptCount"], m["EventDrainSuccessCount"]
		t.rollbacks = max(0, m["EventDrainAttemptCount"]-m["EventDrainSuccessCount"])
	}
	for name, v := range m {
		switch {
		case name == "RollbackCount":
			t.rollbacks += v
		case strings.HasSuffix(name, "Fail"), strings.HasSuffix(name, "ErrorCount"), strings.HasSuffix(name, "FailedCount"):
			t.errors += v
		}
	}
	return t
}

// measure returns the totals of every node of g: a selector has its
// source's, a sink group the sum of its sinks'.
func measure(g topology.Graph) map[string]totals {
	out := make(map[string]totals, len(g.Nodes))
	for _, n := range g.Nodes {
		if n.Dropped {
			continue
		}
		if t := countersOf(n); t.has {
			out[n.ID] = t
		}
	}
	for _, n := range g.Nodes {
		switch {
		case n.Dropped:
		case n.Kind == topology.Selector:
			if t, ok := out[topology.ID(topology.Source, n.Name)]; ok {
				out[n.ID] = totals{in: t.out, out: t.out, has: true}
			}
		case n.Kind == topology.SinkGroup:
			var sum totals
			for _, e := range g.Edges {
				if e.From == n.ID && !e.Dropped {
					if t, ok := out[e.To]; ok {
						sum.in, sum.out, sum.errors, sum.rollbacks, sum.has = sum.in+t.in, sum.out+t.out, sum.errors+t.errors, sum.rollbacks+t.rollbacks, true
					}
				}
			}
			if sum.has {
				out[n.ID] = sum
			}
		}
	}
	return out
}

// point is one node in one sample: its rates since the previous sample
// and the errors and rollbacks counted in between.
type point struct {
	In, Out           float64 // events per second
	Errors, Rollbacks float64 // counted since the previous sample
}

// sample is the state of every node at one moment.
type sample struct {
	seq    uint64
	at     time.Time
	totals map[string]totals
	points map[string]point
}

// delta is how much a counter grew; one that went back was reset (the
// component restarted) and counts from zero.
func delta(cur, prev float64) float64 {
	if cur < prev {
		return cur
	}
	return cur - prev
}

// next returns the sample of the totals now, with rates against prev.
func next(prev *sample, seq uint64, at time.Time, now map[string]totals) *sample {
	s := &sample{seq: seq, at: at, totals: now, points: make(map[string]point, len(now))}
	if prev == nil {
		return s
	}
	dt := at.Sub(prev.at).Seconds()
	if dt <= 0 {
		return s
	}
	for id, t := range now {
		p, ok := prev.totals[id]
		if !ok {
			continue
		}
		s.points[id] = point{In: delta(t.in, p.in) / dt, Out: delta(t.out, p.out) / dt,
			Errors: delta(t.errors, p.errors), Rollbacks: delta(t.rollbacks, p.rollbacks)}
	}
	return s
}
