// Package avro is Flume's avro sink (type "avro",
// org.apache.flume.sink.AvroSink): it drains a channel into an avro source
// (Java Flume's or flumego's) with appendBatch calls over Avro RPC.
//
// Properties, as Flume 1.11:
//
//	hostname, port                required
//	batch-size                    100; events per transaction and per call
//	connect-timeout               20000 ms (connect, TLS and first call); < 1000 → default
//	request-timeout               20000 ms per call; < 1000 → default
//	reset-connection-interval     0 (never); seconds after which the connection
//	                              is closed and reopened before the next batch
//	                              (not a positive number: never, with a warning;
//	                              the user guide's connection-reset-interval,
//	                              which Java Flume ignores, is honoured with a
//	                              warning); shared with the thrift sink
//	                              (sink.Conn)
//	compression-type              none | deflate; compression-level 0-9 (6)
//	ssl, trust-all-certs, truststore, truststore-password, truststore-type
//	                              (JKS, PKCS12 or a PEM CA bundle),
//	                              include/exclude-protocols and cipher suites
//	maxIoWorkers                  accepted and ignored, as in Flume 1.11
//
// As in Flume every sink property is also handed to the RPC client, so the
// client keys client.type (default_failover, default_loadbalance), hosts,
// max-attempts, host-selector, backoff and maxBackoff work here too.
//
// Delivery guarantee (Flume's AbstractRpcSink): the channel transaction
// commits only after the source answered OK to the whole batch. On an
// error, a FAILED answer or a timeout the transaction rolls back (the
// events are delivered again, so at least once), the connection is closed
// and Process returns the error; the sink runner backs off and the next
// Process connects again. The take–deliver–commit step is sink.Step.
package avro
