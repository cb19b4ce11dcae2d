package envcheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/flumego/flume"
)

// LookupTimeout bounds the resolution of one host name.
const LookupTimeout = 3 * time.Second

// Check verifies needs on this machine and returns a problem for each one
// that cannot be met, located at the property that names it. Host names are
// resolved concurrently, each once; ctx bounds the whole check.
func Check(ctx context.Context, needs []flume.Need) flume.Problems {
	c := checker{ctx: ctx, lookups: map[string]*lookup{}}
	for _, n := range needs {
		if n.Kind == flume.NeedListenHost || n.Kind == flume.NeedPeerHost || n.Kind == flume.NeedPeerAddress {
			host := n.Value
			if n.Kind == flume.NeedPeerAddress {
				host, _, _ = net.SplitHostPort(n.Value)
			}
			c.resolve(trimBrackets(host))
		}
	}
	var out flume.Problems
	for _, n := range needs {
		sev, msg := c.check(n)
		if msg == "" {
			continue
		}
		p := n.Property
		out = append(out, flume.Problem{Severity: sev, File: p.File, Line: p.Line, Key: p.Key,
			Value: n.Value, HasValue: true, Message: msg})
	}
	return out
}

// Log logs environment problems: errors at level Error, warnings at Warn.
func Log(log *slog.Logger, ps flume.Problems) {
	for _, p := range ps {
		if p.Severity == flume.Error {
			log.Error("environment: " + p.Error())
		} else {
			log.Warn("environment: " + p.Error())
		}
	}
}

type checker struct {
	ctx     context.Context
	mu      sync.Mutex
	lookups map[string]*lookup
	local   []net.Addr // interface addresses, read once
	localOK bool
}

// lookup is the resolution of one host name, started at once.
type lookup struct {
	done  chan struct{}
	addrs []net.IPAddr
	err   error
}

// resolve starts resolving host unless it is empty, an address or
// malformed, or already started.
func (c *checker) resolve(host string) {
	if host == "" || net.ParseIP(host) != nil || hostSyntax(host) != "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.lookups[host]; ok {
		return
	}
	l := &lookup{done: make(chan struct{})}
	c.lookups[host] = l
	go func() {
		defer close(l.done)
		ctx, cancel := context.WithTimeout(c.ctx, LookupTimeout)
		defer cancel()
		l.addrs, l.err = net.DefaultResolver.LookupIPAddr(ctx, host)
	}()
}

func (c *checker) addrs(host string) ([]net.IPAddr, error) {
	c.mu.Lock()
	l := c.lookups[host]
	c.mu.Unlock()
	<-l.done
	return l.addrs, l.err
}

// check returns what is wrong with n, if anything.
func (c *checker) check(n flume.Need) (flume.Severity, string) {
	switch n.Kind {
	case flume.NeedWritableDir:
		if msg := writableDir(n.Value); msg != "" {
			return flume.Error, msg
		}
	case flume.NeedExistingDir, flume.NeedReadableDir:
		if msg := existingDir(n.Value, n.Kind == flume.NeedExistingDir); msg != "" {
			return flume.Error, msg
		}
	case flume.NeedListenHost:
		return c.listenHost(n.Value)
	case flume.NeedPeerHost:
		return c.peerHost(n.Value)
	case flume.NeedPeerAddress:
		host, port, err := net.SplitHostPort(n.Value)
		if err != nil {
			return flume.Error, "not a host:port address"
		}
		if v, err := strconv.Atoi(port); err != nil || v < 1 || v > 65535 {
			return flume.Error, fmt.Sprintf("port %q is not a port number (expected an integer from 1 to 65535)", port)
		}
		return c.peerHost(host)
	}
	return flume.Warning, ""
}

// writableDir checks a directory the component creates if missing and
// writes in.
func writableDir(path string) string {
	fi, err := os.Stat(path)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Sprintf("is a %s, not a directory; the component cannot write its files there", kind(fi.Mode()))
	case err == nil:
		if msg := writable(path); msg != "" {
			return msg
		}
		return ""
	case !missing(err):
		return fmt.Sprintf("cannot be reached: %v", unwrapPath(err))
	}
	// Missing: the component creates it (MkdirAll) under the nearest
	// existing ancestor, which must be a writable directory.
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Sprintf("cannot be resolved: %v", err)
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		switch {
		case missing(err) && dir != filepath.Dir(dir):
			continue
		case err != nil:
			return fmt.Sprintf("does not exist and cannot be created: %s cannot be reached: %v", dir, unwrapPath(err))
		case !fi.IsDir():
			return fmt.Sprintf("does not exist and cannot be created: %s is a %s, not a directory", dir, kind(fi.Mode()))
		}
		if msg := writable(dir); msg != "" {
			return fmt.Sprintf("does not exist and cannot be created: %s %s", dir, msg)
		}
		return ""
	}
}

