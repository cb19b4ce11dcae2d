// Package hadoopcodec writes the compressed formats of Hadoop's
// compression codecs, as the HDFS sink's hdfs.codeC names them, for its
// CompressedStream files and compressed SequenceFiles:
//
//	gzip     GzipCodec     .gz       gzip members (RFC 1952)
//	bzip2    BZip2Codec    .bz2      bzip2 streams ("BZh9", 900k blocks)
//	deflate  DeflateCodec  .deflate  zlib streams (RFC 1950), as DefaultCodec
//	default  DefaultCodec  .deflate  zlib streams
//	snappy   SnappyCodec   .snappy   Hadoop's block framing of raw Snappy:
//	                                 per block the uncompressed length, then
//	                                 the compressed length and data (32-bit
//	                                 big-endian lengths) — not the Snappy
//	                                 framing format
//
// Lookup matches names as Flume does (class name, simple name, or simple
// name without "Codec", case-insensitively); lz4, zstandard, lzo, lzop and
// passthrough are recognised and refused (ErrUnsupported): flumego has no
// well-kept pure-Go LZO, and the others are not asked for in practice.
//
// A Stream is Hadoop's CompressionOutputStream as Flume drives it: Finish
// (at every commit) completes the current unit so that all committed data
// decompresses, and the next write starts a new unit; readers (Hadoop's
// codecs, gzip -t, bzip2 -t) read the concatenation. Compress makes the
// single units SequenceFile stores per record or per block buffer.
package hadoopcodec
