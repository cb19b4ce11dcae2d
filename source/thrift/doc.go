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
// TLS server bounds connections instead); connections themselves are not
// bounded, and one between calls holds no frame buffer.
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
// and UNKNOWN are never returned, as in Flume 1.11. A retried batch may be
// duplicated (at-least-once), never lost.
//
// A client that sends garbage, an unframed or TLS message to a plain port,
// a frame over max-frame-size or a frame it never finishes (120 s) loses
// its own connection only; the bad request is counted in EventReadFail.
// Counters: Flume's SourceCounter (Append*, AppendBatch*, Event*,
// ChannelWriteFail, GenericProcessingFail, EventReadFail, and
// OpenConnectionCount, which Java's thrift source does not maintain).
package thrift
