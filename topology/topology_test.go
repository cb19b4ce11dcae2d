package topology

import (
	"bytes"
	"strings"
	"testing"
)

// crossing builds sources a, b feeding channels listed in the opposite
// order: a→y, b→x with x before y.
func crossing() *Builder {
	b := NewBuilder("a1", 0, false)
	for _, n := range []string{"a", "b"} {
		b.Add(Node{Kind: Source, Name: n})
	}
	for _, n := range []string{"x", "y"} {
		b.Add(Node{Kind: Channel, Name: n})
	}
	b.Link(ID(Source, "a"), ID(Channel, "y"))
	b.Link(ID(Source, "b"), ID(Channel, "x"))
	return b
}

func TestLayoutUncrosses(t *testing.T) {
	g := crossing().Graph()
	order := map[string]int{}
	for _, n := range g.Nodes {
		order[n.ID] = n.Order
		if n.Layer != n.Kind.Layer() {
			t.Errorf("%s: layer %d", n.ID, n.Layer)
		}
	}
	if order["source/a"] != 0 || order["source/b"] != 1 || order["channel/y"] != 0 || order["channel/x"] != 1 {
		t.Fatalf("order %v: the edges still cross", order)
	}
}

func TestBuilderEdges(t *testing.T) {
	b := NewBuilder("a1", 0, false)
	b.Add(Node{Kind: Channel, Name: "c1"})
	if b.Add(Node{Kind: Channel, Name: "c1", Type: "again"}) {
		t.Fatal("a node was added twice")
	}
	b.Add(Node{Kind: Sink, Name: "k1", Dropped: true})
	b.Link("channel/c1", "sink/k1")
	b.Link("channel/c1", "sink/k1")
	b.Link("channel/c1", "sink/nothing")
	g := b.Graph()
	if len(g.Edges) != 1 || !g.Edges[0].Dropped {
		t.Fatalf("edges %+v", g.Edges)
	}
	if n, ok := g.Node("channel/c1"); !ok || n.Type != "" {
		t.Fatalf("Node: %+v %v", n, ok)
	}
}

func TestRenderEscapes(t *testing.T) {
	b := NewBuilder(`a"1`, 0, false)
	b.Add(Node{Kind: Sink, Name: `k"1\`, Type: "com.example.<Sink>&#"})
	g := b.Graph()
	var dot, mmd bytes.Buffer
	if err := WriteDOT(&dot, g); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dot.String(), `digraph "agent a\"1"`) || !strings.Contains(dot.String(), `[label="k\"1\\\nsink: com.example.<Sink>&#"`) {
		t.Errorf("dot:\n%s", dot.String())
	}
	if err := WriteMermaid(&mmd, g); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mmd.String(), `n0["k#34;1\<br/>sink: com.example.#60;Sink#62;#38;#35;"]`) {
		t.Errorf("mermaid:\n%s", mmd.String())
	}
}
