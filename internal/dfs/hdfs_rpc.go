package dfs

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"unsafe"

	"github.com/colinmarc/hdfs/v2"
	"github.com/flumego/flume"
	"google.golang.org/protobuf/proto"
)

// callFunc makes one ClientProtocol call on the NameNode connection.
type callFunc func(method string, req, resp proto.Message) error

// nameNodeCall returns the NameNode call of a client of
// github.com/colinmarc/hdfs/v2, for the methods it does not expose
// (rename without overwrite, recoverLease, ...) and for writing files
// through our own pipeline. The library keeps its NameNode connection in an
// unexported field whose Execute method takes any protocol buffer message;
// our messages (internal/hadooppb) have Hadoop's wire format. The lookup is
// checked at Open, and the tests against the fake exercise every use, so a
// library upgrade that moves the field fails loudly rather than silently.
func nameNodeCall(c *hdfs.Client) (callFunc, error) {
	v := reflect.ValueOf(c).Elem().FieldByName("namenode")
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, errors.New("dfs: github.com/colinmarc/hdfs/v2 has no NameNode connection field; the library changed")
	}
	v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	m := v.MethodByName("Execute")
	var fn func(string, proto.Message, proto.Message) error
	if !m.IsValid() || m.Type() != reflect.TypeOf(fn) {
		return nil, errors.New("dfs: github.com/colinmarc/hdfs/v2's NameNode connection has no Execute(string, proto.Message, proto.Message) error; the library changed")
	}
	fn = m.Interface().(func(string, proto.Message, proto.Message) error)
	return fn, nil
}

// Java exception classes the NameNode answers with.
const (
	exFileNotFound        = "java.io.FileNotFoundException"
	exFileAlreadyExists   = "org.apache.hadoop.fs.FileAlreadyExistsException"
	exAlreadyBeingCreated = "org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException"
	exRecoveryInProgress  = "org.apache.hadoop.hdfs.protocol.RecoveryInProgressException"
	exNotReplicatedYet    = "org.apache.hadoop.hdfs.server.namenode.NotReplicatedYetException"
	exLeaseExpired        = "org.apache.hadoop.hdfs.server.namenode.LeaseExpiredException"
	exAccessControl       = "org.apache.hadoop.security.AccessControlException"
	exRetriable           = "org.apache.hadoop.ipc.RetriableException"
	exSafeMode            = "org.apache.hadoop.hdfs.server.namenode.SafeModeException"
	exUnsupported         = "java.lang.UnsupportedOperationException"
	exParentNotDirectory  = "org.apache.hadoop.fs.ParentNotDirectoryException"
)

// exception is the Java exception class of a NameNode error, or "".
func exception(err error) string {
	var he hdfs.Error
	if errors.As(err, &he) {
		return he.Exception()
	}
	return ""
}

// opError is a failed file system operation: it names the operation and
// the hdfs:// URI, and matches the dfs, io/fs and flume sentinels that the
// NameNode's exception means.
type opError struct {
	op, uri string
	err     error
	is      []error
}

func (e *opError) Error() string { return "dfs: " + e.op + " " + e.uri + ": " + e.err.Error() }

func (e *opError) Unwrap() []error { return append([]error{e.err}, e.is...) }

// wrap makes err an opError, adding the sentinels its exception class
// means.
func (h *hdfsFS) wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var is []error
	switch exception(err) {
	case exFileNotFound:
		is = append(is, fs.ErrNotExist)
	case exFileAlreadyExists:
		is = append(is, fs.ErrExist)
	case exAlreadyBeingCreated:
		is = append(is, ErrBeingWritten)
		if op == "create" {
			is = append(is, fs.ErrExist)
		}
	case exRecoveryInProgress:
		is = append(is, ErrBeingWritten, ErrRetry)
	case exNotReplicatedYet, exRetriable, exSafeMode:
		is = append(is, ErrRetry)
	case exAccessControl:
		is = append(is, fs.ErrPermission)
	case exUnsupported:
		is = append(is, flume.ErrUnsupported)
	}
	return &opError{op: op, uri: h.uri + path, err: err, is: is}
}

func (h *hdfsFS) errorf(op, path string, sentinel error, format string, args ...any) error {
	e := &opError{op: op, uri: h.uri + path, err: fmt.Errorf(format, args...)}
	if sentinel != nil {
		e.is = []error{sentinel}
	}
	return e
}
