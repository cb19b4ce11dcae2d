// Package tlsconf builds crypto/tls configurations from Java-style key and
// trust stores, for every component that speaks TLS: the avro and thrift
// sources and sinks, the SDK's RPC clients, the Kafka clients, and next the
// http and syslog sources.
//
// It has two layers, as OTel's configtls and Telegraf's common/tls:
//
//   - Typed options, for code: ServerConfig and ClientConfig hold a Store
//     (path, password, type JKS, PKCS12 or PEM) and Java's protocol and
//     cipher-suite lists; Load returns the *tls.Config, or an *Error naming
//     the Setting that failed.
//   - Parsers for Flume properties: ParseServer and ParseClient read the
//     options from a *flume.Context under the caller's own KeyNames, so each
//     problem is reported at the key the user wrote; Server and Client parse,
//     load and report in one call. ServerKeys and ClientKeys are the names
//     Flume's RPC sources and clients use.
//
// Server side (sources): ssl, keystore, keystore-password, keystore-type
// (JKS, PKCS12 as in Flume, or PEM: a file holding the certificate chain and,
// unless keystore-key names a separate file, the private key),
// include-protocols, exclude-protocols (SSLv3 is always excluded),
// include-cipher-suites, exclude-cipher-suites. Lists are separated by
// white space, as Flume writes them, or commas, as Kafka does.
//
// Client side (sinks, SDK): ssl, trust-all-certs, truststore,
// truststore-password, truststore-type (JKS, PKCS12 or PEM: a CA bundle),
// and the same protocol and cipher lists. Without a truststore the system
// roots are used. As Flume's Java client does, the server certificate's
// chain is verified but not its host name, so configurations that work with
// Java keep working; set ssl-verify-hostname = true (a flumego addition) to
// check the name as well.
//
// Store settings a component leaves unset fall back to the process-wide
// ones Flume reads (Global): the system properties javax.net.ssl.keyStore,
// keyStorePassword, keyStoreType, trustStore, trustStorePassword,
// trustStoreType (from -D on the command line), then the environment
// variables FLUME_SSL_KEYSTORE_PATH, ..._PASSWORD, ..._TYPE,
// FLUME_SSL_TRUSTSTORE_PATH, ..._PASSWORD, ..._TYPE. The parsers take them
// as an argument; SystemGlobal reads this process's.
//
// A new TLS source uses it in one line of its factory, e.g. the http
// source:
//
//	tc := tlsconf.Server(cfg, tlsconf.ServerKeys, tlsconf.SystemGlobal())
//
// and a component with its own key names (syslog's, Kafka's
// ssl.keystore.location) passes a KeyNames of its own; an empty name is
// not read. Flume's deprecated aliases (the http source's enableSSL and
// keystorePassword) are the component's to translate before the call.
package tlsconf
