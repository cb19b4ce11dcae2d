package monitor

import (
	"sort"
	"strings"
	"sync"

	"github.com/flumego/flume"
)

// Registry holds the counter groups of the running components. It is safe
// for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	groups map[string]entry
	agent  string
}

type entry struct {
	name  string
	group flume.CounterGroup
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{groups: map[string]entry{}} }

// SetAgent names the agent the counters belong to: the Prometheus metrics
// carry it in the label "agent". The agent sets it when it loads its
// configuration.
func (r *Registry) SetAgent(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.agent = name
}

// Agent returns the name SetAgent set.
func (r *Registry) Agent() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.agent
}

// Publisher returns the function to put in the Settings.Publisher of the
// component called name: each group it receives is listed under
// "<group.Type()>.<name>". A group published under a key that is taken
// replaces the old one, so a reload that rebuilds a component needs no
// Remove; components that leave the configuration are removed with Remove.
func (r *Registry) Publisher(name string) func(flume.CounterGroup) {
	return func(g flume.CounterGroup) {
		if g == nil {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.groups[g.Type()+"."+name] = entry{name: name, group: g}
	}
}

// Publish lists g under "<g.Type()>.<name>"; it is Publisher(name)(g), in
// the shape of the agent's Options.Publish.
func (r *Registry) Publish(name string, g flume.CounterGroup) { r.Publisher(name)(g) }

// Remove drops the groups listed under keys such as "SINK.k1".
func (r *Registry) Remove(keys ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		delete(r.groups, k)
	}
}

// Keys returns the keys of every listed group, sorted.
func (r *Registry) Keys() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	keys := make([]string, 0, len(r.groups))
	for k := range r.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Group is one component's counters at one moment.
type Group struct {
	Key        string // "<Type>.<name>"
	Type, Name string
	Attributes []flume.Attribute
}

// Snapshot returns every group's attributes, sorted by key.
func (r *Registry) Snapshot() []Group {
	r.mu.RLock()
	out := make([]Group, 0, len(r.groups))
	groups := make(map[string]flume.CounterGroup, len(r.groups))
	for k, e := range r.groups {
		typ, _, _ := strings.Cut(k, ".")
		out = append(out, Group{Key: k, Type: typ, Name: e.name})
		groups[k] = e.group
	}
	r.mu.RUnlock()
	// Attributes are read outside the lock: a component may take a while.
	for i := range out {
		out[i].Attributes = groups[out[i].Key].Attributes()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
