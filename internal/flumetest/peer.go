package flumetest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// RequirePeers reports whether missing interop peers fail the tests
// (FLUMEGO_REQUIRE_PEERS=1, as CI sets) instead of skipping them.
func RequirePeers() bool { return os.Getenv("FLUMEGO_REQUIRE_PEERS") == "1" }

// RequirePeer is the one place where a test meets a missing interop peer
// (an independent implementation it checks flumego against: avsc,
// python3-thrift, a JDK, logrotate, ...). It returns when err is nil;
// otherwise err says what is missing and install what installs it (a
// .ci/setup.d script), and the test is skipped, or fails under
// FLUMEGO_REQUIRE_PEERS=1.
func RequirePeer(t testing.TB, err error, install string) {
	t.Helper()
	if err == nil {
		return
	}
	if RequirePeers() {
		t.Fatalf("interop peer missing (FLUMEGO_REQUIRE_PEERS=1): %v; %s", err, install)
	}
	t.Skipf("interop peer missing: %v; %s (FLUMEGO_REQUIRE_PEERS=1 makes this a failure)", err, install)
}

// Peer returns the path of the first of the named programs found on PATH
// (or given as an absolute path that exists). When none is, the test is
// skipped with a message naming what installs it, or fails under
// FLUMEGO_REQUIRE_PEERS=1 (see RequirePeer).
func Peer(t testing.TB, install string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	RequirePeer(t, fmt.Errorf("%v not found", names), install)
	return ""
}
