package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func init() {
	Register(Scenario{Name: "taildir-fileroll", Desc: "TAILDIR of one file of N lines → memory → file_roll, as a separate agent process (start-up included)",
		Run: func(ctx context.Context, p Params) (Result, error) {
			return taildirFileRoll(ctx, p, "taildir-fileroll", 1)
		}})
	Register(Scenario{Name: "taildir-fileroll-100files", Desc: "the same N lines spread over 100 files, tailed at once",
		Run: func(ctx context.Context, p Params) (Result, error) {
			return taildirFileRoll(ctx, p, "taildir-fileroll-100files", 100)
		}})
}

// LinesFiles writes n numbered lines of size bytes (as LinesFile) spread
// over files files of a directory, consecutive lines in each, and returns
// the directory and the byte count. An existing directory of the right
// size is reused.
func LinesFiles(dir string, n, size, files int) (string, int64, error) {
	out := filepath.Join(dir, fmt.Sprintf("lines-%d-%d-%dfiles", n, size, files))
	want := int64(n) * int64(size)
	if total, err := dirSize(out); err == nil && total == want {
		return out, want, nil
	}
	if err := os.RemoveAll(out); err != nil {
		return "", 0, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", 0, err
	}
	pad := strings.Repeat("x", size)
	for k := range files {
		f, err := os.Create(filepath.Join(out, fmt.Sprintf("part-%03d.log", k)))
		if err != nil {
			return "", 0, err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		for i := k * n / files; i < (k+1)*n/files; i++ {
			num := strconv.Itoa(i + 1)
			line := num + " " + pad
			w.WriteString(line[:max(size-1, len(num))])
			w.WriteByte('\n')
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return "", 0, err
		}
		if err := f.Close(); err != nil {
			return "", 0, err
		}
	}
	total, err := dirSize(out)
	return out, total, err
}

func dirSize(dir string) (int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			return 0, err
		}
		total += fi.Size()
	}
	return total, nil
}

// taildirFileRoll tails the input (one file, or files files) from the
// start with a fresh position file, through a memory channel, into
// file_roll, and times it from the agent's start to the last byte on disk.
// With -headers N, the exec scenarios' interceptors add the headers.
func taildirFileRoll(ctx context.Context, p Params, name string, files int) (Result, error) {
	var pattern string
	var size int64
	if files == 1 {
		in, n, err := input(p)
		if err != nil {
			return Result{}, err
		}
		abs, err := filepath.Abs(in)
		if err != nil {
			return Result{}, err
		}
		pattern, size = filepath.Dir(abs)+"/"+regexpQuote(filepath.Base(abs)), n
	} else {
		dir, n, err := LinesFiles(p.Dir, p.Events, p.EventSize, files)
		if err != nil {
			return Result{}, err
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return Result{}, err
		}
		pattern, size = abs+`/part-.*\.log`, n
	}
	out := filepath.Join(p.Dir, "fileroll-out")
	pos := filepath.Join(p.Dir, "taildir-pos")
	for _, d := range []string{out, pos} {
		if err := os.RemoveAll(d); err != nil {
			return Result{}, err
		}
	}
	a, err := StartAgent(p, "a1", fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = TAILDIR
a1.sources.r1.filegroups = f1
a1.sources.r1.filegroups.f1 = %s
a1.sources.r1.positionFile = %s/taildir_position.json
a1.sources.r1.batchSize = %d
a1.sources.r1.channels = c1
%sa1.channels.c1.type = memory
a1.channels.c1.capacity = %d
a1.channels.c1.transactionCapacity = %d
a1.sinks.k1.channel = c1
a1.sinks.k1.type = file_roll
a1.sinks.k1.sink.directory = %s
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = %d
`, pattern, pos, p.Batch, headerInterceptors(p.Headers), p.capacity(), p.Batch, out, p.Batch))
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := WaitForBytes(wctx, out, size); err != nil {
		a.Kill()
		return Result{}, err
	}
	elapsed, cpu := a.Since(), a.CPU()
	rss, err := a.Stop()
	return Result{Scenario: name, Events: int64(p.Events), Bytes: size, Elapsed: elapsed, PeakRSS: rss, CPU: cpu,
		Note: "from process start to the last byte on disk"}, err
}

// regexpQuote escapes the characters of a file name that a Java regex
// would read as operators.
func regexpQuote(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
