// Package dfstest helps test code written against internal/dfs: Run is a
// conformance suite any dfs.FileSystem implementation runs (the local file
// system here, HDFS against internal/hdfsfake or a real cluster), and
// Faulty wraps a file system to make chosen operations fail, or hang, on
// demand, so that a sink's rollback, retry and call-timeout paths are
// exercised over real files. It is imported by tests only.
package dfstest
