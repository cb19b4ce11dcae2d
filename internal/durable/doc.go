// Package durable holds the file-system primitives the durable components
// (the file channel, the HDFS sink's local file system and in-use record,
// TAILDIR's position journal) share: syncing a file's data and a
// directory's entries to stable storage, preallocating a file's space, and
// exclusive advisory locks that keep two agents off the same files.
package durable
