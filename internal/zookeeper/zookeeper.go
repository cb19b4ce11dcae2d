package zookeeper

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxFrame bounds a response frame: ZooKeeper's own limit on a znode's
// data (jute.maxbuffer) is 1 MB.
const MaxFrame = 4 << 20

// ErrNoNode is returned (wrapped) when a path does not exist.
var ErrNoNode = errors.New("no such znode")

// Operation codes and error codes of the protocol.
const (
	opCreate       = 1
	opGetData      = 4
	opGetChildren  = 8
	opCloseSession = -11

	errNoNode = -101
)

// ConnectString is a parsed ZooKeeper connection string,
// "host:port[,host:port...][/chroot]".
type ConnectString struct {
	Hosts  []string
	Chroot string // "" or "/path"
}

// ParseConnectString parses s.
func ParseConnectString(s string) (ConnectString, error) {
	var cs ConnectString
	hosts := strings.TrimSpace(s)
	if i := strings.IndexByte(hosts, '/'); i >= 0 {
		cs.Chroot = strings.TrimRight(path.Clean(hosts[i:]), "/")
		hosts = hosts[:i]
	}
	for _, h := range strings.Split(hosts, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(h, "2181") // ZooKeeper's port when none is given
		}
		cs.Hosts = append(cs.Hosts, h)
	}
	if len(cs.Hosts) == 0 {
		return cs, fmt.Errorf("zookeeper connect string %q names no server", s)
	}
	return cs, nil
}

// Conn is a ZooKeeper session on one server. It is not safe for
// concurrent use.
type Conn struct {
	c      net.Conn
	r      *bufio.Reader
	chroot string
	xid    int32
}

// Dial connects to the first server of cs that answers and opens a session
// with the given timeout (what the server keeps it for once the client is
// gone). Paths given to the Conn's methods are relative to cs.Chroot.
func Dial(ctx context.Context, cs ConnectString, session time.Duration) (*Conn, error) {
	var errs []error
	for _, h := range cs.Hosts {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", h)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		zc := &Conn{c: c, r: bufio.NewReader(c), chroot: cs.Chroot}
		if err := zc.handshake(ctx, session); err != nil {
			c.Close()
			errs = append(errs, fmt.Errorf("%s: %w", h, err))
			continue
		}
		return zc, nil
	}
	return nil, fmt.Errorf("zookeeper: no server of %s answered: %w", strings.Join(cs.Hosts, ","), errors.Join(errs...))
}

// Close ends the session and the connection.
func (zc *Conn) Close() error {
	_ = zc.c.SetDeadline(time.Now().Add(time.Second))
	var req encoder
	_, _ = zc.call(context.Background(), opCloseSession, req)
	return zc.c.Close()
}

func (zc *Conn) handshake(ctx context.Context, session time.Duration) error {
	var req encoder
	req.int32(0)                                 // protocol version
	req.int64(0)                                 // last zxid seen
	req.int32(int32(session / time.Millisecond)) // session timeout
	req.int64(0)                                 // session id
	req.buffer(make([]byte, 16))                 // password
	req.bool(false)                              // read-only
	if err := zc.send(ctx, req.b); err != nil {
		return err
	}
	resp, err := zc.receive(ctx)
	if err != nil {
		return err
	}
	d := decoder{b: resp}
	d.int32() // protocol version
	timeout := d.int32()
	d.int64() // session id
	d.buffer()
	if d.err != nil {
		return fmt.Errorf("connect response: %w", d.err)
	}
	if timeout <= 0 {
		return errors.New("the server refused the session (expired)")
	}
	return nil
}

// Children returns the names of the children of p, sorted.
func (zc *Conn) Children(ctx context.Context, p string) ([]string, error) {
	var req encoder
	req.string(zc.chroot + p)
	req.bool(false) // no watch
	resp, err := zc.call(ctx, opGetChildren, req)
	if err != nil {
		return nil, fmt.Errorf("zookeeper: children of %s: %w", zc.chroot+p, err)
	}
	out, err := decodeChildren(resp)
	if err != nil {
		return nil, fmt.Errorf("zookeeper: children of %s: %w", zc.chroot+p, err)
	}
	return out, nil
}

// decodeChildren reads a GetChildrenResponse: a vector of strings.
func decodeChildren(resp []byte) ([]string, error) {
	d := decoder{b: resp}
	n := d.int32()
	if n < 0 || int(n) > len(resp)/4 {
		return nil, fmt.Errorf("a count of %d in a %d-byte answer", n, len(resp))
	}
	out := make([]string, 0, n)
	for range n {
		out = append(out, d.string())
	}
	if d.err != nil {
		return nil, d.err
	}
	sort.Strings(out)
	return out, nil
}

// Data returns the data of znode p.
func (zc *Conn) Data(ctx context.Context, p string) ([]byte, error) {
	var req encoder
	req.string(zc.chroot + p)
	req.bool(false)
	resp, err := zc.call(ctx, opGetData, req)
	if err != nil {
		return nil, fmt.Errorf("zookeeper: data of %s: %w", zc.chroot+p, err)
	}
	d := decoder{b: resp}
	data := d.buffer()
	if d.err != nil {
		return nil, fmt.Errorf("zookeeper: data of %s: %w", zc.chroot+p, d.err)
	}
	return data, nil
}

