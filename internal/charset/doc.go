// Package charset decodes and encodes text in the charsets Flume
// configurations name (Java's Charset.forName names, such as UTF-8,
// GB18030, ISO-8859-1, windows-1252, Shift_JIS, UTF-16LE), with Java's
// decode error policies: FAIL (stop at the first malformed or unmappable
// sequence, with its byte offset), REPLACE (U+FFFD for each) and IGNORE
// (drop it). The spooling directory source's inputCharset and
// decodeErrorPolicy and its LINE deserializer's outputCharset use it.
//
// A Charset says how its newline is encoded (Newline) and on which byte
// boundaries characters start (Unit), so that a reader can cut lines on
// raw bytes before decoding them: in UTF-8, the ASCII-compatible multi-byte
// charsets (GB18030, GBK, Big5, EUC-JP, EUC-KR, Shift_JIS) and the
// single-byte ones, the newline byte never occurs inside a character; in
// UTF-16 and UTF-32 it is a whole code unit. Positions therefore stay exact
// byte offsets, which the source persists.
//
// UTF-8 is decoded without conversion: valid input is copied as it is, and
// a malformed sequence is replaced or reported per maximal subpart, as
// Java's decoder does (E2 82 41 is one U+FFFD then "A"). US-ASCII, UTF-16
// and UTF-32 are decoded here too; the other charsets use
// golang.org/x/text's decoders, whose U+FFFD output marks what they could
// not decode (a real U+FFFD in GB18030 input is told apart).
//
// Where flumego differs from the JDK: "UTF-16" and "UTF-32" take their
// byte order from the BOM at the start of the input even when reading
// resumes in the middle (Java's decoder, restarted mid-file, assumes big
// endian); GB2312 and EUC-CN are decoded as GBK (a superset; Java reports
// GBK-only characters as unmappable), and MS932/windows-31j as Shift_JIS as
// golang.org/x/text defines it (the Windows variant).
package charset
