// Command app is a small application that logs coin transactions through
// Flume: it sends one event per transaction, with the header
// State=coin_log that the agents' multiplexing selector routes on, using
// flumego's client SDK (package rpc) configured by Flume RpcClient
// properties files.
//
//	go run ./examples/thrift-sdk-to-kafka/app -f examples/thrift-sdk-to-kafka/client.properties \
//	    -f examples/thrift-sdk-to-kafka/local-client.properties -n 10000
//
// Events are numbered from 1 (the "seq" field of the JSON body) and sent
// in batches of the client's batch-size. A batch the client could not
// deliver to any host is sent again after a pause (0.5 s, doubling up to
// 5 s) until it is acknowledged, so the application loses nothing while
// every agent is down; an agent acknowledges a batch only once it is
// committed to its channel. A batch is sent again only when it may not
// have arrived, so an agent that committed it but failed before
// answering makes for duplicates (at least once).
//
// SIGINT or SIGTERM stops it after the batch in flight; it logs
// `msg=done sent=N` with the number of events acknowledged (all of 1..N)
// and exits 0, or exits 1 if it was stopped while a batch was still
// unacknowledged.
package main
