// Package zookeeper is the little of Apache ZooKeeper's client protocol
// flumego needs: Flume's Kafka source still accepts zookeeperConnect
// instead of kafka.bootstrap.servers and looks the Kafka brokers up in
// ZooKeeper, where Kafka registers them (/brokers/ids/<id>, a JSON
// document). Conn speaks the jute wire format over TCP: a session (connect
// request and response), getChildren, getData, create (for tests) and
// closeSession, one request at a time; no watches, no reconnection.
//
// Every read is bounded by the context and by the frame length the server
// announces (at most MaxFrame), so a hostile or broken server costs an
// error, never a hang or an unbounded allocation.
package zookeeper
