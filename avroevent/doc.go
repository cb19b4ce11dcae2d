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
// Decoding is in place and linear in the input: bodies and header strings
// share the input's memory (which must not be modified afterwards), array
// and map block counts are bounded by the bytes left, and the event slice
// grows geometrically however the sender splits an array into blocks.
package avroevent
