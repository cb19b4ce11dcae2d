package dfs

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/colinmarc/hdfs/v2/hadoopconf"
	"github.com/flumego/flume"
)

// Options configure Open. The local file system ignores them.
type Options struct {
	// User is the HDFS user the client acts as on a cluster without
	// Kerberos (default: $HADOOP_USER_NAME, else the operating system
	// user), as Hadoop's UserGroupInformation picks it.
	User string
	// ProxyUser is Flume's hdfs.proxyUser: the user files are written as.
	// Without Kerberos the client claims it as its user (the NameNode then
	// applies no hadoop.proxyuser.* rule, since no real user is sent);
	// with Kerberos it is refused (UnsupportedError): the client library
	// cannot send a real user besides the authenticated one.
	ProxyUser string
	// KerberosPrincipal and KerberosKeytab are Flume's
	// hdfs.kerberosPrincipal (_HOST is replaced by this host's name) and
	// hdfs.kerberosKeytab: the client logs in from the keytab, with the
	// Kerberos configuration of $KRB5_CONFIG (default /etc/krb5.conf), and
	// authenticates to the NameNode named by dfs.namenode.kerberos.principal.
	KerberosPrincipal, KerberosKeytab string
	// HadoopConfDir is the directory of core-site.xml and hdfs-site.xml
	// (default: $HADOOP_CONF_DIR when set, else the first of
	// $HADOOP_HOME/etc/hadoop, $HADOOP_HOME/conf and /etc/hadoop/conf that
	// holds one). It names the NameNodes of an HA name service
	// (dfs.nameservices, dfs.ha.namenodes.*, dfs.namenode.rpc-address.*),
	// the default file system (fs.defaultFS) and the cluster's security.
	HadoopConfDir string
	// Timeout bounds each NameNode call and each wait for a DataNode
	// (default 60s, Hadoop's dfs.client.socket-timeout).
	Timeout time.Duration
	// Logger receives diagnostics (default slog.Default()).
	Logger *slog.Logger
}

// UnsupportedError is a configuration Open refuses because flumego does not
// implement it. Key names the Flume property (hdfs.proxyUser, ...) or the
// Hadoop property at fault. It matches flume.ErrUnsupported.
type UnsupportedError struct {
	Key, Msg string
}

func (e *UnsupportedError) Error() string {
	return e.Key + ": " + e.Msg + " (not supported by flumego)"
}

// Is makes errors.Is(err, flume.ErrUnsupported) hold.
func (e *UnsupportedError) Is(target error) bool { return target == flume.ErrUnsupported }

// defaultNameNodePort is the NameNode RPC port of a URI without one.
const defaultNameNodePort = "8020"

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// hadoopConf loads the Hadoop configuration Options name; it is nil when
// there is none.
func (o Options) hadoopConf() (hadoopconf.HadoopConf, string, error) {
	dirs := []string{o.HadoopConfDir}
	switch {
	case o.HadoopConfDir != "":
	case os.Getenv("HADOOP_CONF_DIR") != "":
		// As in Hadoop, it alone then.
		dirs = []string{os.Getenv("HADOOP_CONF_DIR")}
	case os.Getenv("HADOOP_HOME") != "":
		home := os.Getenv("HADOOP_HOME")
		dirs = []string{filepath.Join(home, "etc", "hadoop"), filepath.Join(home, "conf"), "/etc/hadoop/conf"}
	default:
		dirs = []string{"/etc/hadoop/conf"}
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		conf, err := hadoopconf.Load(d)
		if err != nil {
			return nil, d, fmt.Errorf("dfs: Hadoop configuration in %s: %w", d, err)
		}
		if conf != nil {
			return conf, d, nil
		}
		if o.HadoopConfDir != "" {
			return nil, d, fmt.Errorf("dfs: no core-site.xml or hdfs-site.xml in %s", d)
		}
	}
	return nil, "", nil
}

// hdfsTarget is what the client connects to and how.
type hdfsTarget struct {
	authority   string   // as written in the URI (or fs.defaultFS)
	addresses   []string // NameNode host:port, in failover order
	user        string
	kerberos    bool
	spn         string // the NameNode's service principal, without realm
	useHostname bool   // dfs.client.use.datanode.hostname
}