// existingDir checks a directory that must exist, which the component
// reads and, when write is set, writes in.
func existingDir(path string, write bool) string {
	fi, err := os.Stat(path)
	switch {
	case missing(err):
		return "does not exist (the component does not create it)"
	case err != nil:
		return fmt.Sprintf("cannot be reached: %v", unwrapPath(err))
	case !fi.IsDir():
		return fmt.Sprintf("is a %s, not a directory", kind(fi.Mode()))
	}
	if msg := readable(path); msg != "" {
		return msg
	}
	if write {
		return writable(path)
	}
	return ""
}

// missing reports whether a stat error means the path does not exist (a
// component would create it), possibly because an ancestor is a file.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "regular file"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "file"
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// listenHost checks an address a source binds.
func (c *checker) listenHost(host string) (flume.Severity, string) {
	host = trimBrackets(host)
	if host == "" {
		return flume.Warning, ""
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsUnspecified() || c.isLocal(ip) {
			return flume.Warning, ""
		}
		return flume.Error, "is not an address of this machine; listening on it fails (cannot assign requested address)"
	}
	if msg := hostSyntax(host); msg != "" {
		return flume.Error, msg
	}
	addrs, err := c.addrs(host)
	if err != nil {
		return flume.Error, fmt.Sprintf("does not resolve: %v; listening on it fails", lookupError(err))
	}
	var found []string
	for _, a := range addrs {
		if c.isLocal(a.IP) {
			return flume.Warning, ""
		}
		found = append(found, a.IP.String())
	}
	return flume.Error, fmt.Sprintf("resolves to %s, not an address of this machine; listening on it fails", strings.Join(found, ", "))
}

// peerHost checks a host a sink connects to.
func (c *checker) peerHost(host string) (flume.Severity, string) {
	host = trimBrackets(host)
	if host == "" {
		return flume.Error, "no host given"
	}
	if net.ParseIP(host) != nil {
		return flume.Warning, ""
	}
	if msg := hostSyntax(host); msg != "" {
		return flume.Error, msg
	}
	if _, err := c.addrs(host); err != nil {
		return flume.Warning, fmt.Sprintf("does not resolve now: %v; the component keeps retrying", lookupError(err))
	}
	return flume.Warning, ""
}

func lookupError(err error) error {
	var de *net.DNSError
	if errors.As(err, &de) {
		if de.IsNotFound {
			return errors.New("no such host")
		}
		if de.IsTimeout {
			return fmt.Errorf("no answer within %s", LookupTimeout)
		}
		return errors.New(de.Err)
	}
	return err
}

// isLocal reports whether ip is an address of this machine (one of its
// interfaces', or a loopback address).
func (c *checker) isLocal(ip net.IP) bool {
	if ip.IsLoopback() {
		return true
	}
	c.mu.Lock()
	if !c.localOK {
		c.local, _ = net.InterfaceAddrs()
		c.localOK = true
	}
	local := c.local
	c.mu.Unlock()
	for _, a := range local {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

func trimBrackets(host string) string {
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		return host[1 : len(host)-1]
	}
	return host
}

// hostSyntax returns what is wrong with a host name that is not an IP
// address ("" when nothing is).
func hostSyntax(host string) string {
	if strings.Trim(host, "0123456789.") == "" {
		return "not a valid IPv4 address (each of the four numbers must be from 0 to 255)"
	}
	if strings.Contains(host, ":") {
		return "not a valid IPv6 address"
	}
	if len(host) > 253 {
		return "not a valid host name (longer than 253 characters)"
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "not a valid host name (labels are 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen)"
		}
		for _, ch := range label {
			if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
				return fmt.Sprintf("not a valid host name (%q is not allowed in a host name)", ch)
			}
		}
	}
	return ""
}
