package kafkaconf

import (
	"github.com/flumego/flume/internal/sysprop"
	"github.com/flumego/flume/internal/tlsconf"
)

// Globals are the process-wide settings Flume's Kafka components read
// besides their own properties. The parsers take them as an argument;
// SystemGlobals returns this process's.
type Globals struct {
	// TLS holds the javax.net.ssl.* (or FLUME_SSL_*) key and trust stores,
	// which apply where ssl.* keys are unset, as Flume's
	// KafkaSSLUtil.addGlobalSSLParameters adds them.
	TLS tlsconf.Global
	// LoginConfig is the JAAS file of -Djava.security.auth.login.config,
	// whose KafkaClient section gives the SASL credentials when
	// sasl.jaas.config is unset; "" when none.
	LoginConfig string
}

// SystemGlobals returns the globals of this process: its -D system
// properties (internal/sysprop) and environment.
func SystemGlobals() Globals {
	g := Globals{TLS: tlsconf.SystemGlobal()}
	g.LoginConfig, _ = sysprop.Get("java.security.auth.login.config")
	return g
}
