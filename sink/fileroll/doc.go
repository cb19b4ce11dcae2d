// Package fileroll implements Flume's file_roll sink (type "file_roll",
// org.apache.flume.sink.RollingFileSink): events are written to files in a
// local directory, and a new file is started every rollInterval seconds.
//
// Properties (Flume's names and defaults; note the "sink." prefix):
//
//	sink.directory              (required) output directory; created if missing
//	sink.rollInterval           30 seconds; 0 = never roll (one file)
//	sink.serializer             TEXT | HEADER_AND_TEXT | AVRO_EVENT, a builder class name,
//	                            or a plugin's serializer (see package serializer)
//	sink.serializer.*           the serializer's options: appendNewline (true; text
//	                            serializers), syncIntervalBytes (2048000) and
//	                            compressionCodec (null | deflate | snappy; avro_event)
//	sink.batchSize              100 events per transaction
//	sink.pathManager            DEFAULT (<prefix><startMillis>-<n>[.<ext>]) | ROLLTIME (<prefix><yyyyMMddHHmmss>-<n>[.<ext>])
//	sink.pathManager.prefix     ""
//	sink.pathManager.extension  ""
//	sink.fsync                  false (a flumego addition: fsync before every commit)
//
// As in Flume, a file is opened at the start of each Process call even when
// the channel is empty, so an idle sink leaves one empty file per interval.
// The serializer writes its header when a file is opened (AfterCreate), is
// flushed before every commit, and writes its trailer before the file is
// closed (BeforeClose); files are never reopened for append.
//
// Delivery: the buffered output is written to the file before the channel
// transaction commits, so a committed event is in the operating system's
// hands and survives a crash of the agent. Surviving a power failure needs
// sink.fsync = true, which syncs the file before each commit.
package fileroll
