// Package thrifttest runs the independent Thrift peers of the interop tests:
// a client and a server for Flume's ThriftSourceProtocol written in Python
// against Debian's python3-thrift, with the code Debian's thrift-compiler
// generated from rpc/thriftrpc/flume.thrift (`make thrift-gen`). flumego's
// Go codec shares no code with them, so a test that passes proves wire
// compatibility with Thrift's reference implementation, not with ourselves.
//
// The peers need python3 with the thrift module (Debian: python3-thrift,
// installed in CI by .ci/setup.d/thrift.sh). When it is missing the tests
// are skipped, unless FLUMEGO_REQUIRE_PEERS=1, where they fail. Every process
// binds 127.0.0.1 only, exits by itself at the end of its stdin or after a
// timeout, and is killed in t.Cleanup.
package thrifttest
