// Package codectest decompresses Hadoop codec output with tools that share
// no code with flumego: Debian's gzip and bzip2 (which also check the
// data: gzip -t, bzip2 -t), and Python's zlib and snappy modules (Debian's
// python3-snappy; Hadoop's Snappy block framing is decoded by a short
// script in testdata). Tests that need a missing tool are skipped, or fail
// when FLUMEGO_REQUIRE_PEERS=1 (CI installs them: .ci/setup.d/hdfs.sh).
// It is imported by tests only.
package codectest

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
)

// python is Debian's interpreter, where apt installs python3-snappy.
const python = "/usr/bin/python3"

// Decompress returns data, the output of the codec named by its simple
// name (GzipCodec, BZip2Codec, DefaultCodec, DeflateCodec, SnappyCodec),
// decompressed by an independent tool, after checking it (gzip -t,
// bzip2 -t).
func Decompress(t testing.TB, codec string, data []byte) []byte {
	t.Helper()
	switch codec {
	case "GzipCodec":
		run(t, data, "gzip", "-t")
		return run(t, data, "gzip", "-dc")
	case "BZip2Codec":
		run(t, data, "bzip2", "-t")
		return run(t, data, "bzip2", "-dc")
	case "DefaultCodec", "DeflateCodec":
		need(t, python, "")
		return run(t, data, python, script(), "zlib")
	case "SnappyCodec":
		need(t, python, "snappy")
		return run(t, data, python, script(), "snappy")
	}
	t.Fatalf("codectest: no independent decoder for %s", codec)
	return nil
}

func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "hadoop_decompress.py")
}

// need skips (or fails, under FLUMEGO_REQUIRE_PEERS=1) when the tool, or
// the Python module, is missing.
func need(t testing.TB, tool, module string) {
	t.Helper()
	_, err := exec.LookPath(tool)
	if err == nil && module != "" {
		err = exec.Command(tool, "-c", "import "+module).Run()
	}
	if err == nil {
		return
	}
	what := tool
	if module != "" {
		what += " with the " + module + " module (Debian's python3-" + module + ")"
	}
	flumetest.RequirePeer(t, fmt.Errorf("%s not available: %w", what, err), "see .ci/setup.d/hdfs.sh")
}

func run(t testing.TB, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	need(t, name, "")
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v on %d bytes: %v\n%s", name, args, len(stdin), err, stderr.String())
	}
	return out
}
