package flume

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// publicTestSuites are the test support packages outside internal/: the
// conformance suites plugin authors run against their own components.
var publicTestSuites = []string{"channel/channeltest", "componenttest", "sink/sinktest", "source/sourcetest"}

// isTestSupport reports whether a package path (relative to the module)
// names test support: one of its elements ends in "test" or "fake"
// (flumetest, tlsconf/tlstest, datahubfake/fakeproc, ...).
func isTestSupport(rel string) bool {
	for _, el := range strings.Split(rel, "/") {
		if strings.HasSuffix(el, "test") || strings.HasSuffix(el, "fake") {
			return true
		}
	}
	return false
}

// goList runs go list with args in the module root and returns the lines
// about this module's packages, module-relative ("" for the root package).
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if rel, ok := strings.CutPrefix(l, "github.com/flumego/flume"); ok && (rel == "" || rel[0] == ' ' || rel[0] == '/') {
			lines = append(lines, strings.TrimPrefix(rel, "/"))
		}
	}
	return lines
}

// TestPackageLayout keeps test support (helpers, fakes, interop peers) out
// of flumego's API and out of the flume-ng binary, and recognisable by its
// name (see internal/README.md):
//   - a package whose non-test files import "testing" is named as test
//     support, and lives under internal/ unless it is one of the public
//     conformance suites;
//   - nothing named as test support sits outside internal/ but those
//     suites;
//   - flume-ng links no test support.
func TestPackageLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	for _, l := range goList(t, "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...") {
		pkg, imports, _ := strings.Cut(l, " ")
		public := !strings.HasPrefix(pkg, "internal/") && !strings.Contains(pkg, "/internal/")
		suite := slices.Contains(publicTestSuites, pkg)
		if slices.Contains(strings.Fields(imports), "testing") {
			switch {
			case !isTestSupport(pkg):
				t.Errorf("%s imports testing outside its tests but is not named as test support (…test or …fake)", pkg)
			case public && !suite:
				t.Errorf("%s is test support in the public API: move it under internal/", pkg)
			}
		}
		if public && !suite && isTestSupport(pkg) && !strings.HasPrefix(pkg, "cmd/") {
			t.Errorf("%s is named as test support but is public API: move it under internal/", pkg)
		}
	}
	for _, dep := range goList(t, "-deps", "./cmd/flume-ng") {
		if isTestSupport(dep) {
			t.Errorf("flume-ng links the test support package %s", dep)
		}
	}
}
