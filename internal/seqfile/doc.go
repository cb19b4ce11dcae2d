// Package seqfile writes Hadoop SequenceFiles (version 6), the HDFS sink's
// default file type: the header ("SEQ", 6, key and value class names,
// compression flags, the codec's class name, metadata, a random 16-byte
// sync marker), then records — or, block-compressed, blocks — laid out as
// Hadoop's SequenceFile.Writer lays them out:
//
//   - uncompressed and RECORD-compressed: each record is its length, its
//     key's length, the key and the value (RECORD: the value alone
//     compressed by the codec); a sync marker (an escape of -1 and the 16
//     bytes) goes before the first record at least 100 KiB after the
//     previous marker (Hadoop 3's SYNC_INTERVAL, as in the reference files;
//     Hadoop 2 used 2,000 bytes), and wherever Sync is called;
//   - BLOCK-compressed: records are buffered until their keys and values
//     reach io.seqfile.compress.blocksize (1,000,000 bytes) or Sync is
//     called, then written as a sync marker, the record count and four
//     compressed buffers (key lengths, keys, value lengths, values), each
//     preceded by its compressed length.
//
// Flume calls Sync before every hflush, so every committed batch ends at a
// sync point (and, block-compressed, in a block of its own). Keys and
// values are the callers' serialized Writables: AppendLong (LongWritable),
// AppendBytes (BytesWritable) and AppendText (Text) make Flume's.
//
// The files Hadoop's own writer produced (testdata, from
// ../shared/fixtures/hadoop) are the reference: uncompressed files are
// reproduced byte for byte given the same sync marker; compressed ones
// differ only in the compressed bytes. This package only writes: the
// reader that checks its output elsewhere shares no code with it.
package seqfile
