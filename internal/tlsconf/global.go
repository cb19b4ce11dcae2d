package tlsconf

import (
	"os"

	"github.com/flumego/flume/internal/sysprop"
)

// Global holds the process-wide key and trust stores Flume's SSLUtil reads,
// which apply wherever a component leaves a store setting unset.
type Global struct {
	Keystore, Truststore Store
}

// GlobalFrom builds the global stores from system properties and
// environment variables, the system property first (as Flume's SSLUtil):
// javax.net.ssl.keyStore, keyStorePassword, keyStoreType, trustStore,
// trustStorePassword, trustStoreType, else FLUME_SSL_KEYSTORE_PATH,
// FLUME_SSL_KEYSTORE_PASSWORD, FLUME_SSL_KEYSTORE_TYPE,
// FLUME_SSL_TRUSTSTORE_PATH, FLUME_SSL_TRUSTSTORE_PASSWORD,
// FLUME_SSL_TRUSTSTORE_TYPE. Either function may be nil.
func GlobalFrom(sysProp func(string) (string, bool), getenv func(string) string) Global {
	get := func(prop, env string) string {
		if sysProp != nil {
			if v, ok := sysProp(prop); ok && v != "" {
				return v
			}
		}
		if getenv != nil {
			return getenv(env)
		}
		return ""
	}
	return Global{
		Keystore: Store{
			Path:     get("javax.net.ssl.keyStore", "FLUME_SSL_KEYSTORE_PATH"),
			Password: get("javax.net.ssl.keyStorePassword", "FLUME_SSL_KEYSTORE_PASSWORD"),
			Type:     get("javax.net.ssl.keyStoreType", "FLUME_SSL_KEYSTORE_TYPE"),
		},
		Truststore: Store{
			Path:     get("javax.net.ssl.trustStore", "FLUME_SSL_TRUSTSTORE_PATH"),
			Password: get("javax.net.ssl.trustStorePassword", "FLUME_SSL_TRUSTSTORE_PASSWORD"),
			Type:     get("javax.net.ssl.trustStoreType", "FLUME_SSL_TRUSTSTORE_TYPE"),
		},
	}
}

// SystemGlobal returns the global stores of this process: the -D system
// properties the flume-ng command set (internal/sysprop) and the
// environment. Component factories call it and pass the result to the
// parsers, so nothing below them reads process state.
func SystemGlobal() Global { return GlobalFrom(sysprop.Get, os.Getenv) }
