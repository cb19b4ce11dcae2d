package embedded_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them. With
// $FLUMEGO_EMBEDDED_CRASH_APP set, the test binary is the application of
// TestKilledApplicationLosesNothing instead.
func TestMain(m *testing.M) {
	if os.Getenv(crashAppEnv) != "" {
		os.Exit(crashApp())
	}
	goleak.VerifyTestMain(m)
}
