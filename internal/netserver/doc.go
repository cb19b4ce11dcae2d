// Package netserver is the TCP server loop shared by the sources that listen
// on a port (the Avro and Thrift RPC servers, the netcat source): it accepts
// connections, serves each on its own goroutine with a context the server
// owns, keeps the set of open connections, and stops in one of two ways:
// Close ends everything at once, Shutdown lets requests in progress finish
// (within its context) and closes idle connections straight away. Either
// way, no goroutine of the server runs once it returns.
//
// An accept failure such as running out of file descriptors is retried with
// a backoff (5 ms doubling to 1 s; one warning per 10 s), so a burst of
// connections cannot make a source stop listening for good.
package netserver
