package dfs

import (
	"errors"
	"io/fs"
)

// FileSystem is what the HDFS sink writes through: HDFS (hdfs://) or the
// local file system (file:// and plain paths, including NFS and other
// mounts). Paths are absolute, slash-separated, without scheme or
// authority. Implementations are safe for concurrent use.
type FileSystem interface {
	// Create creates the file at path for writing, creating missing parent
	// directories, and fails (matching fs.ErrExist) when it exists.
	Create(path string) (File, error)
	// Rename renames from to to; it fails (matching fs.ErrExist) when to
	// exists, rather than replacing it.
	Rename(from, to string) error
	// Stat describes path (fs.ErrNotExist when there is none).
	Stat(path string) (fs.FileInfo, error)
	// ReadDir lists dir's entries in name order (fs.ErrNotExist when there
	// is none).
	ReadDir(dir string) ([]fs.FileInfo, error)
	// Remove removes the file at path.
	Remove(path string) error
	// Recover makes a file that a crashed writer left open closable and
	// renamable: HDFS recovers the lease (another client writing it gets
	// an error matching ErrBeingWritten until then); the local file
	// system has nothing to do. It returns nil once the file is closed.
	Recover(path string) error
	// Close releases the file system's connections.
	Close() error
}

// File is a file being written.
type File interface {
	// Write appends p.
	Write(p []byte) (int, error)
	// Flush makes everything written so far durable and visible to
	// readers: HDFS hflush (on every DataNode of the pipeline), fsync
	// locally. The sink flushes before it commits its channel
	// transaction.
	Flush() error
	// Close flushes and closes the file. It may fail with an error
	// matching ErrRetry (HDFS: the NameNode has not yet heard that the
	// last block is replicated); the caller retries Close with backoff
	// within its call timeout.
	Close() error
}

// ReplicaCounter is implemented by files that know how many DataNodes
// hold their current block (HDFS); the sink rolls a file whose count falls
// below hdfs.minBlockReplicas.
type ReplicaCounter interface {
	CurrentReplicas() int
}

// Truncater is implemented by file systems that can cut a closed file
// back to a length: after a failed write, the sink cuts the file back to
// what the file system acknowledged, so that it ends with a whole record.
type Truncater interface {
	Truncate(path string, size int64) error
}

var (
	// ErrRetry marks a failure that may succeed when retried as it is.
	ErrRetry = errors.New("dfs: not yet; retry")
	// ErrBeingWritten marks an operation refused because another writer
	// holds the file open (HDFS: AlreadyBeingCreatedException or a lease
	// held by another client).
	ErrBeingWritten = errors.New("dfs: file is being written by another client")
)
