package app

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var javaOptsLine = regexp.MustCompile(`^\s*(?:export\s+)?JAVA_OPTS\s*=\s*(.*)$`)

// envShSystemProperties reads the -Dkey=value settings of the JAVA_OPTS
// assignments in <confDir>/flume-env.sh, where Flume users commonly enable
// monitoring. The script is not executed: only literal -D words count.
func envShSystemProperties(confDir string) [][2]string {
	data, err := os.ReadFile(filepath.Join(confDir, "flume-env.sh"))
	if err != nil {
		return nil
	}
	var out [][2]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		m := javaOptsLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		for _, w := range strings.Fields(strings.Trim(m[1], `"'`)) {
			w = strings.Trim(w, `"'`)
			if k, v, ok := strings.Cut(strings.TrimPrefix(w, "-D"), "="); ok && strings.HasPrefix(w, "-D") {
				out = append(out, [2]string{k, v})
			}
		}
	}
	return out
}
