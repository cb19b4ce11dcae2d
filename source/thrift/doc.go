// Package thrift is Flume's thrift source (type "thrift",
// org.apache.flume.source.ThriftSource): a Thrift server for
// ThriftSourceProtocol (rpc/thriftrpc), the next hop of a thrift sink and
// the endpoint of Thrift clients written in any language.
//
//	client ──frame──► connection goroutine ──decode──► worker slot (threads)
//	       ◄─status──                     ◄── ChannelProcessor.Process (commit)
//
// Properties: bind and port (required), threads (the number of calls
// processed at once; ≤ 0 unbounded, as Flume), protocol (compact, Flume's
// default, or binary), ssl with keystore, keystore-password and
// keystore-type (JKS, PKCS12 or PEM) and the include/exclude protocol and
// cipher-suite lists, plus the flumego addition max-frame-size (bytes,
// default 16 384 000, Java Thrift's limit). kerberos = true is refused as
// not supported (flume.ErrUnsupported); agent-principal and agent-keytab
// are accepted with a warning when Kerberos is off.
//
// threads bounds the calls in progress in plain and TLS mode alike (Java's
// TLS server bounds connections instead); a connection between calls holds
// no frame buffer. Two flumego additions, shared by every network source
// (internal/netserver), bound what senders can hold: request-read-timeout
// (ms, default 120000, Java's TLS socket timeout; 0: none) closes a
// connection whose frame, or TLS handshake, started but did not finish in
// time, and a client idle between calls is never timed out;
// max-connections (default 0: no limit, as Flume) closes connections over
// the cap at once, counts them in ConnectionRefusedCount and logs them
// (rate limited), while the open ones keep working.
//
// Flume quirk: Java Flume accepts "BINARY" but speaks compact for anything
// other than the exact lower-case "binary". flumego speaks binary for any
// case and warns that Java Flume would not.
//
// Delivery guarantee: append and appendBatch answer OK only after the
// channel processor committed the events to every required channel;
// FAILED when a channel refused them (full, closed: flume.IsChannelError),
// so the client keeps them and retries; any other failure (an interceptor
// error, the source stopping) is answered, as Java Flume answers it, with a
// TApplicationException of type INTERNAL_ERROR, which every Thrift client
// raises as an error and Flume's clients treat as a failed delivery. ERROR
// and UNKNOWN are never returned, as in Flume 1.11. A batch larger than the
// channels take in one transaction is answered FAILED from its list header,
// before it is decoded. A retried batch may be duplicated (at-least-once),
// never lost. Stop lets the calls in progress commit and answer (within its
// context; then they are aborted unanswered and their clients resend).
//
// A client that sends garbage, an unframed or TLS message to a plain port,
// a frame over max-frame-size or a frame it never finishes
// (request-read-timeout) loses its own connection only; the bad request is
// counted in EventReadFail.
//
// Counters: Flume's SourceCounter, counted as every network source counts
// (source.Acceptor): Append*, AppendBatch* and Event* received and accepted;
// ChannelWriteFail for FAILED; GenericProcessingFail for an INTERNAL_ERROR
// answer (Java counts nothing there); EventReadFail for a request that
// cannot be read or decoded (Java counts none); OpenConnectionCount, which
// Java's thrift source does not maintain; and the flumego addition
// ConnectionRefusedCount.
package thrift
