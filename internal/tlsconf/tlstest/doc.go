// Package tlstest generates throw-away certificates and key stores in every
// format Flume reads (PEM, JKS, PKCS12) for tests of TLS-speaking
// components.
package tlstest
