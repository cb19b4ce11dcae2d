package dfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/colinmarc/hdfs/v2"
	pb "github.com/flumego/flume/internal/hadooppb"
	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"google.golang.org/protobuf/proto"
)

// hdfsFS is a FileSystem on HDFS. Metadata goes through
// github.com/colinmarc/hdfs/v2's NameNode connection (HA failover, Kerberos,
// lease renewal for the client name); files are written by our own
// pipeline (hdfsFile), whose Flush waits for the DataNodes' acknowledgements
// as Hadoop's hflush does, which the library's FileWriter.Flush does not.
type hdfsFS struct {
	uri         string // hdfs://authority
	client      *hdfs.Client
	call        callFunc
	krb         *krbclient.Client
	timeout     time.Duration
	useHostname bool
	log         logger

	mu       sync.Mutex
	defaults *pb.FsServerDefaultsProto
	files    map[*hdfsFile]struct{}
	closed   bool
}

var (
	_ FileSystem = (*hdfsFS)(nil)
	_ File       = (*hdfsFile)(nil)
)

type logger interface {
	Warn(msg string, args ...any)
	Info(msg string, args ...any)
}

// OpenHDFS opens the HDFS file system an hdfs:// URI names: its authority
// is a NameNode's host[:port] (port 8020 by default) or a name service of
// the Hadoop configuration (Options.HadoopConfDir), whose NameNodes are
// tried in turn; hdfs:/// is fs.defaultFS's. The path of the URI is
// ignored: the file system's paths are absolute paths on it. ctx bounds
// connecting. Configurations flumego does not implement fail with an
// UnsupportedError.
func OpenHDFS(ctx context.Context, uri string, opts Options) (FileSystem, error) {
	u, err := parseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "hdfs" {
		return nil, fmt.Errorf("dfs: %s is not an hdfs:// URI", uri)
	}
	return openHDFS(ctx, u, opts)
}

// openHDFS connects to the NameNode(s) of an hdfs:// URI.
func openHDFS(ctx context.Context, u *url.URL, opts Options) (*hdfsFS, error) {
	opts = opts.withDefaults()
	t, err := resolve(u, opts)
	if err != nil {
		return nil, err
	}
	h := &hdfsFS{uri: "hdfs://" + t.authority, timeout: opts.Timeout, useHostname: t.useHostname, log: opts.Logger, files: map[*hdfsFile]struct{}{}}
	co := hdfs.ClientOptions{
		Addresses:           t.addresses,
		User:                t.user,
		UseDatanodeHostname: t.useHostname,
		NamenodeDialFunc:    dialer(ctx, opts.Timeout),
	}
	if t.kerberos {
		if h.krb, err = kerberosLogin(opts); err != nil {
			return nil, err
		}
		co.KerberosClient, co.KerberosServicePrincipleName = h.krb, t.spn
	}
	// NewClient dials without a context; ctx bounds it through the dialer,
	// and the handshake through the deadline the dialer sets.
	if h.client, err = hdfs.NewClient(co); err != nil {
		h.closeKerberos()
		return nil, fmt.Errorf("dfs: connecting to %s (%s): %w", h.uri, strings.Join(t.addresses, ","), err)
	}
	if h.call, err = nameNodeCall(h.client); err != nil {
		h.Close()
		return nil, err
	}
	d, err := h.serverDefaults()
	if err != nil {
		h.Close()
		return nil, err
	}
	if d.GetEncryptDataTransfer() {
		h.Close()
		return nil, &UnsupportedError{"dfs.encrypt.data.transfer", "encrypted data transfer to the DataNodes, which " + h.uri + " requires"}
	}
	return h, nil
}

// dialer dials NameNodes within ctx while Open runs and within timeout
// afterwards; every connection gets a deadline per read and write, so a
// NameNode that stops answering fails the call instead of hanging it.
func dialer(ctx context.Context, timeout time.Duration) func(context.Context, string, string) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return func(_ context.Context, network, addr string) (net.Conn, error) {
		dctx := ctx
		if ctx.Err() != nil {
			// Open has returned; later reconnections have their own time.
			dctx = context.Background()
		}
		c, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &deadlineConn{Conn: c, timeout: timeout}, nil
	}
}

// deadlineConn bounds every read and write. A timed-out read closes the
// connection: the library would otherwise read the late answer as the
// answer to its next call; closed, its next call reconnects.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Read(b)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.Conn.Close()
	}
	return n, err
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(b)
}

