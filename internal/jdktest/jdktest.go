package jdktest

import (
	"bufio"
	_ "embed"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
)

//go:embed JDK.java
var source []byte

// ErrJava is returned by a call the JDK answered with an exception.
var ErrJava = errors.New("the JDK threw an exception")

// JDK is a running JDK answering calls, one at a time.
type JDK struct {
	t   testing.TB
	in  io.WriteCloser
	out *bufio.Reader
}

// Start runs the JDK helper for the test, which it stops at the end. It
// skips the test when no java is installed, and fails it when
// FLUMEGO_REQUIRE_PEERS=1 (CI installs a JDK: .ci/setup.d/datahub-java.sh).
func Start(t testing.TB) *JDK {
	t.Helper()
	java := flumetest.Peer(t, "install a JDK, see .ci/setup.d/datahub-java.sh", "java")
	dir := t.TempDir()
	file := filepath.Join(dir, "JDK.java")
	if err := os.WriteFile(file, source, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(java, "-Duser.language=en", file)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = in.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("the JDK helper: %v", err)
		}
	})
	return &JDK{t: t, in: in, out: bufio.NewReader(out)}
}

func (j *JDK) call(line string) ([]string, error) {
	j.t.Helper()
	if _, err := io.WriteString(j.in, line+"\n"); err != nil {
		j.t.Fatalf("write to the JDK helper: %v", err)
	}
	answer, err := j.out.ReadString('\n')
	if err != nil {
		j.t.Fatalf("read from the JDK helper: %v", err)
	}
	answer = strings.TrimSuffix(answer, "\n")
	if answer == "ERR" {
		return nil, ErrJava
	}
	fields := strings.Split(answer, "\t")[1:]
	out := make([]string, len(fields))
	for i, f := range fields {
		b, err := hex.DecodeString(f)
		if err != nil {
			j.t.Fatalf("the JDK helper answered %q", answer)
		}
		out[i] = string(b)
	}
	return out, nil
}

// Call runs op with args (see JDK.java): MATCH pattern text (Java's
// Matcher.matches: "1" then each group, "+" and its text or "-" when it
// did not participate; or "0"), REPLACE regex replacement text
// (String.replaceAll), SDF pattern zone text (a lenient SimpleDateFormat in
// Locale.ENGLISH: epoch milliseconds), ADD zone millis MONTH|YEAR amount
// (Calendar.add). An exception in Java is ErrJava.
func (j *JDK) Call(op string, args ...string) ([]string, error) {
	j.t.Helper()
	var sb strings.Builder
	sb.WriteString(op)
	for _, a := range args {
		sb.WriteByte('\t')
		sb.WriteString(hex.EncodeToString([]byte(a)))
	}
	return j.call(sb.String())
}

// Decode returns new String(b, charset), as UTF-8.
func (j *JDK) Decode(charset string, b []byte) (string, error) {
	j.t.Helper()
	r, err := j.call("DECODE\t" + hex.EncodeToString([]byte(charset)) + "\t" + hex.EncodeToString(b))
	if err != nil {
		return "", err
	}
	return r[0], nil
}

// Encode returns s.getBytes(charset).
func (j *JDK) Encode(charset, s string) ([]byte, error) {
	j.t.Helper()
	r, err := j.call("ENCODE\t" + hex.EncodeToString([]byte(charset)) + "\t" + hex.EncodeToString([]byte(s)))
	if err != nil {
		return nil, err
	}
	return []byte(r[0]), nil
}
