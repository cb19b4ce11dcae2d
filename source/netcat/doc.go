// Package netcat implements Flume's netcat source (type "netcat",
// org.apache.flume.source.NetcatSource): a TCP server that turns every line
// a client sends into an event and answers "OK" after each one.
//
// Properties (Flume's names and defaults): bind (required), port (required),
// max-line-length (512 characters, newline included), ack-every-event
// (true), encoding (utf-8; also us-ascii and iso-8859-1). Lines end at \n
// only; a \r before it stays in the body, which is the line in UTF-8. Two
// flumego additions, shared by every network source (internal/netserver):
// request-read-timeout (ms, default 120000; 0: none) closes a connection
// whose line started but did not end in time, while a connection idle
// between lines is never timed out; max-connections (default 0: no limit)
// closes connections over the cap at once (logged, rate limited).
//
// Each line is committed on its own. When the channel refuses it the
// client gets "FAILED: <reason>" and the line is not stored: the sender is
// told, as in Flume. A line longer than max-line-length gets "FAILED: Event
// exceeds the maximum length (N chars, including newline)" as soon as N
// characters have arrived without a newline, as in Flume, and that
// connection is closed; other connections are unaffected. The reply is not
// lost to a reset: the source shuts down its side after it and discards
// what the client still sends (for up to 5 s) before closing. Each such
// line is logged, one warning per 10 s at most. Lines are split in time
// linear in their length whatever max-line-length is. A partial line at EOF
// is discarded. Stop lets a line being committed finish and answer (within
// its context). As in Flume, this source publishes no counters.
package netcat
