package flumetest

import (
	"sync"

	"github.com/flumego/flume"
)

// Counters collects the counter groups components publish, by component
// name, for a test that reads them as monitoring would: pass Publish as
// agent.Options.Publish for an agent, or Settings(name) to a component a
// test builds itself (components have no test-only counter accessors). The
// zero value is ready and safe for concurrent use.
type Counters struct {
	mu sync.Mutex
	m  map[string]flume.CounterGroup
}

// Publish records g as the counter group of the component called name.
func (c *Counters) Publish(name string, g flume.CounterGroup) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]flume.CounterGroup{}
	}
	c.m[name] = g
}

// Get returns the attribute attr of the component called name, or -1 when
// the component published nothing or has no such attribute.
func (c *Counters) Get(name, attr string) int64 {
	c.mu.Lock()
	g := c.m[name]
	c.mu.Unlock()
	if g == nil {
		return -1
	}
	for _, a := range g.Attributes() {
		if a.Name == attr {
			return int64(a.Value)
		}
	}
	return -1
}

// Settings returns the Settings of a component called name whose counter
// group is recorded here (its Publisher); set Logger and Registry on it as
// the test needs.
func (c *Counters) Settings(name string) flume.Settings {
	return flume.Settings{Name: name, Publisher: func(g flume.CounterGroup) { c.Publish(name, g) }}
}
