// Package netserver is the TCP server loop shared by the sources that listen
// on a port (the Avro and Thrift RPC servers, the netcat source, and the
// HTTP and syslog sources to come): it accepts connections, serves each on
// its own goroutine with a context the server owns, keeps the set of open
// connections, and stops in one of two ways: Close ends everything at once,
// Shutdown lets requests in progress finish (within its context) and closes
// idle connections straight away. Either way, no goroutine of the server
// runs once it returns.
//
// Limits bound what peers can hold, for every server alike (a source reads
// them with ParseLimits):
//
//	request-read-timeout  ms (default 120000; 0: none). Once the first byte
//	                      of a request arrived, the rest must arrive within
//	                      it; so must a TLS handshake once begun, and a peer
//	                      must take each answer within it. A connection idle
//	                      between requests is never timed out: Flume's
//	                      clients keep theirs open for hours.
//	max-connections       default 0: no limit. A connection over it is
//	                      closed as soon as it is accepted, counted
//	                      (Hooks.OnConnRefused) and logged (one warning per
//	                      10 s); the open ones keep working.
//
// A request's start is seen in Conn.Read (data arriving on an idle
// connection); a handler that buffers ahead calls Conn.Started when the next
// request's first bytes are already in its buffer; Begin and End mark a
// request received and answered. A request that times out is reported to
// Hooks.OnBadRequest and logged by the server, rate limited.
//
// Hooks is the one shape in which every network server of a source reports
// what happens on its connections (the Avro and Thrift servers alias it):
// the OpenConnectionCount gauge, refused connections, bad requests, and the
// batch limit with its refusals. Package source fills it from a source's
// counters (source.Acceptor.Hooks).
//
// An accept failure such as running out of file descriptors is retried with
// a backoff (5 ms doubling to 1 s; one warning per 10 s), so a burst of
// connections cannot make a source stop listening for good.
package netserver
