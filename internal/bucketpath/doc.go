// Package bucketpath is Flume's BucketPath: the escapes with which the HDFS
// sink's hdfs.path and hdfs.filePrefix, and the Kafka sink's topic, are
// worked out per event. A Pattern is parsed once (Parse) and expanded per
// event (Expand); the tag syntax is Flume's regular expression
// %(\w|%)|%\{([\w.-]+)\}|%\[(\w+)\] with \w the ASCII word characters:
//
//	%{name}                      the event header name, "" when absent
//	%[localhost] %[IP] %[FQDN]   this host's name, address and canonical name
//	                             (any case; another name is an error, as in Flume)
//	%t                           the timestamp header verbatim (epoch ms)
//	%a %A                        weekday, short and full (Mon, Monday)
//	%b %B                        month name, short and full (Jan, January)
//	%c                           date and time (Mon Jan 2 15:04:05 2006)
//	%d %e                        day of month, two digits and unpadded
//	%D                           MM/dd/yy
//	%H %I %k %l                  hour: 00-23, 01-12, 0-23, 1-12
//	%j                           day of year, three digits
//	%m %n                        month, two digits and unpadded
//	%M %S                        minute and second, two digits
//	%p                           AM or PM
//	%s                           epoch seconds
//	%y %Y                        year, two and four digits
//	%z                           zone offset (-0700)
//	%%                           a percent sign
//
// Any other %<word character> expands to "". A % that starts no tag is
// kept as is.
//
// Every %<char> escape, %% and unknown letters included, needs a time, as
// in Flume: the event's "timestamp" header (epoch milliseconds), or the
// agent's clock when Options.UseLocalTimeStamp is set. Options.At works it
// out once per event, rounded down (hdfs.round, hdfs.roundValue,
// hdfs.roundUnit) in the configured time zone (JavaLocation reads
// hdfs.timeZone the way java.util.TimeZone does); %t keeps the header's
// text unrounded, as Flume does. Without a usable header At fails with an
// error matching ErrNoTimestamp or ErrBadTimestamp: the Kafka sink fails
// the batch, as Flume does; the HDFS sink decides for itself (see
// sink/hdfs).
package bucketpath
