package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Module is the module path of the repository the examples live in.
const Module = "github.com/flumego/flume"

// Root returns the repository root: the nearest directory at or above the
// working directory whose go.mod declares Module. Examples run from
// anywhere inside the repository.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modulePath(data) == Module {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("not inside the flumego repository (no go.mod of %s above the working directory)", Module)
		}
		dir = parent
	}
}

func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// ExampleDir returns the absolute path of examples/<name>.
func ExampleDir(name string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "examples", name)
	if _, err := os.Stat(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// Files returns the absolute paths of the named files of examples/<name>,
// in order, checking that each exists.
func Files(example string, names ...string) ([]string, error) {
	dir, err := ExampleDir(example)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
		if _, err := os.Stat(out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FlumeNGEnv names the environment variable that points at a prebuilt
// flume-ng binary (e.g. bin/flume-ng from `make build`) to use instead of
// building one.
const FlumeNGEnv = "FLUME_NG"

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// Build compiles a main package of the module ("./cmd/flume-ng",
// "./examples/thrift-sdk-to-kafka/app", ...) with `go build`, once per
// process, and returns the binary's path. For ./cmd/flume-ng the binary
// named by $FLUME_NG is used when set.
//
// Binaries go to one directory per user and repository checkout under the
// system's temporary directory and replace the previous build atomically,
// so processes running an older build keep it, parallel test binaries do
// not collide, and repeated runs do not pile up copies.
func Build(ctx context.Context, pkg string) (string, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if path, ok := built[pkg]; ok {
		return path, nil
	}
	if pkg == "./cmd/flume-ng" {
		if bin := os.Getenv(FlumeNGEnv); bin != "" {
			abs, err := filepath.Abs(bin)
			if err != nil {
				return "", err
			}
			if _, err := os.Stat(abs); err != nil {
				return "", fmt.Errorf("$%s: %w", FlumeNGEnv, err)
			}
			built[pkg] = abs
			return abs, nil
		}
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("flumego-demo-%d-%x", os.Getuid(), sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".build-*")
	if err != nil {
		return "", err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	gotool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building %s needs the go tool on PATH (for flume-ng, $%s may name a prebuilt binary instead): %w", pkg, FlumeNGEnv, err)
	}
	cmd := exec.CommandContext(ctx, gotool, "build", "-o", tmp.Name(), pkg)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, stderr.Bytes())
	}
	out := filepath.Join(dir, strings.ReplaceAll(strings.TrimLeft(pkg, "./"), "/", "-"))
	if err := os.Rename(tmp.Name(), out); err != nil {
		return "", err
	}
	built[pkg] = out
	return out, nil
}

// FlumeNG builds (or finds, see FlumeNGEnv) the flume-ng binary.
func FlumeNG(ctx context.Context) (string, error) { return Build(ctx, "./cmd/flume-ng") }

// CheckResult is what `flume-ng check` printed.
type CheckResult struct {
	Output   string   // everything it printed
	Problems []string // its "error: ..." and "warning: ..." lines
	Summary  string   // its last line ("agent a1: 1 sources, ...")
}

// Check runs `flume-ng check -n name -f file...` and returns what it
// printed; a non-zero exit (a component would be dropped) is an error.
func Check(ctx context.Context, name string, files ...string) (CheckResult, error) {
	bin, err := FlumeNG(ctx)
	if err != nil {
		return CheckResult{}, err
	}
	args := []string{"check", "-n", name}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	res := CheckResult{Output: out.String()}
	for _, line := range strings.Split(strings.TrimSpace(res.Output), "\n") {
		switch {
		case strings.HasPrefix(line, "error: "), strings.HasPrefix(line, "warning: "):
			res.Problems = append(res.Problems, line)
		case strings.HasPrefix(line, "agent "):
			res.Summary = line
		}
	}
	var exitErr *exec.ExitError
	if errors.As(runErr, &exitErr) {
		return res, fmt.Errorf("flume-ng %s: exit status %d:\n%s", strings.Join(args, " "), exitErr.ExitCode(), res.Output)
	}
	return res, runErr
}

// CheckConfig runs `flume-ng check` on an agent's production files alone
// and then with its local-run override files, and fails on any problem:
// an error, or a warning other than the overrides' own "overrides the
// value" notes and those containing one of the allowed substrings (such
// as the deprecation notes of Flume's old property names the production
// file uses on purpose).
func CheckConfig(ctx context.Context, name string, production, local []string, allowed ...string) error {
	var errs []error
	for _, files := range [][]string{production, append(append([]string(nil), production...), local...)} {
		res, err := Check(ctx, name, files...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
	problems:
		for _, p := range res.Problems {
			if len(files) > len(production) && strings.Contains(p, ": overrides the value ") {
				continue
			}
			for _, a := range allowed {
				if strings.Contains(p, a) {
					continue problems
				}
			}
			errs = append(errs, fmt.Errorf("flume-ng check -n %s %s: %s", name, strings.Join(files, " "), p))
		}
	}
	return errors.Join(errs...)
}
