package hdfsfake

import (
	"sort"
	"strings"
)

// Java exception classes the NameNode answers with, as Hadoop's does.
const (
	ExFileNotFound          = "java.io.FileNotFoundException"
	ExIO                    = "java.io.IOException"
	ExUnsupported           = "java.lang.UnsupportedOperationException"
	ExFileAlreadyExists     = "org.apache.hadoop.fs.FileAlreadyExistsException"
	ExParentNotDirectory    = "org.apache.hadoop.fs.ParentNotDirectoryException"
	ExPathIsNotEmptyDir     = "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException"
	ExInvalidPath           = "org.apache.hadoop.fs.InvalidPathException"
	ExIllegalArgument       = "org.apache.hadoop.HadoopIllegalArgumentException"
	ExAlreadyBeingCreated   = "org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException"
	ExLeaseExpired          = "org.apache.hadoop.hdfs.server.namenode.LeaseExpiredException"
	ExNotReplicatedYet      = "org.apache.hadoop.hdfs.server.namenode.NotReplicatedYetException"
	ExNoSuchMethod          = "org.apache.hadoop.ipc.RpcNoSuchMethodException"
	ExNoSuchProtocol        = "org.apache.hadoop.ipc.RpcNoSuchProtocolException"
	ExVersionMismatch       = "org.apache.hadoop.ipc.RPC$VersionMismatch"
	ExIpc                   = "org.apache.hadoop.ipc.IpcException"
	ExStandby               = "org.apache.hadoop.ipc.StandbyException"
	ExAccessControl         = "org.apache.hadoop.security.AccessControlException"
	ExAuthorization         = "org.apache.hadoop.security.authorize.AuthorizationException"
	ExInvalidProtocolBuffer = "com.google.protobuf.InvalidProtocolBufferException"
)

// remoteError is an exception the NameNode answers a call with.
type remoteError struct{ class, msg string }

func (e *remoteError) Error() string { return e.class + ": " + e.msg }

func errFileNotFound(msg string) *remoteError { return &remoteError{ExFileNotFound, msg} }
func errIO(msg string) *remoteError           { return &remoteError{ExIO, msg} }

type inode struct {
	id       uint64
	name     string
	parent   *inode
	children map[string]*inode // non-nil for directories
	perm     uint32
	owner    string
	group    string
	mtime    int64
	atime    int64

	// Files.
	replication uint32
	blockSize   uint64
	blocks      []*block
	lease       *lease // non-nil while under construction
}

func (n *inode) isDir() bool { return n.children != nil }

func (n *inode) path() string {
	if n.parent == nil {
		return "/"
	}
	var parts []string
	for c := n; c.parent != nil; c = c.parent {
		parts = append(parts, c.name)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

func (n *inode) sortedChildren() []*inode {
	out := make([]*inode, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	// HDFS orders a directory's children by the bytes of their names.
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// lease is the write lease of a file under construction.
type lease struct {
	holder   string // client name
	machine  string // client address
	refusals int    // complete calls still to refuse
}

type blockState int

const (
	blockUnderConstruction blockState = iota
	blockCommitted                    // length fixed by the client
	blockComplete                     // committed and stored by the DataNode
)

type block struct {
	id       uint64
	gs       uint64
	numBytes uint64
	state    blockState
	file     *inode
}

// replica is the DataNode's copy of a block.
type replica struct {
	id        uint64
	gs        uint64
	data      []byte // nil when the fake discards data
	size      int64  // bytes stored
	finalized bool
	csType    int32  // hadooppb.ChecksumTypeProto
	bpc       int    // bytes per checksum
	writer    func() // closes the connection writing it, while one does
}

// splitPath validates an absolute HDFS path as DFSUtil.isValidName does and
// returns its components ("/" has none).
func splitPath(p string) ([]string, *remoteError) {
	if !strings.HasPrefix(p, "/") {
		return nil, &remoteError{ExInvalidPath, "Invalid path name Path is not absolute: " + p}
	}
	parts := strings.Split(p, "/")
	out := parts[:0]
	for i, e := range parts {
		if e == "" {
			if i == 0 || i == len(parts)-1 {
				continue
			}
			return nil, &remoteError{ExInvalidPath, "Invalid path name Invalid file name: " + p}
		}
		if e == "." || e == ".." || strings.Contains(e, ":") {
			return nil, &remoteError{ExInvalidPath, "Invalid path name Invalid file name: " + p}
		}
		out = append(out, e)
	}
	return out, nil
}

// walk returns the inode at parts, or nil.
func (f *Fake) walk(parts []string) *inode {
	n := f.root
	for _, p := range parts {
		if !n.isDir() {
			return nil
		}
		n = n.children[p]
		if n == nil {
			return nil
		}
	}
	return n
}

// parentOf resolves the directory that holds parts' last component. It
// reports which ancestor is missing or is a file.
func (f *Fake) parentOf(parts []string) (dir *inode, missing string, file string) {
	n := f.root
	for i, p := range parts[:len(parts)-1] {
		c := n.children[p]
		if c == nil {
			return nil, "/" + strings.Join(parts[:i+1], "/"), ""
		}
		if !c.isDir() {
			return nil, "", "/" + strings.Join(parts[:i+1], "/")
		}
		n = c
	}
	return n, "", ""
}

// mkdirs creates the missing directories of parts (all of them, parts
// included).
func (f *Fake) mkdirs(parts []string, perm uint32, owner string) (*inode, *remoteError) {
	n := f.root
	now := f.nowMillis()
	for i, p := range parts {
		c := n.children[p]
		if c == nil {
			c = &inode{id: f.newID(), name: p, parent: n, children: map[string]*inode{}, perm: perm, owner: owner, group: "supergroup", mtime: now}
			f.inodes[c.id] = c
			n.children[p] = c
			n.mtime = now
		} else if !c.isDir() {
			path := "/" + strings.Join(parts[:i+1], "/")
			if i == len(parts)-1 {
				return nil, &remoteError{ExFileAlreadyExists, "Path is not a directory: " + path}
			}
			return nil, &remoteError{ExParentNotDirectory, path + " (is not a directory)"}
		}
		n = c
	}
	return n, nil
}

// fileLength is the length the NameNode reports for a file: every block
// but a last one not yet complete.
func (f *Fake) fileLength(n *inode) uint64 {
	var l uint64
	for i, b := range n.blocks {
		if i == len(n.blocks)-1 && b.state != blockComplete {
			break
		}
		l += b.numBytes
	}
	return l
}

// tryComplete completes a committed block once the DataNode holds a
// finalized replica of its length.
func (f *Fake) tryComplete(b *block) {
	if b.state != blockCommitted {
		return
	}
	if r := f.replicas[b.id]; r != nil && r.finalized && uint64(r.size) == b.numBytes && r.gs >= b.gs {
		b.state = blockComplete
	}
}

// removeTree deletes n (a file or a whole directory) and its blocks.
func (f *Fake) removeTree(n *inode) {
	if n.isDir() {
		for _, c := range n.children {
			f.removeTree(c)
		}
	}
	for _, b := range n.blocks {
		delete(f.blocks, b.id)
		if r := f.replicas[b.id]; r != nil {
			if r.writer != nil {
				r.writer()
			}
			delete(f.replicas, b.id)
		}
	}
	delete(f.inodes, n.id)
	if n.parent != nil {
		delete(n.parent.children, n.name)
		n.parent.mtime = f.nowMillis()
	}
}

// isUnder reports whether path a is b or inside b.
func isUnder(a, b *inode) bool {
	for c := a; c != nil; c = c.parent {
		if c == b {
			return true
		}
	}
	return false
}
