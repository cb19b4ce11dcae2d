// Package logfile is the agent's LOGFILE appender: a log file that rotates
// itself by size and keeps a bounded number of old files, as Flume 1.11's
// conf/log4j2.xml RollingFile does, and reopens its path on request so an
// external logrotate can move it away.
//
// Flume's policy: the live file is ${LOG_DIR}/flume.log; when it reaches
// 100 MB it moves to ${LOG_DIR}/archive/flume.log.<yyyyMMdd>-<i>, and old
// files are deleted once they add up to more than 1 GB. File keeps that
// layout and those names, with the same 100 MB default, and bounds the
// archive by count (MaxBackups, default 10: 1 GB of 100 MB files).
// With Options.Daily the file also rolls at the first write of a new day,
// as Flume rolls every night at midnight (lazily: a quiet night rolls with
// the next record, under the name of the day the records were written).
//
// Rotation happens between two writes under the file's lock, so no write
// is split or lost across it; each Write is one log record.
package logfile
