package http

import (
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/source/http/handler"
)

// Defaults of the settings flumego maps from Jetty's, and of its own.
const (
	// DefaultMaxRequestSize is max-request-size's default: the largest body
	// a handler may read (a handler that bounds its own reads, as
	// BlobHandler does, raises it to its bound).
	DefaultMaxRequestSize = 16 << 20
	// DefaultMaxThreads is Jetty's QueuedThreadPool.maxThreads: the
	// requests handled at once.
	DefaultMaxThreads = 200
	// DefaultIdleTimeout is Jetty's ServerConnector.idleTimeout: how long
	// a kept-alive connection may stay idle.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultRequestHeaderSize is Jetty's HttpConfiguration.requestHeaderSize.
	DefaultRequestHeaderSize = 8192
)

// PropMaxRequestSize is the flumego property bounding request bodies.
const PropMaxRequestSize = "max-request-size"

// Config is the HTTP source's parsed configuration.
type Config struct {
	// Addr is bind:port.
	Addr string
	// Handler turns requests into events; HandlerType is its type as
	// registered.
	Handler     flume.HTTPSourceHandler
	HandlerType string
	// TLS is set when ssl is on.
	TLS *tls.Config
	// Limits are request-read-timeout and max-connections.
	Limits netserver.Limits
	// MaxRequestSize bounds what a handler reads of a body (413 beyond);
	// SelfBounded reports a handler that never reads more than its own
	// bound (a longer body is not refused up front).
	MaxRequestSize int64
	SelfBounded    bool
	// MaxThreads bounds the requests handled at once
	// (QueuedThreadPool.maxThreads).
	MaxThreads int
	// IdleTimeout closes a kept-alive connection idle for that long
	// (ServerConnector.idleTimeout); 0 never does.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's header (HttpConfiguration.
	// requestHeaderSize; 431 beyond).
	MaxHeaderBytes int
	// ServerHeader, XPoweredBy and DateHeader are Jetty's
	// sendServerVersion, sendXPoweredBy and sendDateHeader.
	ServerHeader, XPoweredBy, DateHeader bool
}

// bodyLimiter is a handler that never reads more than MaxBodySize bytes of
// a body (handler.Blob).
type bodyLimiter interface{ MaxBodySize() int64 }

// ParseConfig reads the source's properties (see the package
// documentation); the handler is built from handler and handler.*, its
// type looked up in set.Lookup(). Problems are recorded in cfg; the error
// is non-nil when the source cannot be built.
func ParseConfig(set flume.Settings, cfg *flume.Context) (Config, error) {
	bind := cfg.String("bind", "0.0.0.0")
	cfg.Need(flume.NeedListenHost, "bind", bind)
	c := Config{Addr: net.JoinHostPort(bind, strconv.Itoa(cfg.Port("port")))}
	c.Handler, c.HandlerType = buildHandler(set, cfg)
	c.TLS = tlsconf.Server(cfg, tlsKeys(cfg), tlsconf.SystemGlobal())
	c.Limits = netserver.ParseLimits(cfg)
	parseJetty(cfg, &c)
	if b, ok := c.Handler.(bodyLimiter); ok {
		c.SelfBounded = true
		if !cfg.Has(PropMaxRequestSize) {
			c.MaxRequestSize = max(c.MaxRequestSize, b.MaxBodySize())
		}
	}
	return c, cfg.Err()
}

// buildHandler builds the handler named by handler (default JSONHandler)
// from the handler.* settings.
func buildHandler(set flume.Settings, cfg *flume.Context) (flume.HTTPSourceHandler, string) {
	typ := strings.TrimSpace(cfg.String("handler", handler.DefaultClass))
	f, canonical, err := set.Lookup().HTTPSourceHandler(typ)
	if err != nil {
		cfg.Errorf("handler", "%v", err)
		cfg.MarkPrefixUsed("handler.")
		return nil, ""
	}
	hset := set
	hset.Type = canonical
	if set.Logger != nil {
		hset.Logger = set.Logger.With("handler", canonical)
	}
	hcfg := cfg.Sub("handler.")
	errorsBefore := len(cfg.Problems().Errors())
	h, err := f(hset, hcfg)
	if err != nil && (!errors.As(err, new(flume.Problems)) || len(cfg.Problems().Errors()) == errorsBefore) {
		cfg.Errorf("handler", "%v", err)
	}
	if err == nil && h == nil {
		cfg.Errorf("handler", "handler %q: the factory returned no handler", canonical)
	}
	return h, canonical
}

