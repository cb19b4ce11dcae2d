// Package netcat implements Flume's netcat source (type "netcat",
// org.apache.flume.source.NetcatSource): a TCP server that turns every line
// a client sends into an event and answers "OK" after each one.
//
// Properties (Flume's names and defaults): bind (required), port (required),
// max-line-length (512 characters, newline included), ack-every-event
// (true), encoding (utf-8; also us-ascii and iso-8859-1). Lines end at \n
// only; a \r before it stays in the body, which is the line in UTF-8.
//
// Each line is committed on its own. When the channel refuses it the
// client gets "FAILED: <reason>" and the line is not stored: the sender is
// told, as in Flume. A line longer than max-line-length gets "FAILED: Event
// exceeds the maximum length (N chars, including newline)" and closes that
// connection; other connections are unaffected. A partial line at EOF is
// discarded. As in Flume, this source publishes no counters.
package netcat
