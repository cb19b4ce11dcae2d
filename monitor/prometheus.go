package monitor

import (
	"github.com/prometheus/client_golang/prometheus"
)

// collector exposes a Registry to Prometheus. It describes no metrics up
// front (the set of components changes with the configuration), which
// client_golang accepts as an unchecked collector.
type collector struct{ reg *Registry }

// Describe sends nothing: the metrics depend on the running components.
func (c collector) Describe(chan<- *prometheus.Desc) {}

// Collect sends one sample per numeric attribute of every group, named by
// metricFor, labelled with the agent's and the component's names.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	type family struct {
		desc  *prometheus.Desc
		kind  prometheus.ValueType
		attr  string
		scale float64
	}
	agent := c.reg.Agent()
	families := map[string]family{}
	for _, g := range c.reg.Snapshot() {
		for _, a := range g.Attributes {
			if a.Name == "Type" {
				continue
			}
			spec := metricFor(g.Type, a.Name, a.Gauge)
			f, ok := families[spec.name]
			if ok && f.attr != a.Name {
				// Another attribute took the name: fall back to the
				// attribute's own, or leave it out.
				spec = conventionalName(a.Name, a.Gauge).qualified(g.Type, a.Name, a.Gauge)
				if f, ok = families[spec.name]; ok && f.attr != a.Name {
					continue
				}
			}
			if !ok {
				kind := prometheus.CounterValue
				if a.Gauge {
					kind = prometheus.GaugeValue
				}
				f = family{desc: prometheus.NewDesc(spec.name, spec.help, []string{"agent", "component"}, nil),
					kind: kind, attr: a.Name, scale: spec.scale}
				families[spec.name] = f
			}
			m, err := prometheus.NewConstMetric(f.desc, f.kind, a.Value*f.scale, agent, g.Name)
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

// MetricName returns the Prometheus name of the attribute attr of a group
// of type typ, a gauge or a counter: "flume_<type>_" and the attribute's
// name in Prometheus's conventions, e.g. MetricName("SOURCE",
// "EventAcceptedCount", false) is "flume_source_events_accepted_total"
// (see the package documentation for the whole mapping).
func MetricName(typ, attr string, gauge bool) string { return metricFor(typ, attr, gauge).name }
