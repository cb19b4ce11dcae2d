// Package envcheck verifies, on the machine at hand, what a configuration's
// components need from it (flume.Need): that a directory a component will
// write is a directory, or can be created, and is writable on a writable
// file system; that a directory a component reads without creating it (a
// spooling directory) exists and can be read, and written when it must;
// that an address a source listens on is valid and belongs to this
// machine; that a host a sink connects to is a valid name and resolves;
// that a host:port has a valid port.
//
// Components declare their needs while they read their configuration
// (flume.Context.Need), so one mechanism serves every component, built in or
// not. `flume-ng check` runs these checks and prints their findings apart
// from the configuration's own problems, as environment problems; the agent
// runs them at start and logs them. A finding changes nothing: the agent
// still builds and starts every component (which retries, as Flume does),
// since the machine may be fixed without touching the configuration.
//
// The checks have no side effects: they stat paths, ask the kernel whether
// the process may write them (access(2), which also reports a read-only
// file system), read the interface addresses and resolve host names (each
// bounded by LookupTimeout). They create, bind and connect nothing.
//
// Severity: what is certain to fail is an error (a data directory that is a
// regular file, on a read-only file system or not writable; a bind address
// that is malformed, does not resolve or is not this machine's; a malformed
// host name or port). A peer host that does not resolve now is a warning:
// sinks retry, and the name may resolve later.
package envcheck
