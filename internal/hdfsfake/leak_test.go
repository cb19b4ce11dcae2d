package hdfsfake

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them. The
// client library (colinmarc/hdfs v2.4.0) leaks the acknowledgement reader of
// a block whose pipeline failed (TestDropPipeline): that one is ignored.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/colinmarc/hdfs/v2/internal/transfer.(*blockWriteStream).ackPackets"))
}
