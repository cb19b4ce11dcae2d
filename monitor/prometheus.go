package monitor

import (
	"strings"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"
)

// collector exposes a Registry to Prometheus. It describes no metrics up
// front (the set of components changes with the configuration), which
// client_golang accepts as an unchecked collector.
type collector struct{ reg *Registry }

// Describe sends nothing: the metrics depend on the running components.
func (c collector) Describe(chan<- *prometheus.Desc) {}

// Collect sends one sample per numeric attribute of every group.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	type family struct {
		desc *prometheus.Desc
		kind prometheus.ValueType
	}
	families := map[string]family{}
	for _, g := range c.reg.Snapshot() {
		for _, a := range g.Attributes {
			if a.Name == "Type" {
				continue
			}
			name := MetricName(g.Type, a.Name)
			f, ok := families[name]
			if !ok {
				kind := prometheus.CounterValue
				if a.Gauge {
					kind = prometheus.GaugeValue
				}
				f = family{
					desc: prometheus.NewDesc(name, "Flume "+strings.ToLower(g.Type)+" attribute "+a.Name+".", []string{"component"}, nil),
					kind: kind,
				}
				families[name] = f
			}
			m, err := prometheus.NewConstMetric(f.desc, f.kind, a.Value, g.Name)
			if err != nil {
				m = prometheus.NewInvalidMetric(f.desc, err)
			}
			ch <- m
		}
	}
}

// Collector returns a prometheus.Collector over the registry's counters,
// for programs that serve them from their own Prometheus registry.
func (r *Registry) Collector() prometheus.Collector { return collector{r} }

// MetricName returns the Prometheus name of attribute attr of a group of
// type typ: "flume_<type>_<attr in snake case>", e.g.
// MetricName("SOURCE", "EventReceivedCount") is
// "flume_source_event_received_count".
func MetricName(typ, attr string) string {
	return "flume_" + sanitize(strings.ToLower(typ)) + "_" + snake(attr)
}

// snake turns CamelCase into snake_case, keeping acronyms together
// ("HTTPRequestCount" → "http_request_count").
func snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i > 0 && i+1 < len(r) && unicode.IsLower(r[i+1]) && unicode.IsUpper(r[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return sanitize(b.String())
}

// sanitize replaces characters Prometheus names cannot hold with '_'.
func sanitize(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '_' || c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			return c
		}
		return '_'
	}, s)
}
