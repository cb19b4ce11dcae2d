// Package deserializer holds Flume's event deserializers, the formats in
// which the spooling directory source reads its files (Flume's
// org.apache.flume.serialization EventDeserializer implementations), and
// FromConfig, with which a source reads the deserializer its configuration
// names. Register adds them to a flume.Registry:
//
//	LINE     LineDeserializer$Builder: one event per line
//	AVRO     AvroEventDeserializer$Builder: one event per record of an Avro
//	         object container file
//	org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder: the file
//	         (up to maxBlobLength bytes) as one event
//
// (LINE and AVRO match in any case, the builder class names, under
// org.apache.flume.serialization, exactly). A plugin adds its own format with
// flume.RegisterEventDeserializer, under its builder's class name.
//
// Options (under the source's "deserializer." prefix), with Flume's
// defaults:
//
//	maxLineLength  2048       LINE: the most Java chars (UTF-16 code units) in
//	                          one event; a longer line is cut into several
//	                          events, never inside a character
//	outputCharset  UTF-8      LINE: the charset of the event bodies
//	schemaType     HASH       AVRO: HASH puts the schema's CRC-64-AVRO
//	                          fingerprint (little-endian hex, as Java's
//	                          SchemaNormalization) in header
//	                          flume.avro.schema.hash; LITERAL puts the schema
//	                          in flume.avro.schema.literal
//	maxBlobLength  100000000  BLOB: the most bytes in one event; a longer file
//	                          becomes several events
//
// LINE decodes the file in the source's inputCharset under its
// decodeErrorPolicy (package internal/charset) and splits it on "\n" only:
// a "\r" before it stays in the body, as in Flume, and a last line without
// "\n" is an event too. Lines are cut on raw bytes before decoding, so a
// valid UTF-8 line in UTF-8 out is copied without conversion, and every
// position is an exact byte offset: Mark returns the position right after
// the last line read, and a restart repeats nothing. Under FAIL, the lines
// before an undecodable one are returned, then an error naming the file and
// the byte offset. Differences from Flume, all fixes: a line of exactly
// maxLineLength chars is one event (Flume also emits an empty one after
// it), a cut never splits a surrogate pair, and UTF-16 input resumed in the
// middle keeps the byte order its BOM gave.
//
// AVRO's event body is each record in Avro binary encoding: the datum's
// bytes as they are in the file (Flume decodes and re-encodes the record,
// which gives the same bytes). LITERAL's header is the file's avro.schema
// with insignificant whitespace removed (Flume prints the parsed schema,
// which may also order attributes differently). Mark returns the position
// Flume's deserializer persists, the sync marker before the block being
// read (after it once the block is fully read), so a restart re-reads the
// committed records of at most that one block, as Flume does; Reset,
// within one run, returns to the exact record.
//
// BLOB reads bytes as they are; Mark returns the position after the last
// chunk.
package deserializer
