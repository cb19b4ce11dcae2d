// Package dfs is the file-system abstraction of the HDFS sink: one
// interface, FileSystem, over HDFS (hdfs://, through a Hadoop RPC client)
// and the local file system (file:// and plain paths), so that bucketing,
// rolling, formats, in-use file recovery and rollback are written once and
// tested for real on the local file system, and the HDFS wire is tested
// against an in-repo fake NameNode and DataNode (internal/hdfsfake) or a
// real cluster.
//
// The semantics follow what the sink needs from HDFS: Create refuses an
// existing file, Rename refuses to replace one, File.Flush is hflush (data
// durable on the pipeline and visible to readers) or fsync, File.Close may
// ask to be retried (ErrRetry) while the last block's replication is
// reported, and Recover closes what a crashed writer left open.
//
// OpenHDFS opens an hdfs:// file system: a NameNode's host:port, or an HA
// name service of the Hadoop configuration (HADOOP_CONF_DIR), reached
// through github.com/colinmarc/hdfs/v2 (NameNode failover, Kerberos from a
// keytab, lease renewal). Files are written by this package's own client of
// the data transfer protocol, because the library's Flush does not wait
// for the DataNodes: here Flush returns once every DataNode of the pipeline
// has acknowledged every byte (hflush), idle pipelines send heartbeats, and
// a failed pipeline breaks its file (no pipeline recovery): Write and Flush
// then fail, and Close recovers the file's lease. Options and Check name
// what the Flume properties configure; what flumego does not implement
// (SASL-protected data transfer, a proxy user with Kerberos, encryption
// zones) fails with an UnsupportedError.
//
// Local is the local implementation: Flush is fdatasync, and creating,
// renaming or removing a file syncs its directory (Create also every
// directory it makes), so that a flushed file is still there, under its
// name, after a power failure. Rename uses renameat2's RENAME_NOREPLACE,
// or a hard link and an unlink where the file system lacks it. Package
// dfstest holds the conformance suite every implementation passes and a
// wrapper that fails chosen operations on demand.
package dfs
