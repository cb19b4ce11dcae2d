// Package avrofile writes Avro object container files (the Avro
// specification's "Object Container Files"): the magic bytes Obj\x01, a
// metadata map holding avro.schema and avro.codec, a 16-byte random sync
// marker, then blocks of (datum count, byte size, datums — compressed by
// the codec — sync marker).
//
// The caller encodes the datums itself, straight into the block buffer
// (Writer.Append hands it the buffer to append to), so writing an event
// costs no intermediate representation. Blocks are cut as Java's
// DataFileWriter cuts them: when the uncompressed datums reach the sync
// interval, and on every Flush.
//
// Codecs: null, deflate (raw RFC 1951 at the default level, as Java's
// DeflateCodec) and snappy (Snappy block format followed by the big-endian
// CRC-32 of the uncompressed data). The metadata map is written in the
// order Java's HashMap iterates it, so the header differs from Java's only
// in the sync marker.
//
// Reader reads such files block by block with each block's offsets, so
// that a reader can stop after any block and resume there, or, as Java's
// DataFileReader.sync, at the first block after any position. It also
// decompresses bzip2 and zstandard blocks (xz is refused), and bounds what
// a hostile file can make it allocate: a block's size by the bytes left in
// the file and, decompressed, by Reader.MaxBlock.
package avrofile