// resolve works out the NameNodes and the security of an hdfs:// URI.
func resolve(u *url.URL, opts Options) (*hdfsTarget, error) {
	conf, confDir, err := opts.hadoopConf()
	if err != nil {
		return nil, err
	}
	t := &hdfsTarget{authority: u.Host, useHostname: conf["dfs.client.use.datanode.hostname"] == "true"}
	if t.authority == "" {
		def, err := url.Parse(conf["fs.defaultFS"])
		if conf["fs.defaultFS"] == "" || err != nil || def.Scheme != "hdfs" || def.Host == "" {
			return nil, fmt.Errorf("dfs: %s names no NameNode and fs.defaultFS (in %q) names no hdfs:// one", u, confDir)
		}
		t.authority = def.Host
	}
	if ids := conf["dfs.ha.namenodes."+t.authority]; ids != "" {
		for _, id := range strings.Split(ids, ",") {
			id = strings.TrimSpace(id)
			addr := conf["dfs.namenode.rpc-address."+t.authority+"."+id]
			if addr == "" {
				return nil, fmt.Errorf("dfs: name service %s: dfs.namenode.rpc-address.%s.%s is not set in %s", t.authority, t.authority, id, confDir)
			}
			t.addresses = append(t.addresses, addr)
		}
	} else if addr := conf["dfs.namenode.rpc-address."+t.authority]; addr != "" {
		t.addresses = []string{addr}
	} else if _, _, err := net.SplitHostPort(t.authority); err == nil {
		t.addresses = []string{t.authority}
	} else {
		t.addresses = []string{net.JoinHostPort(t.authority, defaultNameNodePort)}
	}

	if strings.EqualFold(conf["dfs.encrypt.data.transfer"], "true") {
		return nil, &UnsupportedError{"dfs.encrypt.data.transfer", "encrypted data transfer to the DataNodes"}
	}
	if p := conf["dfs.data.transfer.protection"]; p != "" {
		return nil, &UnsupportedError{"dfs.data.transfer.protection", "SASL-protected data transfer to the DataNodes (" + p + "); DataNodes on privileged ports need none"}
	}
	kerberosConf := strings.EqualFold(conf["hadoop.security.authentication"], "kerberos")
	switch {
	case opts.KerberosPrincipal != "" || opts.KerberosKeytab != "":
		if opts.KerberosPrincipal == "" || opts.KerberosKeytab == "" {
			return nil, errors.New("dfs: Kerberos needs both hdfs.kerberosPrincipal and hdfs.kerberosKeytab")
		}
		if opts.ProxyUser != "" {
			return nil, &UnsupportedError{"hdfs.proxyUser", "impersonation on a Kerberos cluster: the HDFS client library sends no real user besides the authenticated one"}
		}
		t.kerberos = true
		t.spn, _, _ = strings.Cut(conf["dfs.namenode.kerberos.principal"], "@")
		if t.spn == "" {
			return nil, fmt.Errorf("dfs: Kerberos needs the NameNode's principal: set dfs.namenode.kerberos.principal in hdfs-site.xml (in %q)", confDir)
		}
	case kerberosConf:
		return nil, fmt.Errorf("dfs: the cluster uses Kerberos (hadoop.security.authentication in %s): set hdfs.kerberosPrincipal and hdfs.kerberosKeytab", confDir)
	}
	switch {
	case opts.ProxyUser != "":
		t.user = opts.ProxyUser
	case opts.User != "":
		t.user = opts.User
	case os.Getenv("HADOOP_USER_NAME") != "":
		t.user = os.Getenv("HADOOP_USER_NAME")
	default:
		u, err := user.Current()
		if err != nil {
			return nil, fmt.Errorf("dfs: no HDFS user: set HADOOP_USER_NAME (%w)", err)
		}
		t.user = u.Username
	}
	return t, nil
}

// Check validates uri and opts as Open would, without connecting or
// logging in: the scheme, the Hadoop configuration, the NameNodes it
// names, the security options and whether flumego implements them
// (UnsupportedError). The sink calls it when it is configured.
func Check(uri string, opts Options) error {
	u, err := parseURI(uri)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "hdfs":
		t, err := resolve(u, opts)
		if err != nil {
			return err
		}
		if t.kerberos {
			if _, err := os.Stat(opts.KerberosKeytab); err != nil {
				return fmt.Errorf("dfs: hdfs.kerberosKeytab: %w", err)
			}
		}
	case "file", "":
	default:
		return &UnsupportedError{"hdfs.path", "the file system scheme " + u.Scheme + ": (flumego writes to hdfs:// and to the local file system)"}
	}
	return nil
}

func parseURI(uri string) (*url.URL, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("dfs: %q is not a URI: %w", uri, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u, nil
}

// sortInfos orders directory entries by name, as ReadDir promises.
func sortInfos[T interface{ Name() string }](s []T) {
	sort.Slice(s, func(i, j int) bool { return s[i].Name() < s[j].Name() })
}
