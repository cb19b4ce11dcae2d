// Package avro is Flume's avro source (type "avro",
// org.apache.flume.source.AvroSource): an Avro RPC server for
// AvroSourceProtocol, the next hop of an avro sink (Java Flume's or
// flumego's), of `flume-ng avro-client` and of the client SDK.
//
// Properties, as Flume 1.11:
//
//	bind, port                 required; port 0 picks a free port
//	threads                    parsed and ignored, as in Flume 1.11 (each
//	                           connection is served by its own goroutine)
//	compression-type           none (default) | deflate: one zlib stream per
//	                           connection and direction; the client must agree
//	ssl, keystore, keystore-password, keystore-type (JKS, PKCS12 or PEM),
//	keystore-key, include/exclude-protocols, include/exclude-cipher-suites
//	ipFilter, ipFilterRules    comma-separated <allow|deny>:<ip|name>:<pattern>
//	                           rules; * and ? are wildcards; the first rule that
//	                           matches decides, no match accepts; name:localhost
//	                           matches any local address
//
// and two flumego additions that bound what senders can hold, shared by
// every network source (internal/netserver):
//
//	request-read-timeout       ms, default 120000 (0: none): a request that
//	                           started arriving must finish within it (a TLS
//	                           handshake too), or its connection is closed and
//	                           the request counted in EventReadFail. A
//	                           connection idle between requests is never timed
//	                           out: Flume's avro sinks keep theirs for hours.
//	max-connections            default 0 (no limit, as Flume): a connection
//	                           over it is closed at once, counted in
//	                           ConnectionRefusedCount and logged (rate limited);
//	                           the open ones keep working.
//
// Delivery guarantee: append and appendBatch answer OK only after the
// ChannelProcessor committed the events to every required channel. A
// channel refusal (full, transactionCapacity smaller than the batch,
// stopped) answers FAILED, as Java's source does, and the sender resends;
// a batch larger than the channels take in one transaction is answered
// FAILED from its block counts, before it is decoded. Any other failure (an
// interceptor error, for example) answers with an Avro error. Calls of one
// connection are handled in order, so a sender that waits for each answer
// keeps its order. A malformed frame closes that connection only. Stop lets
// the calls in progress commit and answer (within its context; then they
// are aborted unanswered and their senders resend).
//
// Counters: Flume's SourceCounter, counted as every network source counts
// (source.Acceptor): Append*, AppendBatch* and Event* received and accepted;
// ChannelWriteFail for a FAILED answer; GenericProcessingFail for an error
// answer (Java's avro source counts every failure of a batch as
// ChannelWriteFail and an append's non-channel failure not at all);
// EventReadFail for a request that cannot be read or decoded (Java counts
// none); OpenConnectionCount, kept live (Java refreshes it every 60 s); and
// the flumego addition ConnectionRefusedCount.
package avro
