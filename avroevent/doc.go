// Package avroevent is the one codec of Flume's AvroFlumeEvent record in
// Avro's binary encoding,
//
//	{"type": "record", "name": "AvroFlumeEvent", "namespace": "org.apache.flume.source.avro",
//	 "fields": [{"name": "headers", "type": {"type": "map", "values": "string"}},
//	            {"name": "body", "type": "bytes"}]}
//
// shared by everything that speaks it: Avro RPC's append and appendBatch
// (package avrorpc), the Kafka sink's useFlumeEventFormat values, and the
// avro_event serializers and deserializers.
//
// Decoding is in place and linear in the input: bodies and headers share
// the input's memory (which must not be modified afterwards; flume.Event
// keeps headers in Avro's map encoding, so a map sent as one block without
// duplicate names is used where it lies, and encoding copies it back out
// as it is), array and map block counts are bounded by the bytes left, and
// the event slice grows geometrically however the sender splits an array
// into blocks.
package avroevent