// tlsKeys are the avro source's TLS keys, with Flume's deprecated
// aliases (enableSSL, keystorePassword, excludeProtocols) read when the
// current name is absent, and Jetty's SslContextFactory lists, which Flume
// applies after its own and so override them.
func tlsKeys(cfg *flume.Context) tlsconf.KeyNames {
	keys := tlsconf.ServerKeys
	alias := func(current, old string) string {
		if !cfg.Has(old) {
			return current
		}
		if cfg.Has(current) {
			cfg.MarkUsed(old)
			cfg.Warnf(old, "ignored: %s is set and takes precedence (%s is its deprecated name)", current, old)
			return current
		}
		cfg.Warnf(old, "deprecated name of %s (read as it, as Flume does)", current)
		return old
	}
	keys.Enable = alias(keys.Enable, "enableSSL")
	keys.KeystorePassword = alias(keys.KeystorePassword, "keystorePassword")
	keys.ExcludeProtocols = alias(keys.ExcludeProtocols, "excludeProtocols")
	override := func(current *string, jetty string) {
		if !cfg.Has(jetty) {
			return
		}
		if cfg.Has(*current) {
			cfg.MarkUsed(*current)
			cfg.Warnf(*current, "overridden by %s, as in Flume", jetty)
		}
		*current = jetty
	}
	override(&keys.IncludeProtocols, "SslContextFactory.includeProtocols")
	override(&keys.ExcludeProtocols, "SslContextFactory.excludeProtocols")
	override(&keys.IncludeCipherSuites, "SslContextFactory.includeCipherSuites")
	override(&keys.ExcludeCipherSuites, "SslContextFactory.excludeCipherSuites")
	return keys
}

// jettyPrefixes are the prefixes under which Flume passes settings to
// Jetty's objects by their setters.
var jettyPrefixes = []string{"QueuedThreadPool.", "HttpConfiguration.", "ServerConnector.", "SslContextFactory."}

// parseJetty reads max-request-size and the Jetty settings flumego maps:
// QueuedThreadPool.maxThreads, ServerConnector.idleTimeout,
// HttpConfiguration.requestHeaderSize, sendServerVersion, sendXPoweredBy
// and sendDateHeader (the SslContextFactory protocol and cipher lists are
// read with TLS). Every other Jetty setting draws a warning naming it: it
// has no effect in flumego.
func parseJetty(cfg *flume.Context, c *Config) {
	c.MaxRequestSize = cfg.Int64AtLeast(PropMaxRequestSize, DefaultMaxRequestSize, 1)
	c.MaxThreads = cfg.Positive("QueuedThreadPool.maxThreads", DefaultMaxThreads)
	c.IdleTimeout = time.Duration(cfg.Int64AtLeast("ServerConnector.idleTimeout", DefaultIdleTimeout.Milliseconds(), 0)) * time.Millisecond
	c.MaxHeaderBytes = cfg.Positive("HttpConfiguration.requestHeaderSize", DefaultRequestHeaderSize)
	c.ServerHeader = cfg.Bool("HttpConfiguration.sendServerVersion", true)
	c.XPoweredBy = cfg.Bool("HttpConfiguration.sendXPoweredBy", false)
	c.DateHeader = cfg.Bool("HttpConfiguration.sendDateHeader", true)
	for _, k := range cfg.Keys() {
		prefix := ""
		for _, p := range jettyPrefixes {
			if strings.HasPrefix(k, p) {
				prefix = p
			}
		}
		if prefix == "" || slices.Contains(jettyMapped, k) {
			continue
		}
		cfg.MarkUsed(k)
		switch {
		case slices.ContainsFunc(jettyMapped, func(m string) bool { return strings.EqualFold(m, k) }):
			cfg.Warnf(k, "ignored, as Flume ignores it: Jetty's setting is spelled %s (names are case-sensitive)",
				jettyMapped[slices.IndexFunc(jettyMapped, func(m string) bool { return strings.EqualFold(m, k) })])
		case k == "ServerConnector.host" || k == "ServerConnector.port":
			cfg.Warnf(k, "has no effect in flumego; set bind and port")
		case k == "SslContextFactory.needClientAuth" || k == "SslContextFactory.wantClientAuth":
			cfg.Unsupportedf(k, "client certificate authentication on the HTTP source")
		default:
			cfg.Warnf(k, "a setting of Jetty's %s with no effect in flumego", strings.TrimSuffix(prefix, "."))
		}
	}
}

// jettyMapped are the Jetty settings flumego reads.
var jettyMapped = []string{"QueuedThreadPool.maxThreads", "ServerConnector.idleTimeout", "HttpConfiguration.requestHeaderSize",
	"HttpConfiguration.sendServerVersion", "HttpConfiguration.sendXPoweredBy", "HttpConfiguration.sendDateHeader",
	"SslContextFactory.includeProtocols", "SslContextFactory.excludeProtocols", "SslContextFactory.includeCipherSuites",
	"SslContextFactory.excludeCipherSuites"}
