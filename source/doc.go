// Package source holds what every source shares: the ChannelProcessor that
// runs a source's interceptors and channel selector and commits its events,
// Flume's channel selectors (replicating, multiplexing, load_balancing,
// which Register adds to a flume.Registry), and the construction of both
// from a source's configuration, with the selector's and the interceptors'
// types looked up in the registry. Each source type lives in a sub-package
// (source/exec, source/avro, ...), interceptors in source/interceptor.
//
// Network sources share two more pieces. Acceptor is the accept step: a
// request of events from a sender is committed, answered OK, Failed (a
// channel refused) or Error, counted with Flume's source counters under one
// mapping (see Acceptor), and failures are logged without flooding; its
// Hooks report a server's connections, bad requests and refused batches.
// Endpoint is the lifecycle: listen on bind:port, start a Server, and on
// Stop drain the requests in progress within the stop context. The avro
// and thrift sources are both, around their RPC servers:
//
//	sender ──request──► Server (avrorpc, thriftrpc; internal/netserver:
//	       ◄──answer──   limits, connections)
//	                       │ events, Call ▲ Outcome
//	                       ▼              │
//	                     Acceptor ── ChannelProcessor.Process ──► channels
//
// The HTTP source fits the same way: its handler parses the request body
// (a parse failure is Acceptor.BadRequest and 400), calls Accept with
// AppendBatch and answers 200, 503 or 500 for OK, Failed and Error; an
// http.Server adapted to Server runs under an Endpoint. The syslog sources
// call Accept with Events per message or batch of messages read off a TCP
// connection (netserver, so they get the same limits) or a UDP datagram;
// an unparsable message is a BadRequest, and Failed stops reading that
// connection until the channels take events again.
//
// Delivery guarantee: Process returns nil only after the events are
// committed on every required channel. Each required channel gets its own
// transaction, in selector order, as in Flume; when one fails, the channels
// before it keep their copy, so a retried batch may be duplicated there but
// never lost.
package source
