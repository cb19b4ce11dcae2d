package topology

import "sort"

// Layout places the nodes: Layer is the column of the node's Kind, and
// Order ranks the nodes of each column so that edges cross little. Nodes
// start in the order they were added (configuration order); four sweeps,
// alternately left to right and right to left, then sort each column by
// the mean position of the node's neighbours in the columns already swept
// (the barycenter heuristic of layered graph drawing). The result depends
// only on the graph.
func (g *Graph) Layout() {
	index := make(map[string]int, len(g.Nodes))
	layers := map[int][]int{}
	maxLayer := 0
	for i := range g.Nodes {
		n := &g.Nodes[i]
		n.Layer = n.Kind.Layer()
		index[n.ID] = i
		layers[n.Layer] = append(layers[n.Layer], i)
		maxLayer = max(maxLayer, n.Layer)
	}
	adj := make([][]int, len(g.Nodes))
	for _, e := range g.Edges {
		i, ok := index[e.From]
		j, ok2 := index[e.To]
		if ok && ok2 {
			adj[i] = append(adj[i], j)
			adj[j] = append(adj[j], i)
		}
	}
	pos := make([]float64, len(g.Nodes))
	place := func(layer []int) {
		for k, i := range layer {
			pos[i] = (float64(k) + 0.5) / float64(len(layer))
		}
	}
	for _, l := range layers {
		place(l)
	}
	for sweep := range 4 {
		forward := sweep%2 == 0
		for step := 0; step <= maxLayer; step++ {
			l := step
			if !forward {
				l = maxLayer - step
			}
			layer := layers[l]
			if len(layer) < 2 {
				continue
			}
			bary := make(map[int]float64, len(layer))
			for _, i := range layer {
				sum, n := 0.0, 0
				for _, j := range adj[i] {
					if lj := g.Nodes[j].Layer; (forward && lj < l) || (!forward && lj > l) {
						sum += pos[j]
						n++
					}
				}
				bary[i] = pos[i]
				if n > 0 {
					bary[i] = sum / float64(n)
				}
			}
			sort.SliceStable(layer, func(a, b int) bool { return bary[layer[a]] < bary[layer[b]] })
			place(layer)
		}
	}
	for _, layer := range layers {
		for k, i := range layer {
			g.Nodes[i].Order = k
		}
	}
}
