// Package spooldir implements Flume's spooling directory source (type
// "spooldir", org.apache.flume.source.SpoolDirectorySource): it reads the
// files dropped into a directory, one at a time, turns them into events
// with a deserializer (package deserializer: LINE, AVRO, BLOB or a
// plugin's), and marks each file done once every event of it is committed
// to the channels.
//
// Properties, with Flume's defaults:
//
//	spoolDir                  (required) the directory
//	fileSuffix                .COMPLETED  appended to a file's name when it is done
//	deletePolicy              never       or immediate: delete files when done
//	trackingPolicy            rename      or tracker_dir: leave done files as they are
//	                                      and create an empty <trackerDir>/<name><fileSuffix>
//	trackerDir                .flumespool under spoolDir when relative; holds the tracker file
//	fileHeader                false       header fileHeaderKey (file) = the file's absolute path
//	basenameHeader            false       header basenameHeaderKey (basename) = its name
//	includePattern            ^.*$        Java regex a file name must match (whole name)
//	ignorePattern             ^$          Java regex of names to leave alone; also directories
//	consumeOrder              oldest      youngest (by modification time in ms, ties by
//	                                      name), or random
//	pollDelay                 500         ms between scans of the directory
//	recursiveDirectorySearch  false       read subdirectories too
//	maxBackoff                4000        ms: the longest pause while the channels refuse a
//	                                      batch (250 ms, doubling)
//	batchSize                 100         events per transaction
//	inputCharset              UTF-8       a Java charset name (package internal/charset)
//	decodeErrorPolicy         FAIL        REPLACE (U+FFFD) or IGNORE
//	deserializer              LINE        and its options under deserializer.
//	bufferMaxLineLength       -           deprecated: a LINE deserializer's maxLineLength
//
// Files and directories whose name starts with "." are never read, nor are
// files ending with fileSuffix or, under tracker_dir, those with a marker.
// An empty file produces one event with an empty body, as in Flume.
//
// Delivery. A batch is read, put on the channels, and only then is the
// position after it appended to the tracker file, Flume's
// <trackerDir>/.flumespool-main.meta: an Avro container file of
// TransferStateFileMeta records with the file's path in metadata entry
// "file", read and written compatibly, so an agent that replaces Java Flume
// (or is replaced by it) resumes a half-read file at its last committed
// event. When a file is done its tracker file is emptied (Flume deletes it;
// both read an empty one as none), which saves creating a file per spooled
// file. A restart, even after kill -9, resumes there: nothing is lost and
// a LINE or BLOB file repeats nothing (AVRO repeats the committed records
// of one block, as Flume). The file the tracker names is finished first;
// Flume finishes it only if it happens to come next and otherwise reads it
// again from its start. Positions are not fsynced (nor are they in Flume):
// after a machine crash a file may resume earlier and repeat events. When
// the channels refuse a batch, the source waits (250 ms doubling up to
// maxBackoff) and reads the batch again from the file, since interceptors
// may have changed the refused events in place.
//
// A done file is renamed in one step that never replaces an existing file
// (renameat2 RENAME_NOREPLACE on Linux, a hard link and an unlink
// elsewhere), so a name used twice is caught, never overwritten.
//
// A file is picked up once it has not changed for a pollDelay: at once
// when its modification time is older than that (files moved in, files
// present at start), otherwise when two scans a pollDelay apart find it
// unchanged (which also copes with clocks that disagree). Flume picks a
// file at the first scan, even one still being written.
//
// A file is read as it was when it was picked up (its size then). Before
// the source delivers the batch that reaches that end, and again before it
// marks the file done, it checks that the file is unchanged (same device,
// inode, size and modification time). Where Flume throws
// IllegalStateException and stops the source for good, a file that
// changed is reported (EventReadFail, a rate-limited warning), left in
// place, and read on from the last committed event once it has not changed
// for a pollDelay: a file still being written is read once, in full, and
// its last line is never cut (save a write in the microseconds between the
// check and the delivery).
//
// Bad input never stops the source, and nothing is marked done that was
// not fully committed. A spooling directory that is missing, not a
// directory, or in which files cannot be created and removed (Flume's
// canary check; not with trackingPolicy tracker_dir) is reported and
// retried at least every second. A subdirectory that cannot be listed is
// skipped with a warning. A file that cannot be opened, is not valid in
// the inputCharset under FAIL, or is not valid in the deserializer's format
// is reported with its path and position (GenericProcessingFail or
// EventReadFail); the events before the problem are delivered and the file
// is left in place until it changes (a chmod, a fix), then read on. A file
// that cannot be marked done (its done name is taken: spooled file names
// must be unique; a permission) is reported and marking it is retried at
// every scan. A file that disappears while it is read has its events
// delivered and nothing marked. Files left in place are remembered while
// the source runs; the tracker holds one position, so after a restart such
// a file is read again from its start.
//
// Counters: EventReceivedCount, EventAcceptedCount,
// AppendBatchReceivedCount, AppendBatchAcceptedCount, ChannelWriteFail,
// EventReadFail, GenericProcessingFail, as Flume's source.
package spooldir
