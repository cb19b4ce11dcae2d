// Command failover-collectors runs the failover-collectors example on this
// machine: a web-server agent (web.properties) that follows an access log
// and sends it through a failover sink group to collector A, or to
// collector B while A is down; both collectors (collector.properties) write
// to a DataHub topic, here the in-repo fake of DataHub's API.
//
//	go run ./examples/failover-collectors
//
// It writes numbered access-log lines, stops collector A, restarts it, and
// shows that the traffic moves to B and back to A and that every line
// reached DataHub. See README.md.
package main
