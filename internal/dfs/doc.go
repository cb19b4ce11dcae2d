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
package dfs
