// Package rpc is the client SDK, usable without an agent: an application
// builds a Client from Flume's RpcClient properties (client.type, hosts,
// hosts.<h>, batch-size, connect-timeout, request-timeout, ...) and ships
// events to an avro or thrift source with Append and AppendBatch.
//
// NewClient builds the client that client.type names (default: Avro, as in
// Flume; thrift; default_failover; default_loadbalance). A component that
// reads the same keys from its own properties (the avro sink) parses them
// once with ParseConfig, which reports problems at their keys, and builds
// each connection with New. The failover and load-balancing clients are
// built on whichever single-host client host-client-type names (Avro by
// default).
//
// This package also reads the Flume properties of the thrift components
// (ParseThriftClient for the thrift sink, ParseThriftProtocol,
// ParseMaxFrameSize and CheckKerberos for the thrift source too). The wire
// protocols live in rpc/avrorpc and rpc/thriftrpc, which know nothing of
// Flume properties. A Flume feature flumego lacks (Kerberos, a custom
// class) is recorded with flume.Context.Unsupportedf, so the error matches
// flume.ErrUnsupported.
//
// Delivery guarantee: Append and AppendBatch return nil only when the server
// answered OK, which a flumego or Flume source does only after committing the
// events to every required channel.
package rpc
