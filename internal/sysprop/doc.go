// Package sysprop holds the process's Java-style system properties: the
// -Dkey=value arguments of the flume-ng command line (javax.net.ssl.*,
// flume.monitoring.*, flume.root.logger, ...). Like Java's System
// properties they are process-wide; the command line sets them once at
// start-up and components read them.
package sysprop
