// Package taildir implements Flume's TAILDIR source (type "TAILDIR",
// org.apache.flume.source.taildir.TaildirSource): it follows the files of
// one or more file groups as they grow and turns every line into an event,
// remembering in a position file how far each file was read.
//
// Properties (Flume's names and defaults): filegroups (required; group
// names separated by spaces), filegroups.<group> (a directory, taken
// literally, then a Java regular expression that must match a whole file
// name: /var/log/app/.*\.log), headers.<group>.<name> (static headers of
// the group's events), positionFile (~/.flume/taildir_position.json),
// idleTimeout (120000 ms), writePosInterval (3000 ms), batchSize (100),
// maxBatchCount (batches read from one file before the next file gets its
// turn; unlimited), backoffSleepIncrement (1000 ms) and maxBackoffSleep
// (5000 ms), cachePatternMatching (true), fileHeader (false) and
// fileHeaderKey ("file": the file's absolute path), byteOffsetHeader
// (false: header "byteoffset", the line's offset in the file), skipToEnd
// (false: files the position file does not know, found at start-up, are
// read from their end).
//
// Lines end at \n; one \r before the \n is removed; the body is the line's
// bytes, not decoded. A last line without newline waits for its newline,
// except when the file has been idle for idleTimeout (or, rotated away,
// is dropped): it is then delivered as it is, as Flume does. (Flume also
// drops a \r that ends one of its 8 KiB reads when the \n is not the next
// byte; flumego keeps such a \r.)
//
// A file group's directory must exist, as in Flume (flume-ng check reports
// one that does not); the running source does not fail without it, but
// warns and picks it up once it appears.
//
// # Positions
//
// The position file is Flume's: a JSON array of {"inode", "pos", "file"}
// objects on one line, so an agent moving from Flume to flumego carries on
// where Flume stopped, and back. A position is recorded only once its batch
// is committed to the channels. Beside it, <positionFile>.flumego keeps
// what Flume's file cannot (Flume's reader fails on any other key): each
// file's device, file group and fingerprint, and a journal of the
// positions committed since the position file was written. Every commit is
// appended to that journal (no fsync: it survives a killed process), so a
// kill -9 repeats at most the batch being committed; every writePosInterval
// and at stop, both files are rewritten atomically (temporary file, fsync,
// rename, fsync of the directory), so a power failure repeats at most what
// was committed since. The journal is used only while the position file is
// the one written with it: when Flume ran in between, its position file
// wins. A position file that cannot be parsed is reported; every file is
// then read from its start (skipToEnd is not applied, so nothing is
// skipped).
//
// # Rotation
//
// Flume identifies a file by its inode but keys it by its path, so a file
// renamed to a name its group still matches is read again from the start,
// and a deleted file's inode given to a new file resumes at the old
// position. flumego identifies a file by device and inode and checks its
// fingerprint (checksums of its first KiB and of the bytes just before the
// position) whenever it reopens it:
//
//   - A renamed file is followed: it keeps its position under its new name
//     (logrotate's create).
//   - A file that leaves its group's pattern (renamed, moved or deleted) is
//     read to its end through the descriptor it had open, then dropped once
//     it has not grown for idleTimeout; one that was closed is looked for in
//     its directory by inode.
//   - A file shorter than its position, or whose first bytes changed, was
//     truncated (copytruncate) or replaced: it is read again from its start,
//     once. The lines its old content had after the position are read from
//     the copy: a file of the same directory that holds the old
//     fingerprint. A copy matched by the group is not read twice.
//   - A recycled inode (a new file with a deleted file's inode number) does
//     not hold the fingerprint: it is read from its start.
//   - The same holds across a restart: a file renamed, rotated or truncated
//     while the agent was down is found and finished from its position,
//     with the fingerprints of the state file (positions that came from
//     Flume's file have none: for them flumego requires the same inode at
//     the same path, as Flume does).
//
// skipToEnd applies only to files whose path the position file does not
// know: a file that replaced a rotated one is read from its start.
//
// # Many files
//
// On Linux the source watches each group's directory with inotify (one
// watch per directory, none per file) and reads a file as soon as it is
// written; it also rescans every maxBackoffSleep, in case an event was
// missed (a network file system). Elsewhere, or without inotify, it polls
// as Flume does, backing off by backoffSleepIncrement up to maxBackoffSleep
// while nothing is new. A file is open only while it is written to: one
// that has not grown for idleTimeout is closed. The source keeps one read
// buffer, not one per file; each tracked file costs its bookkeeping only.
//
// Counters: EventReceivedCount, EventAcceptedCount, AppendBatchReceivedCount,
// AppendBatchAcceptedCount, ChannelWriteFail (the channels refused a batch,
// which is retried after 1 s, doubling up to 5 s, as Flume), EventReadFail
// (a file or directory could not be read), GenericProcessingFail (the
// position file could not be written, or an interceptor failed a batch).
package taildir
