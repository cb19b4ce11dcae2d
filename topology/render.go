package topology

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// label is a node's text: its name and, below, its kind and type.
func (n Node) label() (name, detail string) {
	name, detail = n.Name, string(n.Kind)
	switch n.Kind {
	case Selector:
		name, detail = n.Type, "selector"
		if n.Type == "" {
			name = "selector"
			detail = ""
		}
	case SinkGroup:
		detail = "sink group"
	}
	if n.Kind != Selector && n.Type != "" {
		detail += ": " + n.Type
	}
	switch {
	case n.Undefined:
		detail += " (not configured)"
	case n.Dropped:
		detail += " (dropped)"
	}
	return name, detail
}

// byLayer returns the nodes' indexes sorted by layer, then order.
func (g *Graph) byLayer() []int {
	idx := make([]int, len(g.Nodes))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		na, nb := g.Nodes[idx[a]], g.Nodes[idx[b]]
		if na.Layer != nb.Layer {
			return na.Layer < nb.Layer
		}
		return na.Order < nb.Order
	})
	return idx
}

var dotShapes = map[Kind]string{
	Source:    `shape=box, style="rounded"`,
	Selector:  `shape=diamond, fontsize=10`,
	Channel:   `shape=cylinder`,
	SinkGroup: `shape=hexagon`,
	Sink:      `shape=box`,
}

// WriteDOT prints g as a Graphviz digraph, left to right, one rank per
// layer; dropped nodes and edges are dashed and grey.
func WriteDOT(w io.Writer, g Graph) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "digraph %s {\n", dotQuote("agent "+g.Agent))
	b.WriteString("  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=12];\n  edge [color=\"gray30\"];\n")
	order := g.byLayer()
	layer := -1
	for _, i := range order {
		n := g.Nodes[i]
		if n.Layer != layer {
			if layer >= 0 {
				b.WriteString("  }\n")
			}
			layer = n.Layer
			b.WriteString("  { rank=same;\n")
		}
		name, detail := n.label()
		text := name
		if detail != "" {
			text += "\n" + detail
		}
		attrs := dotShapes[n.Kind]
		if n.Dropped {
			attrs = strings.Replace(attrs, `style="rounded"`, `style="rounded,dashed"`, 1)
			if !strings.Contains(attrs, "style=") {
				attrs += `, style="dashed"`
			}
			attrs += `, color="gray50", fontcolor="gray50"`
		}
		fmt.Fprintf(b, "    %s [label=%s, %s];\n", dotQuote(n.ID), dotQuote(text), attrs)
	}
	if layer >= 0 {
		b.WriteString("  }\n")
	}
	for _, e := range g.Edges {
		attrs := ""
		if e.Dropped {
			attrs = ` [style="dashed", color="gray60"]`
		}
		fmt.Fprintf(b, "  %s -> %s%s;\n", dotQuote(e.From), dotQuote(e.To), attrs)
	}
	b.WriteString("}\n")
	return b.Flush()
}

// dotQuote quotes s as a DOT string; a newline becomes a centred line
// break.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "")
	return `"` + r.Replace(s) + `"`
}

var mermaidShapes = map[Kind][2]string{
	Source:    {"([", "])"},
	Selector:  {"{", "}"},
	Channel:   {"[(", ")]"},
	SinkGroup: {"{{", "}}"},
	Sink:      {"[", "]"},
}

// WriteMermaid prints g as a Mermaid flowchart, left to right; dropped
// nodes have the class "dropped" (dashed, grey) and dropped edges are
// dotted.
func WriteMermaid(w io.Writer, g Graph) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "%%%% agent %s\nflowchart LR\n", mermaidComment(g.Agent))
	ids := make(map[string]string, len(g.Nodes))
	var dropped []string
	for k, i := range g.byLayer() {
		n := g.Nodes[i]
		id := "n" + strconv.Itoa(k)
		ids[n.ID] = id
		name, detail := n.label()
		text := mermaidText(name)
		if detail != "" {
			text += "<br/>" + mermaidText(detail)
		}
		s := mermaidShapes[n.Kind]
		fmt.Fprintf(b, "  %s%s\"%s\"%s\n", id, s[0], text, s[1])
		if n.Dropped {
			dropped = append(dropped, id)
		}
	}
	for _, e := range g.Edges {
		arrow := "-->"
		if e.Dropped {
			arrow = "-.->"
		}
		fmt.Fprintf(b, "  %s %s %s\n", ids[e.From], arrow, ids[e.To])
	}
	if len(dropped) > 0 {
		b.WriteString("  classDef dropped stroke-dasharray: 5 5, color:#888, stroke:#888\n")
		fmt.Fprintf(b, "  class %s dropped\n", strings.Join(dropped, ","))
	}
	return b.Flush()
}

// mermaidText escapes s for a quoted Mermaid label: quotes and the
// characters Mermaid reads as markup become entity codes.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"', '<', '>', '&', '#', '\n', '\r':
			fmt.Fprintf(&b, "#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mermaidComment(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }
