// Package file implements Flume's durable file channel (type "file",
// org.apache.flume.channel.file.FileChannel): a transactional queue whose
// events survive a crash of the process, the kernel or the machine.
//
// # Delivery guarantee
//
// A put is durable when Commit returns: its records are written to a data
// log and fsynced (group commit: one fsync covers every transaction that
// committed meanwhile). A take is removed only when its Commit returns,
// again after an fsync of its take record. A crash at any point loses no
// committed put, resurrects no put whose commit had not started, and
// redelivers events taken by transactions that had not committed (at least
// once; they come back at the head of the queue). Puts whose Commit was
// interrupted by the crash are in doubt: they are either all present or all
// absent. Each producer's events keep their order.
//
// Turning fsyncPerTransaction off trades that for speed, explicitly: commits
// are acknowledged once written to the operating system, which survives a
// process crash but not a power failure or kernel crash (up to
// fsyncInterval of acknowledged events can be lost then); each such commit
// is counted in UnsyncedCommitCount and a warning is logged at
// configuration.
//
// # Properties
//
// Flume's names and defaults (reference §2.2.2):
//
//	checkpointDir         ~/.flume/file-channel/checkpoint  checkpoint database; locked with in_use.lock
//	useDualCheckpoints    false      copy every checkpoint to backupCheckpointDir
//	backupCheckpointDir   -          required with dual checkpoints; must differ from checkpointDir and dataDirs
//	dataDirs              ~/.flume/file-channel/data  comma-separated; log files rotate over them
//	capacity              1000000    events held: committed, being taken, and put by open transactions
//	transactionCapacity   10000      puts, or takes, per transaction; must not exceed capacity
//	checkpointInterval    30000      milliseconds between checkpoints (only when something changed)
//	maxFileSize           2146435071 bytes per data log file (larger values are clamped, as in Flume)
//	minimumRequiredSpace  524288000  free bytes puts leave on each data and checkpoint disk (floor 1048576; see Disk space)
//	keep-alive            3          seconds Put waits for capacity and Take for a first event
//	checkpointOnClose     true       write a checkpoint at Stop, so the next start replays nothing
//	fsyncPerTransaction   true       see above
//	fsyncInterval         5          seconds between fsyncs when fsyncPerTransaction is false
//
// use-log-replay-v1 and use-fast-replay are accepted with a warning that they
// are not needed: replay always reads each log once, from the checkpoint's
// position. compressBackupCheckpoint is accepted and ignored (the checkpoint
// is small: about 2 bytes per queued event). encryption.* is rejected with an
// error wrapping flume.ErrUnsupported: encrypted logs are not supported yet.
//
// As in Flume, one transaction may put or take, not both; an event is
// removed from the queue by its take and returned by a rollback. Unlike
// Flume's file channel, Take waits up to keep-alive for a first event (the
// flume.Transaction contract), and a channel whose queue exceeds a lowered
// capacity starts anyway (puts wait until it drains) instead of forcing a
// full replay. Below minimumRequiredSpace, puts and put commits fail with a
// channel error; take commits still work (see Disk space).
//
// # On disk
//
//	checkpointDir/
//	    in_use.lock                flock: one channel per directory
//	    checkpoint.db              bbolt: the queue as of a log position
//	        meta/state             replay position (log file, offset), next transaction id,
//	                               queue length and CRC-32C, lowest log file needed, CRC-32C
//	        queue/<u32 chunk>      pointers to the queued events, in queue order, delta encoded
//	                               (events of open take transactions first)
//	    checkpoint.db.corrupt      a checkpoint found unusable at start, set aside
//	backupCheckpointDir/
//	    in_use.lock
//	    checkpoint.db              consistent copy of the last checkpoint (temporary file + rename)
//	dataDirs[i]/
//	    in_use.lock
//	    log-<id>                   append-only log; file id lives in dataDirs[id % len(dataDirs)]
//
//	log-<id>:  | header | put | put | commit | take | put | commit | ... | 0 0 0 (preallocated)
//	record:    | len u32 | crc32c u32 | type u8 | txid u64 | body ............... |
//	           put:    the event (headers, body)     commit: count of the puts before it
//	           take:   (file, offset) of each event a committed take removed
//	           header: magic, format version, file id
//
// A put transaction is written at Commit as its put records followed by a
// commit record, contiguously; a take transaction as one take record. The
// queue in memory holds pointers (file, offset, size), not events, delta
// encoded as in the checkpoint (a record that follows the previous one in
// its file costs its size, about 2 bytes): a million queued events cost
// about 2 MB, and Take reads the events back with one pread per run of
// adjacent records (usually from the page cache).
//
// # Write path
//
// Commit hands the transaction to the channel's writer goroutine, which
// takes every commit waiting, writes their records to the active log file
// (starting the next file, in the next data directory, when a record would
// pass maxFileSize), calls fdatasync once, applies the group to the queue
// in log order and answers every committer. Files are preallocated in 16 MB
// steps so that the fsync need not record a size change (out of at most
// half the space puts may still use, so a small disk is not taken whole). A write or fsync
// error fails the whole group and the next group starts a new file, so no
// record is ever appended after a damaged one.
//
// # Checkpoints and recovery
//
// Every checkpointInterval (and at Stop) the queue is snapshotted under the
// channel lock together with the log position of the last applied group,
// and written to checkpoint.db in one bbolt transaction (atomic: a crash
// during the write leaves the previous checkpoint); with dual checkpoints it
// is then copied to the backup directory. Start:
//
//  1. locks every directory (in_use.lock);
//  2. loads checkpoint.db and verifies it (bbolt opens, the state and queue
//     CRCs match, every log file it needs exists and holds the records, the
//     first and last queued events read back);
//  3. if it is missing or unusable (it is renamed checkpoint.db.corrupt), loads
//     and verifies the backup; if that is unusable too, starts from an
//     empty queue and replays every log from its beginning;
//  4. replays the log records after the checkpoint's position: committed
//     puts are appended, committed takes removed; puts without their commit
//     record (a transaction cut short by the crash) are discarded; a torn
//     record ends its file;
//  5. continues writing the last log file: whatever follows its last valid
//     record (a torn write, preallocated zeros) was never acknowledged and
//     is cut off first, so nothing is ever written after a torn record, and
//     a start needs no new disk space (a file without a header is left and
//     a new one started);
//  6. logs which path was taken (source=checkpoint|backup|logs|empty), how
//     many events and records, and how long it took, and publishes the same
//     in RecoverySource, RecoveryEventCount, RecoveryReplayedRecords and
//     RecoveryDurationMs; when the queue did not come from the primary
//     checkpoint, or records were replayed, writes a checkpoint before
//     taking traffic (on a disk too full for it, the channel starts without
//     it: the checkpoint on disk or the logs recover the same queue).
//
// Events taken by transactions that never committed are simply not in any
// take record, so they come back.
//
// Log files are deleted after a checkpoint, oldest first, while their id is
// below the lowest file still needed by a queued or in-flight event, by the
// writer, by the primary checkpoint or by the backup checkpoint (the file
// it replays from and the files its events are in). The files kept are
// always a suffix of the log, so a take record is never deleted before the
// put it removes, and a full replay from the logs alone stays exact.
//
// # Disk space
//
// Every write is checked against the free space of the data and checkpoint
// disks before it is made (the fullest disk counts), so the channel does not
// fill its disk and can always start and drain:
//
//   - Puts leave free minimumRequiredSpace, or, when more, what draining
//     every event the channel holds writes (25 bytes each: the 8-byte
//     pointer in a take record plus the record's header, for a sink taking
//     one event per transaction) plus 256 KiB. Below that, puts and put
//     commits fail with a channel error (sources push back) and Flume's
//     threshold holds: the channel stops taking events.
//   - Take commits may use that reserve, so a sink can always drain the
//     channel, whatever its batch size and however full the disk was when
//     the puts stopped; a start needs no new space (step 5 above).
//   - Checkpoints and backup copies are written only out of the space the
//     reserve does not need; otherwise they wait (logged once a minute), and
//     the previous checkpoint stays valid. A backup checkpoint that cannot
//     be refreshed stops keeping old log files, which may then be deleted
//     (if the primary checkpoint were lost afterwards, recovery would use
//     the logs, which stay exact).
//   - When a put is refused for space, the channel frees what it can (at
//     most once a second): the writer moves to a new log file if the
//     active one holds put records, and a checkpoint deletes the files
//     holding only drained events, using the last 256 KiB if need be. Puts
//     resume once the space is back.
//
// Drained files go back to the disk only when every event in them is taken
// and the file is not the one being written: a file is never partly freed.
// TestFullVolumeStartsAndDrains measures it on a 3 MiB tmpfs with the
// worst sink (one event per take transaction), and
// TestFullVolumeAgentRestartsAndDrains through a real agent on 20 MiB.
//
// # Why logs plus a bbolt checkpoint, not every event in bbolt
//
// Both designs were measured on the project's machine (2 shared cores, a
// virtual disk; 500-byte events; medians of 3 to 5 runs of BenchmarkPutCommit,
// BenchmarkTakeCommit and BenchmarkDesignBoltOnly, which stores each event
// as a bbolt key and merges concurrent commits with bbolt's Batch):
//
//	events/s                          logs + bbolt checkpoint   every event in bbolt
//	put+commit  batch 1,    1 writer         4,700                    280
//	put+commit  batch 100,  4 writers      460,000                170,000
//	put+commit  batch 1000, 4 writers    1,180,000                360,000
//	take+commit batch 1000, 1 taker      1,310,000                370,000
//
// Storing events in bbolt is simpler and needs no replay, but every commit
// costs bbolt two fsyncs, every put rewrites B+tree pages copy-on-write, every take
// deletes (rewriting the pages it empties, so taking costs as much I/O as
// putting), the database file never shrinks after a backlog drains, reads go
// through its memory map (a large backlog shows up in RSS), and put and take
// commits serialise on bbolt's single writer. The log design writes each
// event once, sequentially; a committed take costs 8 bytes of log; drained
// files are deleted; and recovery reads a checkpoint of about 2 bytes per
// event plus the log written since the last checkpoint. Starting over a
// backlog of 1 M queued 500-byte events (BenchmarkRecovery, medians, log in
// the page cache) takes 33 ms from a checkpoint that holds them, 266 ms when
// every event is replayed from the log after a crash, and 247 ms from the
// logs alone with both checkpoints gone; peak RSS of such a start is about
// 35 MB (fcload -recover), and of a channel taking 1 M events/s about 45 MB.
//
// # Not supported
//
// Encryption (encryption.*) is refused. The on-disk format is flumego's own:
// a data directory written by Java Flume is refused at start with a clear
// error rather than misread (drain a Java channel before switching).
package file