// Create creates the persistent znode p holding data, readable and
// writable by anyone (tests register brokers with it).
func (zc *Conn) Create(ctx context.Context, p string, data []byte) error {
	var req encoder
	req.string(zc.chroot + p)
	req.buffer(data)
	req.int32(1)         // one ACL:
	req.int32(31)        // every permission
	req.string("world")  // for
	req.string("anyone") // anyone
	req.int32(0)         // persistent
	if _, err := zc.call(ctx, opCreate, req); err != nil {
		return fmt.Errorf("zookeeper: create %s: %w", zc.chroot+p, err)
	}
	return nil
}

// call sends one request and returns the body of its reply.
func (zc *Conn) call(ctx context.Context, op int32, body encoder) ([]byte, error) {
	zc.xid++
	var req encoder
	req.int32(zc.xid)
	req.int32(op)
	req.b = append(req.b, body.b...)
	if err := zc.send(ctx, req.b); err != nil {
		return nil, err
	}
	for {
		resp, err := zc.receive(ctx)
		if err != nil {
			return nil, err
		}
		d := decoder{b: resp}
		xid := d.int32()
		d.int64() // zxid
		code := d.int32()
		if d.err != nil {
			return nil, fmt.Errorf("reply header: %w", d.err)
		}
		if xid != zc.xid { // a notification (-1) or a ping reply (-2)
			continue
		}
		switch code {
		case 0:
			return d.b, nil
		case errNoNode:
			return nil, ErrNoNode
		}
		return nil, fmt.Errorf("zookeeper error code %d", code)
	}
}

func (zc *Conn) send(ctx context.Context, b []byte) error {
	if dl, ok := ctx.Deadline(); ok {
		_ = zc.c.SetWriteDeadline(dl)
	}
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(b)), uint32(len(b)))
	_, err := zc.c.Write(append(frame, b...))
	return err
}

func (zc *Conn) receive(ctx context.Context) ([]byte, error) {
	if dl, ok := ctx.Deadline(); ok {
		_ = zc.c.SetReadDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = zc.c.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	var n [4]byte
	if _, err := io.ReadFull(zc.r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > MaxFrame {
		return nil, fmt.Errorf("a %d-byte frame (at most %d)", size, MaxFrame)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(zc.r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// encoder writes jute's big-endian primitives.
type encoder struct{ b []byte }

func (e *encoder) int32(v int32) { e.b = binary.BigEndian.AppendUint32(e.b, uint32(v)) }
func (e *encoder) int64(v int64) { e.b = binary.BigEndian.AppendUint64(e.b, uint64(v)) }
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *encoder) buffer(b []byte) { e.int32(int32(len(b))); e.b = append(e.b, b...) }
func (e *encoder) string(s string) { e.int32(int32(len(s))); e.b = append(e.b, s...) }

// decoder reads them, recording the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = fmt.Errorf("truncated: %d bytes wanted, %d left", n, len(d.b))
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) int32() int32 {
	b := d.take(4)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

func (d *decoder) int64() int64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

func (d *decoder) buffer() []byte {
	n := d.int32()
	if n == -1 {
		return nil
	}
	return d.take(int(n))
}

func (d *decoder) string() string { return string(d.buffer()) }

// KafkaBrokers returns the address (host:port) of every Kafka broker
// registered under /brokers/ids for the listener named listener (Kafka
// names a listener after its security protocol by default: PLAINTEXT, SSL,
// SASL_PLAINTEXT, SASL_SSL), in broker id order, as Flume's Kafka source
// builds its bootstrap list from ZooKeeper. A broker without that listener
// is an error, as in Flume.
func (zc *Conn) KafkaBrokers(ctx context.Context, listener string) ([]string, error) {
	ids, err := zc.Children(ctx, "/brokers/ids")
	if err != nil {
		return nil, err
	}
	sort.Slice(ids, func(i, j int) bool {
		a, _ := strconv.Atoi(ids[i])
		b, _ := strconv.Atoi(ids[j])
		return a < b
	})
	var out []string
	for _, id := range ids {
		data, err := zc.Data(ctx, "/brokers/ids/"+id)
		if err != nil {
			return nil, err
		}
		addr, err := endpoint(data, listener)
		if err != nil {
			return nil, fmt.Errorf("zookeeper: broker %s: %w", id, err)
		}
		out = append(out, addr)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("zookeeper: no Kafka broker is registered under %s/brokers/ids", zc.chroot)
	}
	return out, nil
}

// endpoint returns the host:port of listener in a broker registration.
func endpoint(data []byte, listener string) (string, error) {
	var reg struct {
		Endpoints []string `json:"endpoints"`
		Host      string   `json:"host"`
		Port      int      `json:"port"`
	}
	if err := json.Unmarshal(data, &reg); err != nil {
		return "", fmt.Errorf("registration %q: %w", data, err)
	}
	for _, ep := range reg.Endpoints { // LISTENER_NAME://host:port
		name, hostPort, ok := strings.Cut(ep, "://")
		if ok && strings.EqualFold(name, listener) {
			if _, _, err := net.SplitHostPort(hostPort); err != nil {
				return "", fmt.Errorf("endpoint %q: %w", ep, err)
			}
			return hostPort, nil
		}
	}
	if len(reg.Endpoints) == 0 && reg.Host != "" && strings.EqualFold(listener, "PLAINTEXT") {
		return net.JoinHostPort(reg.Host, strconv.Itoa(reg.Port)), nil // Kafka 0.8's registration
	}
	return "", fmt.Errorf("no %s endpoint in %s", listener, data)
}
