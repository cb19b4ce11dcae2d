package topology

import (
	"time"

	"github.com/flumego/flume"
)

// Kind is the kind of a node.
type Kind string

// The kinds of nodes, in the order events flow through them.
const (
	Source    Kind = "source"
	Selector  Kind = "selector"
	Channel   Kind = "channel"
	SinkGroup Kind = "sinkgroup"
	Sink      Kind = "sink"
)

// Layer returns the column of a kind in a left-to-right drawing: 0 for
// sources up to 4 for sinks.
func (k Kind) Layer() int {
	switch k {
	case Source:
		return 0
	case Selector:
		return 1
	case Channel:
		return 2
	case SinkGroup:
		return 3
	}
	return 4
}

// ID returns the node ID of the component of a kind called name. Names are
// unique per kind, so IDs are unique in a graph.
func ID(kind Kind, name string) string { return string(kind) + "/" + name }

// Graph is an agent's topology.
type Graph struct {
	Agent string `json:"agent"`
	// Generation counts the configuration reloads the running agent has
	// applied.
	Generation uint64 `json:"generation"`
	// Running reports whether the agent runs (false for a configuration
	// drawn without running it).
	Running bool   `json:"running"`
	Nodes   []Node `json:"nodes"`
	Edges   []Edge `json:"edges"`
}

// Node is a component: a source, a source's channel selector, a channel, a
// sink group or a sink.
type Node struct {
	// ID is Kind/Name, unique in the graph.
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// Name is the component's name; a selector has its source's.
	Name string `json:"name"`
	// Type is the component's type (memory, avro, a class name...); for a
	// selector the selector type, for a sink group the processor type.
	// It is empty for a dropped component configured without one.
	Type string `json:"type"`
	// Layer and Order place the node: its column (Kind.Layer) and its
	// rank within the column, from 0 (see Graph.Layout).
	Layer int `json:"layer"`
	Order int `json:"order"`
	// Dropped marks a configured component that does not run; Undefined a
	// name another component refers to that nothing configures.
	Dropped   bool `json:"dropped,omitempty"`
	Undefined bool `json:"undefined,omitempty"`
	// State is the run state (stopped, running or retrying) of a component
	// that runs.
	State string `json:"state,omitempty"`
	// Instance identifies one built instance of the component: a reload
	// that rebuilds it changes it.
	Instance uint64 `json:"instance,omitempty"`
	// Fingerprint is a digest of the component's configuration (never the
	// configuration itself).
	Fingerprint string `json:"fingerprint,omitempty"`
	// Fill is a channel's fill.
	Fill *Fill `json:"fill,omitempty"`
	// Member is a sink's state in a group whose processor reports one.
	Member *Member `json:"member,omitempty"`
	// Counters are the component's live counter groups.
	Counters []flume.CounterGroup `json:"-"`
}

// Fill is how full a channel is.
type Fill struct {
	Len                 int `json:"len"`
	Capacity            int `json:"capacity"`
	TransactionCapacity int `json:"transactionCapacity"`
}

// Member is a sink's state in its group (sinkgroup.MemberState).
type Member struct {
	Priority int  `json:"priority"`
	Active   bool `json:"active"`
	// Failures counts consecutive failures; 0 while the sink works.
	Failures int `json:"failures"`
	// PenaltyUntil is when a failed sink is tried again; zero while it
	// works.
	PenaltyUntil time.Time `json:"penaltyUntil,omitzero"`
}

// Edge is a path events take from one node to another.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Dropped marks an edge the configuration asks for that events do not
	// take, because one of its ends does not run.
	Dropped bool `json:"dropped,omitempty"`
}

// Node returns the node with the given ID.
func (g *Graph) Node(id string) (*Node, bool) {
	for i := range g.Nodes {
		if g.Nodes[i].ID == id {
			return &g.Nodes[i], true
		}
	}
	return nil, false
}

// Builder assembles a Graph: nodes first, then edges between them.
type Builder struct {
	g     Graph
	index map[string]int
	edges map[[2]string]int
}

// NewBuilder starts the graph of agent.
func NewBuilder(agent string, generation uint64, running bool) *Builder {
	return &Builder{g: Graph{Agent: agent, Generation: generation, Running: running},
		index: map[string]int{}, edges: map[[2]string]int{}}
}

// Add adds n (its ID and Layer are set from Kind and Name) unless a node
// with its ID exists, and reports whether it did.
func (b *Builder) Add(n Node) bool {
	n.ID, n.Layer = ID(n.Kind, n.Name), n.Kind.Layer()
	if _, ok := b.index[n.ID]; ok {
		return false
	}
	b.index[n.ID] = len(b.g.Nodes)
	b.g.Nodes = append(b.g.Nodes, n)
	return true
}

// Has reports whether the graph has a node with the given ID.
func (b *Builder) Has(id string) bool {
	_, ok := b.index[id]
	return ok
}

// Link adds an edge between two nodes that exist, once; it is dropped when
// either end is. A dropped edge that is added again as a running one
// becomes a running one.
func (b *Builder) Link(from, to string) {
	i, ok := b.index[from]
	j, ok2 := b.index[to]
	if !ok || !ok2 {
		return
	}
	dropped := b.g.Nodes[i].Dropped || b.g.Nodes[j].Dropped
	if k, ok := b.edges[[2]string{from, to}]; ok {
		b.g.Edges[k].Dropped = b.g.Edges[k].Dropped && dropped
		return
	}
	b.edges[[2]string{from, to}] = len(b.g.Edges)
	b.g.Edges = append(b.g.Edges, Edge{From: from, To: to, Dropped: dropped})
}

// Graph returns the graph, laid out.
func (b *Builder) Graph() Graph {
	g := b.g
	g.Nodes = append([]Node(nil), g.Nodes...)
	g.Edges = append([]Edge(nil), g.Edges...)
	g.Layout()
	return g
}
