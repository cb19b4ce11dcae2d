package hdfs

import (
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/flumego/flume/internal/dfs"
)

// target is hdfs.path split as Hadoop's Path splits it.
type target struct {
	scheme    string // "hdfs", "file", or "" for the default file system
	authority string // hdfs: host:port or a name service; "" for fs.defaultFS's
	path      string // the path, with escapes; relative paths are allowed
}

// unsupportedScheme is parseTarget's error for a file system flumego has
// no client for (s3a, viprfs, ...).
type unsupportedScheme struct{ scheme string }

func (e *unsupportedScheme) Error() string {
	return "the " + e.scheme + ":// file system is not supported"
}

// parseTarget splits hdfs.path into scheme, authority and path. The scheme
// and authority may not hold escapes.
func parseTarget(raw string) (target, error) {
	var t target
	rest := raw
	if i := strings.IndexByte(raw, ':'); i > 0 && !strings.ContainsAny(raw[:i], "/%") {
		t.scheme, rest = strings.ToLower(raw[:i]), raw[i+1:]
		if strings.HasPrefix(rest, "//") {
			auth := rest[2:]
			end := strings.IndexByte(auth, '/')
			if end < 0 {
				end = len(auth)
			}
			t.authority, rest = auth[:end], auth[end:]
		}
		if rest == "" {
			rest = "/"
		}
	}
	t.path = rest
	switch t.scheme {
	case "", "file", "hdfs":
	default:
		return t, &unsupportedScheme{t.scheme}
	}
	if strings.Contains(t.authority, "%") {
		return t, fmt.Errorf("escapes in the file system's authority (%q) are not supported", t.authority)
	}
	if t.scheme == "file" && t.authority != "" && t.authority != "localhost" {
		return t, fmt.Errorf("file:// URIs name no host: use file:///path")
	}
	if t.scheme != "" && !strings.HasPrefix(t.path, "/") {
		return t, fmt.Errorf("a path with a scheme must be absolute")
	}
	if strings.TrimSpace(t.path) == "" {
		return t, fmt.Errorf("the path is empty")
	}
	return t, nil
}

// fsOptions are what opening an hdfs:// file system needs.
type fsOptions struct {
	ProxyUser, KerberosPrincipal, KerberosKeytab string
	// Timeout bounds each NameNode call (hdfs.callTimeout; 0: the
	// client's default).
	Timeout time.Duration
	Logger  *slog.Logger
}

func (o fsOptions) dfs() dfs.Options {
	return dfs.Options{ProxyUser: o.ProxyUser, KerberosPrincipal: o.KerberosPrincipal, KerberosKeytab: o.KerberosKeytab,
		Timeout: o.Timeout, Logger: o.Logger}
}

// openHDFS opens the hdfs:// file system named by authority (host:port or
// an HA name service of the Hadoop configuration), connecting within
// connectTimeout. It is the one place where the HDFS client is wired in.
func openHDFS(authority string, o fsOptions) (dfs.FileSystem, error) {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	return dfs.OpenHDFS(ctx, "hdfs://"+authority+"/", o.dfs())
}

// connectTimeout bounds connecting to the NameNode(s) and logging in.
const connectTimeout = 30 * time.Second

// checkHDFS validates an hdfs:// target as opening it would, without
// connecting: the Hadoop configuration's NameNodes, the security options,
// and what flumego does not implement (dfs.UnsupportedError).
func checkHDFS(t target, o fsOptions) error {
	return dfs.Check("hdfs://"+t.authority+"/", o.dfs())
}

// mounted is an open file system and where hdfs.path puts files on it.
type mounted struct {
	fs dfs.FileSystem
	// uri names the file system in the in-use record: "file://" or
	// "hdfs://authority".
	uri string
	// base is joined before relative expanded paths ("" when hdfs.path is
	// absolute).
	base string
	// local is set for the local file system.
	local bool
	// describe says where paths resolved, for the log.
	describe string
}

