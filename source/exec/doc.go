// Package exec implements Flume's exec source (type "exec",
// org.apache.flume.source.ExecSource): it runs a command and turns every
// line of its standard output into an event.
//
// Properties (Flume's names and defaults): command (required; split on
// whitespace, no quoting, unless shell is set), shell (e.g. "/bin/sh -c":
// the command is passed to it as one argument), restart (false),
// restartThrottle (10000 ms), logStdErr (false), batchSize (20),
// batchTimeout (3000 ms), charset (UTF-8; lines are passed through as bytes,
// so the body is the line in the command's own encoding, as in Flume).
//
// Lines end at \n, \r or \r\n, as Java's readLine; the terminator is not
// part of the body.
//
// Restarts: with restart = true the command is run again restartThrottle
// after it exits. Unlike Flume, the pause is at least MinRestartThrottle
// (100 ms; a lower value is a configuration warning), and the start and
// exit lines of a command that keeps exiting are logged once per 10 s (the
// others at debug level, counted in the next), so a command that exits at
// once cannot flood the log or the process table.
//
// Delivery: unlike Flume, which drops the pending batch and kills the
// command when the channel is full, this source keeps the batch and retries
// it, backing off, and stops reading meanwhile: the command blocks on its
// full pipe (backpressure) and no line is lost. ChannelWriteFail counts the
// refusals. On Stop, the lines already read are still committed, in one
// attempt per batch (the channel waits up to its keep-alive for room, and
// at most until the stop context ends), before the command is terminated;
// lines the channel still refuses are dropped with a warning, so that a
// full channel cannot hold the agent's shutdown. What the command wrote to
// the pipe after that is lost, as with any process that is killed.
package exec
