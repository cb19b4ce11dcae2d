// Package fileroll implements Flume's file_roll sink (type "file_roll",
// org.apache.flume.sink.RollingFileSink): events are written to files in a
// local directory, and a new file is started every rollInterval seconds.
//
// Properties (Flume's names and defaults; note the "sink." prefix):
//
//	sink.directory              (required) output directory; created if missing
//	sink.rollInterval           30 seconds; 0 = never roll (one file)
//	sink.serializer             TEXT | HEADER_AND_TEXT | AVRO_EVENT (or the builder class names)
//	sink.serializer.appendNewline      true  (text serializers)
//	sink.serializer.syncIntervalBytes  2048000 (avro_event)
//	sink.serializer.compressionCodec   null | deflate | snappy (avro_event)
//	sink.batchSize              100 events per transaction
//	sink.pathManager            DEFAULT (<prefix><startMillis>-<n>[.<ext>]) | ROLLTIME (<prefix><yyyyMMddHHmmss>-<n>[.<ext>])
//	sink.pathManager.prefix     ""
//	sink.pathManager.extension  ""
//	sink.fsync                  false (a flumego addition: fsync before every commit)
//
// As in Flume, a file is opened at the start of each Process call even when
// the channel is empty, so an idle sink leaves one empty file per interval.
//
// Delivery: the buffered output is written to the file before the channel
// transaction commits, so a committed event is in the operating system's
// hands and survives a crash of the agent. Surviving a power failure needs
// sink.fsync = true, which syncs the file before each commit.
package fileroll