// kerberosLogin logs in from the keytab.
func kerberosLogin(opts Options) (*krbclient.Client, error) {
	confPath := os.Getenv("KRB5_CONFIG")
	if confPath == "" {
		confPath = "/etc/krb5.conf"
	}
	cfg, err := krbconfig.Load(confPath)
	if err != nil {
		return nil, fmt.Errorf("dfs: Kerberos configuration %s: %w", confPath, err)
	}
	kt, err := keytab.Load(opts.KerberosKeytab)
	if err != nil {
		return nil, fmt.Errorf("dfs: hdfs.kerberosKeytab %s: %w", opts.KerberosKeytab, err)
	}
	principal := opts.KerberosPrincipal
	if strings.Contains(principal, "_HOST") {
		host, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("dfs: hdfs.kerberosPrincipal %s: this host's name: %w", principal, err)
		}
		if names, err := net.LookupAddr(host); err == nil && len(names) > 0 {
			host = strings.TrimSuffix(names[0], ".")
		} else if cname, err := net.LookupCNAME(host); err == nil {
			host = strings.TrimSuffix(cname, ".")
		}
		principal = strings.ReplaceAll(principal, "_HOST", strings.ToLower(host))
	}
	name, realm, ok := strings.Cut(principal, "@")
	if !ok {
		realm = cfg.LibDefaults.DefaultRealm
	}
	if realm == "" {
		return nil, fmt.Errorf("dfs: hdfs.kerberosPrincipal %s names no realm and %s has no default_realm", principal, confPath)
	}
	cl := krbclient.NewWithKeytab(name, realm, kt, cfg, krbclient.DisablePAFXFAST(true))
	if err := cl.Login(); err != nil {
		cl.Destroy()
		return nil, fmt.Errorf("dfs: Kerberos login as %s@%s with %s: %w", name, realm, opts.KerberosKeytab, err)
	}
	return cl, nil
}

func (h *hdfsFS) closeKerberos() {
	if h.krb != nil {
		h.krb.Destroy()
	}
}

func (h *hdfsFS) serverDefaults() (*pb.FsServerDefaultsProto, error) {
	h.mu.Lock()
	d := h.defaults
	h.mu.Unlock()
	if d != nil {
		return d, nil
	}
	resp := &pb.GetServerDefaultsResponseProto{}
	if err := h.call("getServerDefaults", &pb.GetServerDefaultsRequestProto{}, resp); err != nil {
		return nil, h.wrap("getServerDefaults", "/", err)
	}
	h.mu.Lock()
	h.defaults = resp.GetServerDefaults()
	h.mu.Unlock()
	return resp.GetServerDefaults(), nil
}

func (h *hdfsFS) checkOpen(op, path string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return h.errorf(op, path, fs.ErrClosed, "the file system is closed")
	}
	return nil
}

// Create creates path (and its missing parents) with the server's default
// replication and block size and permission 0644, as Hadoop's
// FileSystem.create does under the usual umask, but never overwrites.
func (h *hdfsFS) Create(path string) (File, error) {
	if err := h.checkOpen("create", path); err != nil {
		return nil, err
	}
	d, err := h.serverDefaults()
	if err != nil {
		return nil, err
	}
	req := &pb.CreateRequestProto{
		Src:          proto.String(path),
		Masked:       &pb.FsPermissionProto{Perm: proto.Uint32(0o644)},
		Unmasked:     &pb.FsPermissionProto{Perm: proto.Uint32(0o666)},
		ClientName:   proto.String(h.client.Name()),
		CreateFlag:   proto.Uint32(uint32(pb.CreateFlagProto_CREATE)),
		CreateParent: proto.Bool(true),
		Replication:  proto.Uint32(d.GetReplication()),
		BlockSize:    proto.Uint64(d.GetBlockSize()),
	}
	resp := &pb.CreateResponseProto{}
	if err := h.call("create", req, resp); err != nil {
		return nil, h.wrap("create", path, err)
	}
	st := resp.GetFs()
	f := &hdfsFile{
		fs: h, path: path, fileID: st.GetFileId(), replication: int(d.GetReplication()),
		blockSize: int64(st.GetBlocksize()), bpc: int(d.GetBytesPerChecksum()),
		csType: d.GetChecksumType(),
	}
	if f.blockSize <= 0 {
		f.blockSize = int64(d.GetBlockSize())
	}
	if f.bpc <= 0 {
		f.bpc = 512
	}
	if st.GetFlags()&hasCrypt != 0 {
		// Created in an encryption zone: its data would have to be
		// encrypted with a key from the KMS.
		f.Close()
		h.call("delete", &pb.DeleteRequestProto{Src: proto.String(path), Recursive: proto.Bool(false)}, &pb.DeleteResponseProto{})
		return nil, &UnsupportedError{"hdfs.path", "writing into an HDFS encryption zone (" + h.uri + path + ")"}
	}
	h.mu.Lock()
	h.files[f] = struct{}{}
	h.mu.Unlock()
	return f, nil
}

// hasCrypt is HdfsFileStatusProto.Flags.HAS_CRYPT.
const hasCrypt = 0x02

