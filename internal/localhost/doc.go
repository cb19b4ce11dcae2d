// Package localhost works out this machine's name and address the way the
// components that name the host need them: the host interceptor's header
// and the Kafka sink's %[localhost], %[IP] and %[FQDN] topic escapes
// (Java's InetAddress.getLocalHost() getHostName, getHostAddress and
// getCanonicalHostName).
//
// Java takes the first address the host name resolves to, which on many
// Linux systems is the loopback alias 127.0.1.1 from /etc/hosts. This
// package prefers a non-loopback address of the resolved name, then a
// non-loopback address of the machine's interfaces, and only then a
// loopback one; the canonical name is the reverse lookup of that address,
// or the host name when there is none.
package localhost
