// Package tlsconf turns Flume's TLS properties into crypto/tls
// configurations, shared by every component that speaks TLS (avro and
// thrift sources and sinks, the SDK, the http source).
//
// Server side (sources): ssl, keystore, keystore-password, keystore-type
// (JKS, PKCS12 as in Flume, or PEM: a file holding the certificate chain and,
// unless keystore-key names a separate file, the private key),
// include-protocols, exclude-protocols (SSLv3 is always excluded),
// include-cipher-suites, exclude-cipher-suites.
//
// Client side (sinks, SDK): ssl, trust-all-certs, truststore,
// truststore-password, truststore-type (JKS, PKCS12 or PEM: a CA bundle),
// and the same protocol and cipher lists. Without a truststore the system
// roots are used. As Flume's Java client does, the server certificate's
// chain is verified but not its host name, so configurations that work with
// Java keep working; set ssl-verify-hostname = true (a flumego addition) to
// check the name as well.
//
// Missing component values fall back to the global settings Flume reads:
// the system properties javax.net.ssl.keyStore, keyStorePassword,
// keyStoreType, trustStore, trustStorePassword, trustStoreType (from -D on
// the command line), then the environment variables FLUME_SSL_KEYSTORE_PATH,
// FLUME_SSL_KEYSTORE_PASSWORD, FLUME_SSL_KEYSTORE_TYPE,
// FLUME_SSL_TRUSTSTORE_PATH, FLUME_SSL_TRUSTSTORE_PASSWORD,
// FLUME_SSL_TRUSTSTORE_TYPE.
package tlsconf
