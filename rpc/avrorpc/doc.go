// Package avrorpc is Flume's AvroSourceProtocol on Avro's Netty transport,
// shared by the avro source (Server), the avro sink, the client SDK and
// avro-client (Conn):
//
//	TCP
//	 └─ [deflate]   one zlib stream per connection and direction, a sync
//	                flush per write (compression-type = deflate)
//	     └─ [TLS]
//	         └─ pack    int32 serial, int32 count, count × (int32 length, bytes)
//	             └─ [HandshakeRequest | HandshakeResponse]  until established
//	                 call metadata (map<bytes>), message name, params
//	                 / metadata, error flag, Status or error string
//
// The handshake records are encoded with goavro after a bounded check of
// their shape; the hot path (AvroFlumeEvent and the appendBatch array) uses
// the hand-written codec of package avroevent, which decodes events in place: bodies and header
// strings share the request's buffer, which is allocated per request and
// never reused, so events put on a channel stay valid. Java Flume's client
// sends Flume's protocol hash (ProtocolHash) as both client and server hash
// and the server answers BOTH; other clients go through NONE (resend with
// the protocol text) and CLIENT, as Avro's Responder does. Our Conn sends
// ProtocolHash, so a Java source accepts it at once.
//
// Every decoder is bounded: a pack's payload by ServerConfig.MaxFrameSize
// (memory is allocated as bytes arrive, not from claimed lengths), buffer
// counts by what the pack could hold, map and array block counts and string
// lengths by the bytes left. A framing or handshake error closes that
// connection only; a call whose parameters cannot be decoded, or that names
// an unknown message, gets an Avro error answer as from Java. A request
// that starts but does not finish arriving within the request timeout
// closes its connection (ServerConfig.Limits; a connection idle between
// requests is never timed out), and Limits.MaxConnections refuses
// connections over a cap. With Hooks.MaxBatch set, an appendBatch with more
// events than the owner accepts is answered FAILED from its block counts.
//
// The Server reports to its owner through Hooks (open connections, refused
// connections, bad requests, refused batches), the same type as the Thrift
// server's. Close ends every call at once; Shutdown lets calls in progress
// answer first.
//
// Delivery guarantee: the Server answers a call only after its Handler
// returned, so an OK means whatever the handler promises (the avro source:
// committed to every required channel). A Conn reports OK only for an OK
// answer to that very call (matched by serial); any failure breaks the
// connection so that no late answer can be mistaken for a later call's.
package avrorpc
