// Package seqreader reads Hadoop SequenceFiles, to check in tests what the
// HDFS sink writes. It is written from the format's specification
// (org.apache.hadoop.io.SequenceFile's documentation) and tested on files
// Hadoop's own SequenceFile.Writer produced; it shares no code with the
// sink's writer (internal/seqfile) or its codecs (internal/hadoopcodec), so
// that each checks the other.
//
// It reads version 6: the header ("SEQ", 6, the key and value class names
// as Text, the compression and block-compression flags, the codec's class
// name when compressed, the metadata as a count and Text pairs, and the
// 16-byte sync marker), then either records (a 32-bit record length, a
// 32-bit key length, the key, the value; RECORD compression compresses
// each value on its own; a length of -1 announces a sync marker, which must
// equal the header's) or, BLOCK-compressed, blocks (a sync marker, a VInt
// record count, then the key lengths, keys, value lengths and values, each
// a VInt length and a buffer compressed on its own). Codecs: DefaultCodec
// and DeflateCodec (zlib), GzipCodec, BZip2Codec, and SnappyCodec with
// Hadoop's block framing. Keys and values come out serialized;
// LongWritable, BytesWritable and Text decode Flume's.
//
// Every length is checked against Limits and against the bytes present,
// and decompression stops at the limit, so a corrupt or hostile file fails
// with an error (matching ErrCorrupt when it breaks the format) in time and
// memory bounded by its size and the limits.
package seqreader
