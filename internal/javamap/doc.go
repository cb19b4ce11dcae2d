// Package javamap reproduces the iteration order of a java.util.HashMap
// with String keys, the order in which Flume prints an event's headers
// (the header_and_text serializer writes Map.toString) and in which Java's
// Avro writes an object container file's metadata.
//
// A HashMap iterates bucket by bucket: a key's bucket is its String.hashCode,
// spread (h ^ h>>>16), masked by the table size, which starts at 16 and
// doubles whenever the map holds more than three quarters of it. Keys that
// share a bucket come in insertion order; Go's maps keep none, so Order
// breaks those ties by sorting, which is Java's order when the keys were
// inserted sorted. A bucket of more than eight keys (Java then makes it a
// tree) is not modelled: it needs hashes crafted to collide.
package javamap
