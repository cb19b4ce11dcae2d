package flumetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// recordingTB records what RequirePeer asks of a test instead of ending it.
type recordingTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordingTB) Helper()                        {}
func (r *recordingTB) Fatalf(format string, a ...any) { r.fatal = fmt.Sprintf(format, a...) }
func (r *recordingTB) Skipf(format string, a ...any)  { r.skip = fmt.Sprintf(format, a...) }

// TestRequirePeer: a present peer lets the test run; a missing one skips
// it, or fails it under FLUMEGO_REQUIRE_PEERS=1, naming what is missing and
// what installs it.
func TestRequirePeer(t *testing.T) {
	for _, require := range []string{"", "1"} {
		t.Setenv("FLUMEGO_REQUIRE_PEERS", require)
		var ok recordingTB
		RequirePeer(&ok, nil, ".ci/setup.d/x.sh")
		if ok.fatal != "" || ok.skip != "" {
			t.Fatalf("present peer: fatal %q, skip %q", ok.fatal, ok.skip)
		}
		var missing recordingTB
		RequirePeer(&missing, errors.New("xpeer not found"), ".ci/setup.d/x.sh")
		got := missing.skip
		if require == "1" {
			got = missing.fatal
		}
		if !strings.Contains(got, "xpeer not found") || !strings.Contains(got, ".ci/setup.d/x.sh") {
			t.Fatalf("FLUMEGO_REQUIRE_PEERS=%q: fatal %q, skip %q", require, missing.fatal, missing.skip)
		}
	}
}