// Rename renames from to to with rename2 without overwrite.
func (h *hdfsFS) Rename(from, to string) error {
	if err := h.checkOpen("rename", from); err != nil {
		return err
	}
	req := &pb.Rename2RequestProto{Src: proto.String(from), Dst: proto.String(to), OverwriteDest: proto.Bool(false)}
	return h.wrap("rename", from+" to "+h.uri+to, h.call("rename2", req, &pb.Rename2ResponseProto{}))
}

// Stat describes path. The size of a file being written counts its
// completed blocks only, as HDFS reports it.
func (h *hdfsFS) Stat(path string) (fs.FileInfo, error) {
	if err := h.checkOpen("stat", path); err != nil {
		return nil, err
	}
	fi, err := h.client.Stat(path)
	if err != nil {
		return nil, h.wrapLib("stat", path, err)
	}
	return fi, nil
}

// ReadDir lists dir in name order.
func (h *hdfsFS) ReadDir(dir string) ([]fs.FileInfo, error) {
	if err := h.checkOpen("readdir", dir); err != nil {
		return nil, err
	}
	infos, err := h.client.ReadDir(dir)
	if err != nil {
		return nil, h.wrapLib("readdir", dir, err)
	}
	sortInfos(infos)
	return infos, nil
}

// Remove removes the file or empty directory at path.
func (h *hdfsFS) Remove(path string) error {
	if err := h.checkOpen("remove", path); err != nil {
		return err
	}
	return h.wrapLib("remove", path, h.client.Remove(path))
}

// wrapLib wraps an error of the library's own calls, which reports
// fs.ErrNotExist and friends in an os.PathError.
func (h *hdfsFS) wrapLib(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return h.wrap(op, path, err)
}

// Recover recovers the lease of a file another client left open: HDFS
// closes it at the length its DataNodes hold. It asks until the NameNode
// answers that the file is closed, backing off up to a second between
// tries, for at most the timeout; then it fails with ErrRetry.
func (h *hdfsFS) Recover(path string) error {
	if err := h.checkOpen("recover", path); err != nil {
		return err
	}
	deadline := time.Now().Add(h.timeout)
	pause := 50 * time.Millisecond
	for {
		done, err := h.recoverLease(path)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if time.Now().Add(pause).After(deadline) {
			return h.errorf("recover", path, ErrRetry, "the NameNode is still recovering the lease after %v", h.timeout)
		}
		time.Sleep(pause)
		pause = min(2*pause, time.Second)
	}
}

// Truncate cuts the closed file at path back to size bytes. When the cut
// falls inside a block, HDFS truncates it through block recovery; Truncate
// waits for the file to close again, for at most the timeout (then it
// fails with ErrRetry).
func (h *hdfsFS) Truncate(path string, size int64) error {
	if err := h.checkOpen("truncate", path); err != nil {
		return err
	}
	resp := &pb.TruncateResponseProto{}
	err := h.call("truncate", &pb.TruncateRequestProto{Src: proto.String(path), NewLength: proto.Uint64(uint64(size)), ClientName: proto.String(h.client.Name())}, resp)
	if err != nil {
		return h.wrap("truncate", path, err)
	}
	deadline := time.Now().Add(h.timeout)
	for pause := 50 * time.Millisecond; !resp.GetResult(); pause = min(2*pause, time.Second) {
		closed := &pb.IsFileClosedResponseProto{}
		if err := h.call("isFileClosed", &pb.IsFileClosedRequestProto{Src: proto.String(path)}, closed); err != nil {
			return h.wrap("truncate", path, err)
		}
		if closed.GetResult() {
			return nil
		}
		if time.Now().Add(pause).After(deadline) {
			return h.errorf("truncate", path, ErrRetry, "the NameNode is still truncating the file after %v", h.timeout)
		}
		time.Sleep(pause)
	}
	return nil
}

func (h *hdfsFS) recoverLease(path string) (bool, error) {
	resp := &pb.RecoverLeaseResponseProto{}
	err := h.call("recoverLease", &pb.RecoverLeaseRequestProto{Src: proto.String(path), ClientName: proto.String(h.client.Name())}, resp)
	if exception(err) == exAlreadyBeingCreated {
		// Committed blocks are waiting to be reported: try again.
		return false, nil
	}
	if err != nil {
		return false, h.wrap("recover", path, err)
	}
	return resp.GetResult(), nil
}

// Close aborts the files still open (their leases end with the
// connection's, and a later Recover closes them) and closes the
// connection.
func (h *hdfsFS) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	files := h.files
	h.files = nil
	h.mu.Unlock()
	for f := range files {
		f.abort()
	}
	err := h.client.Close()
	h.closeKerberos()
	return err
}

func (h *hdfsFS) forget(f *hdfsFile) {
	h.mu.Lock()
	delete(h.files, f)
	h.mu.Unlock()
}
