package taildir

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
)

// gson returns the java command and Gson's jar, or skips the test without
// them (fails under FLUMEGO_REQUIRE_PEERS=1; .ci/setup.d/gson.sh installs
// Debian's JDK and libgoogle-gson-java).
func gson(t *testing.T) (java, jar string) {
	t.Helper()
	java, err := exec.LookPath("java")
	jar = "/usr/share/java/gson.jar"
	if err == nil {
		_, err = os.Stat(jar)
	}
	flumetest.RequirePeer(t, err, "java and Gson's jar: see .ci/setup.d/gson.sh")
	return java, jar
}

func runGson(t *testing.T, java, jar, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(java, append([]string{"-cp", jar, "testdata/GsonPositions.java"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	return string(out), err
}

// TestPositionFileWithGson checks the position file against Gson itself,
// the library Flume reads and writes it with: what EncodePositions writes
// is byte for byte what Gson writes for the same entries (escaping
// included), Gson reads it back as Flume does, and a key Flume does not
// know makes Flume's reading fail — which is why the fingerprints live in
// the state file beside it.
func TestPositionFileWithGson(t *testing.T) {
	java, jar := gson(t)
	ps := []Position{
		{Inode: 9986222, Pos: 3893, File: "/var/log/app/a.log"},
		{Inode: -5, Pos: 0, File: "/x/<a>&'b'=\"c\"\\d\te\nf\x01g\u2028h\u2029 é 日本 \U0001F600 \x7f"},
		{Inode: 1<<63 - 1, Pos: 1 << 40, File: "/plain"},
	}
	var lines strings.Builder
	for _, p := range ps {
		lines.WriteString(strconv.FormatInt(p.Inode, 10) + "\t" + strconv.FormatInt(p.Pos, 10) + "\t" + javaEscape(p.File) + "\n")
	}
	want, err := runGson(t, java, jar, lines.String(), "write")
	if err != nil {
		t.Fatalf("Gson: %v", err)
	}
	if got := string(EncodePositions(ps)); got != want {
		t.Fatalf("EncodePositions:\n%s\nGson:\n%s", got, want)
	}

	path := filepath.Join(t.TempDir(), "pos.json")
	if err := os.WriteFile(path, EncodePositions(ps), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runGson(t, java, jar, "", "read", path)
	if err != nil {
		t.Fatalf("Flume's way of reading failed: %v\n%s", err, out)
	}
	var read strings.Builder
	for _, p := range ps {
		read.WriteString(strconv.FormatInt(p.Inode, 10) + "\t" + strconv.FormatInt(p.Pos, 10) + "\t" +
			strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`).Replace(p.File) + "\n")
	}
	if out != read.String() {
		t.Fatalf("read by Gson as Flume does:\n%s\nwant\n%s", out, read.String())
	}

	// An extra key, even last, stops Flume's reader.
	extra := `[{"inode":1,"pos":2,"file":"/a","fingerprint":"00ff"}]`
	if err := os.WriteFile(path, []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runGson(t, java, jar, "", "read", path); err == nil || !strings.Contains(out, "Expected a name") {
		t.Fatalf("Flume's way of reading accepted an extra key: %v %s", err, out)
	}
}

// javaEscape escapes s for GsonPositions' input lines.
func javaEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
