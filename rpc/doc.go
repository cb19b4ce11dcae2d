// Package rpc is the client SDK, usable without an agent: an application
// builds a Client from Flume's RpcClient properties (client.type, hosts,
// hosts.<h>, batch-size, connect-timeout, request-timeout, ...) and ships
// events to an avro or thrift source with Append and AppendBatch.
//
// The wire protocols live in rpc/avrorpc and rpc/thriftrpc; each registers a
// HostClientFactory here under its client type ("default" is Avro, as in
// Flume; "thrift" is Thrift), and the failover and load-balancing clients
// are built on whichever host client the properties name.
//
// Delivery guarantee: Append and AppendBatch return nil only when the server
// answered OK, which a flumego or Flume source does only after committing the
// events to every required channel.
package rpc
