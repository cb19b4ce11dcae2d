// Package javatext turns bytes into text and back the way the JDK does,
// where flumego must produce the bytes Java Flume produces: the syslog
// sources decode a message (new String(bytes)) and encode its parts again
// (String.getBytes), and the HTTP source's JSON handler reads a request in
// UTF-8, UTF-16 or UTF-32 and encodes each body in the same charset.
//
// The JDK replaces what it cannot decode with U+FFFD, one replacement per
// malformed sequence as its decoders delimit them (a truncated three-byte
// sequence is one replacement, not two as Go's utf8 package counts), and
// what it cannot encode (an unpaired surrogate) with '?' in UTF-8 and
// U+FFFD in UTF-16 and UTF-32. Java's "UTF-16" decoder follows a byte-order
// mark and defaults to big-endian; its encoder writes a big-endian mark
// before any text; "UTF-32" decodes likewise and encodes big-endian without
// a mark. Go strings cannot hold an unpaired surrogate, so text that comes
// from Java escapes (JSON's \ud800) is encoded by the caller through
// Surrogate.
package javatext
