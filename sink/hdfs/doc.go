// Package hdfs implements Flume's HDFS sink (type "hdfs",
// org.apache.flume.sink.hdfs.HDFSEventSink): events are written to files
// in directories worked out per event (buckets), which are rolled by
// time, size and count, renamed from an in-use name to their final name
// when closed, on HDFS (hdfs://) or on the local file system (file:// and
// paths without a scheme, NFS and other mounts included; see
// internal/dfs).
//
// Properties (Flume's names and defaults):
//
//	hdfs.path               (required) directory, with escapes (see internal/bucketpath):
//	                        %{header}, %[localhost] %[IP] %[FQDN], %t %a %A %b %B %c %d %e
//	                        %D %H %I %j %k %l %m %n %M %p %s %S %y %Y %z %%.
//	                        hdfs://namenode:port/... or hdfs://nameservice/...; file:///...;
//	                        without a scheme: fs.defaultFS of the Hadoop configuration
//	                        ($HADOOP_CONF_DIR, else $HADOOP_HOME/etc/hadoop or
//	                        /etc/hadoop/conf) if it names HDFS, else the local file system
//	                        (relative paths: from the working directory, or /user/<user>
//	                        on HDFS). Other schemes (s3a, viprfs, ...) are refused.
//	hdfs.filePrefix         FlumeData  (escapes allowed)
//	hdfs.fileSuffix         ""         (e.g. .avro; without it a codec's extension: .gz ...)
//	hdfs.inUsePrefix        ""         (e.g. "." or "_" so that Hadoop jobs skip open files)
//	hdfs.inUseSuffix        .tmp
//	hdfs.emptyInUseSuffix   false      true: files are written under their final name
//	hdfs.rollInterval       30         seconds from a file's creation to its close; 0 never
//	hdfs.rollSize           1024       bytes of event bodies that roll a file; 0 never
//	hdfs.rollCount          10         events that roll a file; 0 never
//	hdfs.idleTimeout        0          seconds without a write that close a file; 0 never
//	hdfs.batchSize          100        events per transaction
//	hdfs.fileType           SequenceFile | DataStream | CompressedStream
//	hdfs.codeC              gzip | bzip2 | snappy | deflate | default | none, or a
//	                        Hadoop codec class name (see internal/hadoopcodec); lz4,
//	                        zstandard, lzo, lzop are refused. DataStream takes none,
//	                        CompressedStream needs one, SequenceFiles are then
//	                        BLOCK-compressed (as in Flume)
//	hdfs.writeFormat        Writable   SequenceFile values: Writable (BytesWritable) or Text;
//	                                   keys are LongWritable timestamps
//	hdfs.maxOpenFiles       5000       open buckets; the least recently used is closed first
//	hdfs.minBlockReplicas   (unset)    roll files whose block has fewer replicas (HDFS)
//	hdfs.callTimeout        30000      ms a file-system call may take; 0 no limit
//	hdfs.threadsPoolSize    10         file-system calls in flight at once
//	hdfs.rollTimerPoolSize  1          accepted: one goroutine keeps all the timers
//	hdfs.closeTries         0          closes of a file before it is recovered; 0 unlimited
//	hdfs.retryInterval      180        seconds between retries of a failed close or rename
//	hdfs.round              false      round the event time down ...
//	hdfs.roundValue         1          ... to a multiple of this (1-60; 1-24 hours) ...
//	hdfs.roundUnit          second     ... of second, minute or hour
//	hdfs.timeZone           (local)    Java time zone ID of the escapes
//	hdfs.useLocalTimeStamp  false      use the agent's clock, not the timestamp header
//	hdfs.kerberosPrincipal, hdfs.kerberosKeytab, hdfs.proxyUser   for hdfs://
//	hdfs.useRawLocalFileSystem  false  accepted: flumego writes no .crc checksum files anyway
//	serializer              TEXT       DataStream and CompressedStream: text,
//	                                   header_and_text, avro_event, the HDFS module's
//	                                   org.apache.flume.sink.hdfs.AvroEventSerializer$Builder,
//	                                   or a plugin's (see package serializer)
//	serializer.*                       the serializer's options
//
// flumego additions:
//
//	hdfs.recoveryDir        ~/.flume/hdfs-sink/<agent>  where <sink>.inuse records the
//	                                   files the sink has in use (below)
//	hdfs.compressionType    BLOCK      RECORD compresses SequenceFile values one by one
//
// File names are Flume's: <path>/<inUsePrefix><prefix>.<n><suffix><inUseSuffix>
// while in use, renamed to <path>/<prefix>.<n><suffix> on close, where n
// counts up from the time (epoch ms) the bucket was made. Names already
// taken (by an earlier run) are skipped rather than overwritten.
//
// Time: the escapes read the event's "timestamp" header (epoch ms), rounded
// as configured, in hdfs.timeZone, as Flume's BucketPath does (compared
// with the JDK in internal/bucketpath's tests). An event without a usable
// timestamp header cannot be placed by its time: Flume then fails the whole
// batch, and fails it again at every retry, so one such event stops the
// sink for good. flumego places it by the agent's clock instead (as
// hdfs.useLocalTimeStamp would) and logs a warning (at most one per 10 s):
// nothing is lost and nothing stalls. SequenceFile keys of such events are
// the agent's clock too (as in Flume when the header is missing).
//
// Formats: SequenceFile is Hadoop's version 6 (internal/seqfile); a sync
// marker (or, compressed, a block) ends every committed batch. DataStream
// is the serializer's bytes; CompressedStream compresses them, finishing
// the codec's unit (gzip member, bzip2 stream, ...) at every commit, as
// Flume does, so that committed data always decompresses.
//
// Delivery guarantee: a batch is taken from the channel, written to the
// files of its buckets — all of a file's bytes for the batch in one write —
// and every such file is flushed (HDFS hflush: on every DataNode of the
// pipeline; locally fdatasync) before the transaction commits, together
// with the record of any file created for it. So a committed event is in a
// file that survives a crash of the agent (and, locally, a power failure),
// and is renamed to its final name by this run or the next. When a write
// fails the transaction rolls back and the files the batch wrote to are
// closed where their last committed batch ends (what the batch had not yet
// flushed is dropped; a file whose own write failed is cut back to its
// acknowledged length where the file system can truncate, as the local one
// can); the batch is written again to new files. A replay therefore
// duplicates at most one batch: the part of it already flushed to some
// files when another failed, or the files a roll closed mid-batch.
//
// Closing: a file is closed (a close HDFS answers with "not yet" is
// retried with backoff within hdfs.callTimeout), then renamed. A failed
// close is retried every hdfs.retryInterval, hdfs.closeTries times, then
// the file is recovered (HDFS lease recovery) and renamed; a failed rename
// is retried likewise. Timed rolls and idle closes run on a background
// goroutine; count and size rolls and hdfs.maxOpenFiles closes happen in
// Process, as in Flume.
//
// Files left in use by a crash: Flume leaves them under their in-use name
// (.tmp) for ever. flumego records every file it creates, before creating
// it, in a local file (hdfs.recoveryDir/<sink>.inuse, synced before the
// first commit into the file, locked while the sink runs); at the next
// start, the files listed there are recovered (dfs.Recover: HDFS lease
// recovery), renamed to their final names, or removed when empty. A record
// is used rather than a scan of the directories because only it says which
// files are this sink's own: other agents and sinks often write to the
// same directories with the same prefixes, and renaming a file another
// writer still holds would break it; and because escaped paths (times,
// headers) leave no fixed set of directories to scan — the directory of a
// crashed file is usually one the sink will never write to again. What it
// cannot do: recover files after the agent moves to another host (the
// record is local), or files an older run or Java Flume left. A recovered
// file ends where the crash stopped writing it: when the agent died during
// a batch's write, its last record may be incomplete (the batch itself is
// redelivered, as it was not committed).
//
// Thread pools: Flume's call-timeout pool (hdfs.threadsPoolSize) becomes a
// bound on concurrent file-system calls, each on a goroutine of its own
// that is abandoned (and the file given up and later recovered) when
// hdfs.callTimeout passes; Flume's roll-timer pool (hdfs.rollTimerPoolSize)
// becomes one background goroutine and the runtime's timers.
//
// Counters (Flume's SinkCounter): ConnectionCreatedCount (files
// created), ConnectionClosedCount (files closed), ConnectionFailedCount
// (failed or timed-out calls), EventDrainAttemptCount,
// EventDrainSuccessCount, BatchEmptyCount, BatchUnderflowCount,
// BatchCompleteCount, EventWriteFail, ChannelReadFail.
//
// The hdfs:// client is internal/dfs's (github.com/colinmarc/hdfs/v2 for
// the NameNode, its own write pipeline for hflush), wired in by openHDFS;
// the tests run the sink against internal/hdfsfake (a NameNode refusing
// the first complete of every file, a DataNode dropping a pipeline on
// demand, lease recovery) and read its SequenceFiles back with
// internal/seqreader. What the client does not implement (a proxy user
// with Kerberos, encrypted or SASL-protected data transfer) is refused
// when the sink is configured; what depends on the machine's Hadoop
// configuration (name services, Kerberos principals) is checked then and
// reported as a warning, and fails the sink's Process until it is right.
package hdfs
