// Package serializer holds Flume's event serializers, the formats in which
// the file_roll and HDFS sinks write events to files (Flume's
// org.apache.flume.serialization package), and FromConfig, with which a sink
// reads the serializer its configuration names. Register adds them to a
// flume.Registry:
//
//	text              BodyTextEventSerializer$Builder: the body, then "\n"
//	header_and_text   HeaderAndBodyTextEventSerializer$Builder: the headers as
//	                  Java prints a map ({k1=v1, k2=v2}), a space, the body, "\n"
//	avro_event        FlumeEventAvroEventSerializer$Builder: an Avro object
//	                  container file of {"headers": map<string>, "body": bytes}
//
// and, under its class name only (as in Flume, where the HDFS sink ships it),
//
//	org.apache.flume.sink.hdfs.AvroEventSerializer$Builder
//	                  each event body is one Avro binary datum, written as is
//	                  into an Avro object container file whose schema is the
//	                  file's first event's: header flume.avro.schema.url
//	                  (http, https, file; read once per sink), else
//	                  flume.avro.schema.literal, else the schemaURL option;
//	                  none fails the event, as in Flume. Later events of the
//	                  file are not checked against it (nor are they in Flume).
//
// (the short names match in any case, the builder class names exactly). A
// plugin adds its own format with flume.RegisterEventSerializer, under its
// builder's class name.
//
// Options (under the sink's serializer prefix: file_roll's
// "sink.serializer.", HDFS's "serializer."), with Flume's defaults:
//
//	appendNewline      true     text, header_and_text: write "\n" after each body
//	syncIntervalBytes  2048000  the Avro serializers: start a new Avro block once
//	                            this many (uncompressed) bytes are buffered;
//	                            32 to 2^30
//	compressionCodec   null     the Avro serializers: null, deflate or snappy.
//	                            Flume's Avro also knows bzip2, xz and zstandard, which are
//	                            refused as unsupported; any other name is warned
//	                            about and the file is written uncompressed, as
//	                            Flume does.
//	schemaURL          (none)   AvroEventSerializer: the schema of events whose
//	                            headers name none (http, https or file; not hdfs)
//
// The bytes are Flume's: header_and_text lists the headers in the order a
// java.util.HashMap iterates them (see internal/javamap; Flume prints
// Map.toString, and the tests compare with a JDK), and avro_event writes the
// same container layout as Avro's Java DataFileWriter — a block per
// syncIntervalBytes and per Flush (a sink's commit) — differing only in the
// random sync marker. Files are never reopened for append by file_roll;
// avro_event refuses it, as Flume's does.
//
// Delivery: a serializer only formats. Write may buffer (avro_event keeps an
// Avro block), Flush hands everything to the sink's writer; the sink flushes
// and syncs that writer before it commits its transaction.
package serializer
