package http

import (
	"crypto/tls"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf"
)

// Flume's defaults.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultRequestTimeout = 5 * time.Second
	DefaultContentType    = "text/plain"
	DefaultAccept         = "text/plain"
)

// Config is the HTTP sink's parsed configuration.
type Config struct {
	// Endpoint is the URL events are POSTed to.
	Endpoint *url.URL
	// ConnectTimeout bounds connecting; RequestTimeout waiting for the
	// answer (Java's read timeout).
	ConnectTimeout, RequestTimeout time.Duration
	// ContentType and Accept are the request's headers.
	ContentType, Accept string
	// Backoff, Rollback and IncrementMetrics say what to do with an
	// answer's status code.
	Backoff, Rollback, IncrementMetrics Policy
	// TLS is the client configuration for an https endpoint: the JVM-wide
	// trust store (javax.net.ssl.trustStore), else the system's roots.
	TLS *tls.Config
}

// Policy is one of the sink's decisions per status code: an override for
// an exact code ("503") takes precedence over one for its class ("5XX"),
// which takes precedence over the default, as in Flume.
type Policy struct {
	Default   bool
	Overrides map[string]bool
}

// For returns the decision for status code.
func (p Policy) For(code int) bool {
	s := strconv.Itoa(code)
	if v, ok := p.Overrides[s]; ok {
		return v
	}
	if v, ok := p.Overrides[s[:1]+"XX"]; ok {
		return v
	}
	return p.Default
}

// ParseConfig reads the sink's properties (see the package documentation).
// Problems are recorded in cfg; the error is non-nil when the sink cannot
// be built.
func ParseConfig(cfg *flume.Context) (Config, error) {
	c := Config{
		ConnectTimeout: cfg.MillisAtLeast("connectTimeout", DefaultConnectTimeout, time.Millisecond),
		RequestTimeout: cfg.MillisAtLeast("requestTimeout", DefaultRequestTimeout, time.Millisecond),
		ContentType:    cfg.String("contentTypeHeader", DefaultContentType),
		Accept:         cfg.String("acceptHeader", DefaultAccept),
	}
	if p, ok := cfg.Lookup("endpoint"); !ok {
		cfg.Errorf("endpoint", "required property is missing (the URL to POST events to)")
	} else if u, err := url.Parse(p.Value); err != nil {
		cfg.Errorf("endpoint", "not a URL: %v", err)
	} else if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		cfg.Errorf("endpoint", "expected an http:// or https:// URL with a host")
	} else {
		if strings.ContainsAny(p.Value, " \t") || u.Fragment != "" {
			cfg.Warnf("endpoint", "the URL holds white space or a fragment (#...): a comment after a value is part of the value in a properties file")
		}
		c.Endpoint = u
		cfg.Need(flume.NeedPeerHost, "endpoint", u.Hostname())
	}
	c.Backoff = policy(cfg, "backoff", "defaultBackoff", true)
	c.Rollback = policy(cfg, "rollback", "defaultRollback", true)
	c.IncrementMetrics = policy(cfg, "incrementMetrics", "defaultIncrementMetrics", false)
	if c.Rollback.For(200) {
		cfg.Warnf("defaultRollback", "a 200 answer is rolled back too (rollback.200 and rollback.2XX are not false): every event is sent again and again, as Flume does; set rollback.2XX = false and backoff.2XX = false")
	}
	if c.Endpoint != nil && c.Endpoint.Scheme == "https" {
		c.TLS = tlsconf.Client(cfg, tlsconf.KeyNames{}, tlsconf.SystemGlobal())
	}
	return c, cfg.Err()
}

// policy reads the default (defaultKey) and the per-code overrides
// (prefix.CODE) of one decision. Values are read as Java's
// Boolean.valueOf: true ignoring case, anything else false.
func policy(cfg *flume.Context, prefix, defaultKey string, def bool) Policy {
	p := Policy{Default: cfg.Bool(defaultKey, def), Overrides: map[string]bool{}}
	sub := cfg.Sub(prefix + ".")
	for _, code := range sub.Keys() {
		if !validCode(code) {
			sub.MarkUsed(code)
			sub.Warnf(code, "never applies: the sink looks up status codes as three digits (503) or a class (5XX)")
			continue
		}
		p.Overrides[code] = sub.Bool(code, false)
	}
	return p
}

// validCode reports whether a key can match a status code: 100 to 999, or
// a digit and "XX".
func validCode(k string) bool {
	if len(k) != 3 || k[0] < '1' || k[0] > '9' {
		return false
	}
	if k[1:] == "XX" {
		return true
	}
	return k[1] >= '0' && k[1] <= '9' && k[2] >= '0' && k[2] <= '9'
}
