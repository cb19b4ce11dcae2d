// Package syslog implements Flume's three syslog sources:
//
//	syslogtcp            org.apache.flume.source.SyslogTcpSource
//	multiport_syslogtcp  org.apache.flume.source.MultiportSyslogTCPSource
//	syslogudp            org.apache.flume.source.SyslogUDPSource
//
// Properties, as Flume 1.11 (flumego additions marked +):
//
//	host                  syslogtcp: required (the address to bind; bind is
//	                      not read). multiport_syslogtcp, syslogudp: every
//	                      address when unset
//	port                  syslogtcp, syslogudp: required; 0 picks a free port
//	ports                 multiport_syslogtcp: required, separated by spaces
//	eventSize             2500: the longest message in bytes (TCP sources);
//	                      a value below 1, which Flume reads as no limit, is
//	                      refused with a warning and 2500 used
//	keepFields            none (or false) | all (or true) | any of priority,
//	                      version, timestamp, hostname: what of the header
//	                      stays in the body (below)
//	clientIPHeader        header to put the sender's IP address in
//	clientHostnameHeader  header to put the sender's host name in (a reverse
//	                      lookup, cached 30 s)
//	ssl, keystore, keystore-password, keystore-type, keystore-key,
//	include/exclude-protocols, include/exclude-cipher-suites
//	                      TLS, as the avro source (TCP sources)
//	portHeader            multiport: header to put the local port in
//	charset.default       multiport: UTF-8; charset.port.<port> per port
//	batchSize             multiport: 100 events per transaction
//	readBufferBytes       multiport: 1024 (the guide's readBufferSize is read
//	                      too): a read-buffer hint; flumego reads 4 KiB at
//	                      least, 64 KiB once a connection brought 1000 messages
//	numProcessors         multiport: accepted and ignored (Go schedules)
//	format.regex, ...     Flume's undocumented custom format: refused as
//	                      not supported
//	request-read-timeout  + TCP: ms, default 120000 (0: none): a message that
//	                      began arriving must end within it, or the
//	                      connection is closed (EventReadFail); a connection
//	                      idle between messages is never closed
//	max-connections       + TCP: default 0, no limit
//
// Framing. The TCP sources read newline-framed messages as Flume does, and,
// a flumego addition, RFC 6587 octet-counted frames ("57 <13>1 ..."), which
// rsyslog's omfwd and syslog-ng send with TCP_Framing="octet-counted" and
// which Flume reads as garbage: a message that starts with a digit other
// than 0, then digits and a space, is a frame of that many bytes (newlines
// inside are data; bytes beyond eventSize are skipped). syslogtcp follows
// Flume's SyslogUtils byte for byte: newlines between messages are skipped;
// a message is "<", one to three digits, ">", then data up to the next
// newline; anything else is an Invalid message that runs to the next
// newline; a message reaching eventSize bytes (its <PRI> included) is cut
// there, marked Incomplete, and what follows is read as a new message.
// multiport_syslogtcp cuts lines (an empty line makes no event; Flume fails
// on it) of at most eventSize bytes counting the newline. syslogudp reads
// one message per datagram, up to its first newline (the rest of the
// datagram is dropped, as in Flume).
//
// Parsing by syslogtcp and syslogudp (Flume's SyslogUtils), on the message
// decoded as UTF-8 (malformed bytes become U+FFFD, as Java decodes them):
//
//   - RFC 5424, "<PRI>VERSION TIMESTAMP HOST MSG" (TIMESTAMP and HOST may be
//     "-"), then RFC 3164, "<PRI>Mmm dd HH:mm:ss HOST MSG", each the regular
//     expression Flume uses, whole-message match with Java's semantics (MSG
//     cannot hold \r or another Java line terminator: such a message keeps
//     its raw bytes);
//   - headers Facility (PRI/8) and Severity (PRI%8) always (0 and 0 for an
//     Invalid message), priority, version, timestamp (epoch milliseconds)
//     and host when the format yields them, flume.syslog.status = Invalid or
//     Incomplete;
//   - RFC 5424 timestamps exactly as Flume's SimpleDateFormat reading: a
//     fraction of a second is that many milliseconds after truncation to
//     three digits (".5" is 5 ms, ".12" 12 ms) and then the time zone is
//     ignored (local time); without a fraction Z and ±hh:mm apply, and a
//     timestamp without a zone is local time. RFC 3164 timestamps are local
//     time in the current UTC year, moved a year back when more than a month
//     ahead and a year on when more than eleven months back. Fields out of
//     range carry over (Java's lenient calendar: Feb 30 is Mar 1).
//     The local time zone is the agent's (TZ); dates before 1583 use the
//     Gregorian calendar (Java: Julian);
//   - the body is MSG, with keepFields' parts in front ("<PRI>VERSION
//     TIMESTAMP HOSTNAME MSG"; an absent timestamp or host is written "null",
//     as Flume writes Java's null), or the raw message with keepFields = all,
//     or when no format matched, MSG was empty or the message is Invalid.
//
// Parsing by multiport_syslogtcp (Flume's SyslogParser), on the line
// decoded in its port's charset (a line that does not decode, or does not
// parse, is an event of the line with flume.syslog.status = Invalid only,
// counted in EventReadFail): "<PRI>" (up to five characters, any Java
// integer), an optional "1 " version, a timestamp ("-" for now, an RFC 3164
// timestamp of fifteen characters in UTC, which gives 0 when it does not
// parse, or an RFC 5424 one, its zone applied and its fraction scaled to
// milliseconds), a host, the text; headers Priority, Version (capitalised),
// Facility, Severity, timestamp, host. RFC 3164 years roll as syslogtcp's
// do; Flume 1.11 puts such dates in 1999 or 2001 (a bug) and rolls every
// date more than a month old.
//
// Differences from Flume, besides framing: Flume's SyslogUtils keeps the
// priority and version of the previous message on a message that does not
// parse; flumego does not. clientIPHeader and clientHostnameHeader replace
// parsed headers of the same name, as in Flume.
//
// Delivery guarantee. syslog has no acknowledgements: a message is the
// source's once read. The TCP sources commit the messages a read brought
// in as one batch (up to batchSize, 100 for syslogtcp, and no more than the
// channels take in one transaction; Flume commits syslogtcp's one by one).
// Where Flume drops a batch its channels refuse (ChannelWriteFail), flumego
// keeps it and retries (10 ms doubling to 1 s) and stops reading that
// connection meanwhile: the sender's writes block in TCP's flow control, and
// nothing is lost. syslogudp retries likewise; datagrams arriving
// meanwhile wait in the socket's buffer, and the kernel drops what it
// cannot hold. Events an interceptor fails are dropped and counted
// (GenericProcessingFail). A message cut short by its connection closing
// is discarded, as in Flume. Stop lets a batch being committed finish within
// its context.
//
// Counters (Flume's SourceCounter, counted as every network source counts,
// source.Acceptor): EventReceivedCount and EventAcceptedCount,
// ChannelWriteFail for each refused attempt, GenericProcessingFail,
// EventReadFail (multiport: each Invalid event; every source: a message not
// received within request-read-timeout, a datagram without a priority),
// OpenConnectionCount and ConnectionRefusedCount (TCP).
package syslog
