// Package thrift is Flume's thrift sink (type "thrift",
// org.apache.flume.sink.ThriftSink): it drains its channel in batches to a
// thrift source (flumego's or Java Flume's) with appendBatch calls over one
// connection (rpc/thriftrpc).
//
// Properties: hostname and port (required), batch-size (100; < 1 → 100),
// connect-timeout and request-timeout (ms, 20000; < 1000 → 20000),
// reset-connection-interval (seconds, 0 = never: the connection is closed
// and reopened before the next batch once it is that old, to rebalance
// behind a load balancer; the user guide's spelling
// connection-reset-interval, which Java Flume ignores, is honoured with a
// warning; read and applied as the avro sink does, by sink.Conn), protocol (compact, Flume's default, or binary; must match the
// source), ssl with truststore, truststore-password, truststore-type (JKS,
// PKCS12 or PEM), trust-all-certs and the protocol / cipher-suite lists,
// and max-frame-size (flumego). kerberos = true is refused as not
// supported (flume.ErrUnsupported). Unlike Java's thrift client, flumego
// applies connect-timeout.
//
// Delivery guarantee: built on sink.Step, the sink commits its channel
// transaction only after the source answered OK to every call of the
// batch. A FAILED or ERROR answer, an exception, a timeout or a broken
// connection rolls the transaction back (the events are taken again, in
// order, on the next attempt), closes the connection and returns the
// error, so the sink runner backs off (or the sink group fails over). A
// batch too large for one frame is sent in several calls; a single event
// larger than max-frame-size fails every attempt, with an error that says
// so, rather than being dropped.
//
// Counters: Flume's SinkCounter (connection created / closed / failed,
// batch complete / underflow / empty, drain attempt / success,
// EventWriteFail, ChannelReadFail).
package thrift
