// Command hdfs-fake runs the in-repo fake of an HDFS cluster
// (internal/hdfsfake: one NameNode and one DataNode speaking Hadoop's
// protocols) as a local service, so that an agent with an HDFS sink can
// run without Hadoop:
//
//	hdfs-fake -addr 127.0.0.1:8020
//
// The first line on standard error gives the file system's URI
// (hdfs://host:port) for hdfs.path; -ready-file also writes it to a file
// once the fake listens. SIGINT or SIGTERM stops it; it then prints every
// file with its length (-print files, the default) or nothing (-print
// none). -block-size sets the server default block size, -complete-refusals
// how many complete calls per file are refused before the NameNode hears
// of the last block (1, as a real cluster), and -discard makes the
// DataNode acknowledge data without keeping it, for long runs.
//
// It is a test double, not HDFS: data is kept in memory only, and what
// the fake does not implement is refused (see internal/hdfsfake).
package main
