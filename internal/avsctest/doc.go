// Package avsctest runs avsc 5.7.9, an independent JavaScript
// implementation of Avro RPC (Netty framing, handshake), as the peer of
// flumego's Avro interop tests. .ci/setup.d/avsc.sh installs it into
// .work/node; without it the tests skip, unless FLUMEGO_REQUIRE_PEERS=1 (CI)
// makes that a failure.
package avsctest
