package flumetest

import (
	"os"
	"os/exec"
	"testing"
)

// RequirePeers reports whether missing interop peers fail the tests
// (FLUMEGO_REQUIRE_PEERS=1, as CI sets) instead of skipping them.
func RequirePeers() bool { return os.Getenv("FLUMEGO_REQUIRE_PEERS") == "1" }

// Peer returns the path of the first of the named programs found on PATH
// (or given as an absolute path that exists). When none is, the test is
// skipped with a message naming what installs it, or fails under
// FLUMEGO_REQUIRE_PEERS=1.
func Peer(t testing.TB, install string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if RequirePeers() {
		t.Fatalf("%v not found (FLUMEGO_REQUIRE_PEERS=1): %s", names, install)
	}
	t.Skipf("%v not found: %s", names, install)
	return ""
}