// open opens the file system of t. A path without a scheme goes, as in
// Hadoop, to fs.defaultFS of the Hadoop configuration when one is found
// ($HADOOP_CONF_DIR, $HADOOP_HOME/etc/hadoop, /etc/hadoop/conf), else to
// the local file system; relative paths are relative to the working
// directory (local) or to /user/<user> (HDFS).
func (t target) open(o fsOptions) (*mounted, error) {
	scheme, authority := t.scheme, t.authority
	describe := ""
	if scheme == "" || (scheme == "hdfs" && authority == "") {
		def, from := hadoopDefaultFS()
		dt, err := parseTarget(def)
		switch {
		case def == "" || dt.scheme == "file":
			if scheme == "hdfs" {
				return nil, fmt.Errorf("hdfs:/// names the default file system, but no Hadoop configuration sets fs.defaultFS to an hdfs:// URI (looked in $HADOOP_CONF_DIR, $HADOOP_HOME/etc/hadoop, /etc/hadoop/conf)")
			}
			scheme = "file"
		case err != nil:
			return nil, fmt.Errorf("fs.defaultFS %q in %s: %v", def, from, err)
		case dt.scheme != "hdfs":
			return nil, fmt.Errorf("fs.defaultFS %q in %s: only hdfs:// and file:// are supported", def, from)
		default:
			scheme, authority = "hdfs", dt.authority
			describe = "fs.defaultFS in " + from
		}
	}
	m := &mounted{}
	if scheme == "file" {
		m.fs, m.uri, m.local = dfs.Local{}, "file://", true
		if !path.IsAbs(t.path) {
			wd, err := os.Getwd()
			if err != nil {
				return nil, fmt.Errorf("resolve the relative hdfs.path %q: %w", t.path, err)
			}
			m.base = filepath.ToSlash(wd)
		}
		m.describe = "the local file system"
		return m, nil
	}
	fsys, err := openHDFS(authority, o)
	if err != nil {
		return nil, err
	}
	m.fs, m.uri = fsys, "hdfs://"+authority
	if !path.IsAbs(t.path) {
		m.base = "/user/" + hadoopUser(o.ProxyUser)
	}
	m.describe = m.uri
	if describe != "" {
		m.describe += " (" + describe + ")"
	}
	return m, nil
}

// hadoopUser is the user whose home relative HDFS paths start from: the
// proxy user, else $HADOOP_USER_NAME, else the process's user.
func hadoopUser(proxy string) string {
	if proxy != "" {
		return proxy
	}
	if u := os.Getenv("HADOOP_USER_NAME"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "flume"
}

// hadoopDefaultFS returns fs.defaultFS (or the deprecated fs.default.name)
// from core-site.xml in $HADOOP_CONF_DIR when it is set, else in
// $HADOOP_HOME/etc/hadoop or /etc/hadoop/conf, and the file it came from;
// "" when there is none.
func hadoopDefaultFS() (string, string) {
	var dirs []string
	switch {
	case os.Getenv("HADOOP_CONF_DIR") != "": // as in Hadoop, it alone then
		dirs = []string{os.Getenv("HADOOP_CONF_DIR")}
	case os.Getenv("HADOOP_HOME") != "":
		dirs = []string{filepath.Join(os.Getenv("HADOOP_HOME"), "etc", "hadoop"), "/etc/hadoop/conf"}
	default:
		dirs = []string{"/etc/hadoop/conf"}
	}
	for _, d := range dirs {
		file := filepath.Join(d, "core-site.xml")
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		var conf struct {
			Properties []struct {
				Name  string `xml:"name"`
				Value string `xml:"value"`
			} `xml:"property"`
		}
		if xml.Unmarshal(data, &conf) != nil {
			continue
		}
		var old string
		for _, p := range conf.Properties {
			switch strings.TrimSpace(p.Name) {
			case "fs.defaultFS":
				return strings.TrimSpace(p.Value), file
			case "fs.default.name":
				old = strings.TrimSpace(p.Value)
			}
		}
		if old != "" {
			return old, file
		}
	}
	return "", ""
}
