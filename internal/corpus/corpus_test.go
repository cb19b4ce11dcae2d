package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flumego/flume/cmd/flume-ng/app"
)

var update = flag.Bool("update", false, "rewrite verdicts.txt with the verdicts of this build")

const verdictsFile = "verdicts.txt"

// agentRef is one agent of one corpus file.
type agentRef struct{ file, agent string }

func (r agentRef) String() string { return r.file + " " + r.agent }

// readIndex reads testdata/INDEX.tsv and checks that it and
// testdata/configs name the same files.
func readIndex(t *testing.T) []agentRef {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var refs []agentRef
	indexed := map[string]bool{}
	for i, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("INDEX.tsv line %d: %d columns, want 4 (file, repo, path, agents)", i+1, len(cols))
		}
		if i == 0 {
			continue // the header
		}
		indexed[cols[0]] = true
		for _, a := range strings.Fields(cols[3]) {
			refs = append(refs, agentRef{cols[0], a})
		}
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "configs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !indexed[e.Name()] {
			t.Errorf("testdata/configs/%s is not in INDEX.tsv", e.Name())
		}
		delete(indexed, e.Name())
	}
	for f := range indexed {
		t.Errorf("INDEX.tsv names %s, which is not in testdata/configs", f)
	}
	return refs
}

// checkReport is what `flume-ng check --format json` prints (the fields
// the verdict needs).
type checkReport struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	Problems []struct {
		Severity string  `json:"severity"`
		Key      string  `json:"key"`
		Value    *string `json:"value"`
		Message  string  `json:"message"`
	} `json:"problems"`
}

// verdict runs check on one agent, as `flume-ng check` does, and returns
// its block of verdicts.txt and whether it is accepted.
func verdict(t *testing.T, r agentRef, plugins string) (string, bool) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := []string{"check", "-n", r.agent, "-f", filepath.Join("testdata", "configs", r.file),
		"--format", "json", "--plugins-path", plugins, "--no-environment"} // verdicts only: no DNS, no stat
	code := app.Main(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	var rep checkReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%s: check printed no JSON report (%v):\n%s%s", r, err, stdout.String(), stderr.String())
	}
	if rep.OK != (code == 0) {
		t.Errorf("%s: check exited %d with ok=%v", r, code, rep.OK)
	}
	if rep.OK {
		return r.String() + ": accepted\n", true
	}
	var lines []string
	if rep.Error != "" {
		lines = append(lines, "(agent) the configuration cannot be read: "+rep.Error)
	}
	for _, p := range rep.Problems {
		if p.Severity != "error" {
			continue
		}
		switch {
		case p.Key == "":
			lines = append(lines, "(agent) "+p.Message)
		case p.Value == nil:
			lines = append(lines, p.Key)
		default:
			v := *p.Value
			if strings.ContainsAny(v, "\t\n\r") || strings.TrimSpace(v) != v || v == "" {
				v = strconv.Quote(v)
			}
			lines = append(lines, p.Key+" = "+v)
		}
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	if len(lines) == 0 {
		lines = []string{"(agent) nothing would run"}
	}
	return r.String() + ": rejected\n\t" + strings.Join(lines, "\n\t") + "\n", false
}

// TestCorpus runs check on every agent of the corpus and compares the
// verdicts with verdicts.txt (see the package documentation).
func TestCorpus(t *testing.T) {
	refs := readIndex(t)
	plugins := t.TempDir() // no plugins: only what flumego builds in
	var blocks []string
	accepted := 0
	for _, r := range refs {
		b, ok := verdict(t, r, plugins)
		blocks = append(blocks, b)
		if ok {
			accepted++
		}
	}
	got := fmt.Sprintf(`# Expected verdicts of flume-ng check on the real-world corpus (testdata/INDEX.tsv).
# TestCorpus fails when one changes. After a deliberate change (a new component,
# a new check), regenerate this file and review its diff:
#
#     go test ./internal/corpus -run TestCorpus -update
#
# "<file> <agent>: accepted" or "rejected", then the agent's errors: "key = value",
# "key", or "(agent) message". Warnings are not recorded.
#
# %d of %d agents accepted.

`, accepted, len(refs)) + strings.Join(blocks, "")
	if *update {
		if err := os.WriteFile(verdictsFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s rewritten: %d of %d agents accepted", verdictsFile, accepted, len(refs))
		return
	}
	data, err := os.ReadFile(verdictsFile)
	if err != nil {
		t.Fatalf("%v\nCreate it with: go test ./internal/corpus -run TestCorpus -update", err)
	}
	if want := string(data); got != want {
		t.Errorf("the verdicts of flume-ng check on the corpus changed (%d of %d agents accepted now):\n%s\n"+
			"If the change is intended (a new component, a new check), regenerate the file and commit it with the change:\n"+
			"    go test ./internal/corpus -run TestCorpus -update\n"+
			"then review `git diff internal/corpus/%s`.", accepted, len(refs), diffBlocks(want, got), verdictsFile)
	}
}

// diffBlocks describes which agents' blocks differ between two versions of
// verdicts.txt.
func diffBlocks(want, got string) string {
	wb, gb := parseBlocks(want), parseBlocks(got)
	var out strings.Builder
	for _, name := range gb.order {
		w, ok := wb.blocks[name]
		switch {
		case !ok:
			fmt.Fprintf(&out, "new agent:\n%s", indent(gb.blocks[name]))
		case w != gb.blocks[name]:
			fmt.Fprintf(&out, "was:\n%snow:\n%s", indent(w), indent(gb.blocks[name]))
		}
	}
	for _, name := range wb.order {
		if _, ok := gb.blocks[name]; !ok {
			fmt.Fprintf(&out, "no longer in the corpus:\n%s", indent(wb.blocks[name]))
		}
	}
	if out.Len() == 0 {
		return "(only the header differs)"
	}
	return out.String()
}

type blockSet struct {
	order  []string
	blocks map[string]string
}

// parseBlocks splits verdicts.txt into the blocks of its agents, keyed by
// "<file> <agent>".
func parseBlocks(text string) blockSet {
	bs := blockSet{blocks: map[string]string{}}
	cur := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "\t"):
			bs.blocks[cur] += line + "\n"
		default:
			i := strings.LastIndex(line, ": ")
			if i < 0 {
				i = len(line)
			}
			cur = line[:i]
			bs.order = append(bs.order, cur)
			bs.blocks[cur] = line + "\n"
		}
	}
	return bs
}

func indent(block string) string {
	return "    " + strings.ReplaceAll(strings.TrimSuffix(block, "\n"), "\n", "\n    ") + "\n"
}
