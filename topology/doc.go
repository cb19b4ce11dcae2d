// Package topology describes an agent's topology as a graph: the one
// description that both the monitoring page (package monitor/live) and
// the flume-ng graph command draw.
//
// A Graph has a node per source, channel selector (one per source),
// channel, sink group and sink, and an edge wherever events flow:
//
//	source ─► selector ─► channel ─► sink group ─► sink
//	                         └──────────────────► sink (a sink of no group)
//
// Components the configuration names but that do not run (Flume's
// validation or the build dropped them, or nothing configures them) are
// nodes too, marked Dropped, with the edges their configuration asks for.
// A running node carries its live state: run state, a channel's fill, a
// failover member's state, and its counter groups.
//
// The agent package builds a Graph from a snapshot (agent.Snapshot's
// Topology method); Layout places the nodes in layers, left to right, and
// orders each layer to cross few edges; WriteDOT and WriteMermaid print
// it for Graphviz and Mermaid.
package topology
