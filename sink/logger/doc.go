// Package logger implements Flume's logger sink (type "logger",
// org.apache.flume.sink.LoggerSink): every event is logged at INFO in
// Flume's shape,
//
//	Event: { headers:{k1=v1, k2=v2} body: 48 65 6C 6C 6F          Hello }
//
// with the first maxBytesToLog (16) body bytes as a hex dump. Headers are
// printed in sorted order (Java prints HashMap order). Flume takes one event
// per transaction; this sink takes up to 100, which changes nothing but the
// speed. It is meant for debugging, not for volume.
package logger
