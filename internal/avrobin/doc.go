// Package avrobin holds the Avro binary encoding primitives (zig-zag
// longs, strings, bytes, block counts) shared by the hand-written Avro
// codecs: the AvroFlumeEvent codec (package avroevent) and Avro RPC's calls
// and handshakes (package avrorpc). Every reader is bounded by the bytes
// left, so a hostile length or count fails with ErrMalformed instead of
// allocating.
package avrobin
