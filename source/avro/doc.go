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
// Delivery guarantee: append and appendBatch answer OK only after the
// ChannelProcessor committed the events to every required channel. A
// channel refusal (full, transactionCapacity smaller than the batch,
// stopped) answers FAILED, as Java's source does, and the sender resends;
// any other failure (an interceptor error, for example) answers with an
// Avro error. Calls of one connection are handled in order, so a sender that
// waits for each answer keeps its order. A malformed frame closes that
// connection only.
package avro
