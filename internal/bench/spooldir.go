package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func init() {
	Register(Scenario{Name: "spooldir-fileroll", Desc: "spooldir over one file of N lines → memory → file_roll, as a separate agent process (start-up included)",
		Run: func(ctx context.Context, p Params) (Result, error) {
			return spoolFileRoll(ctx, p, "spooldir-fileroll", 1)
		}})
	Register(Scenario{Name: "spooldir-fileroll-100", Desc: "spooldir over the same N lines in 100 files → memory → file_roll (start-up included)",
		Run: func(ctx context.Context, p Params) (Result, error) {
			return spoolFileRoll(ctx, p, "spooldir-fileroll-100", 100)
		}})
}

// spoolFileRoll fills a spooling directory with the input, as one file or
// split in files, and measures an agent from its start until file_roll has
// written every byte. With -headers N the lines get the exec scenarios'
// headers from the same interceptors.
func spoolFileRoll(ctx context.Context, p Params, name string, files int) (Result, error) {
	in, size, err := input(p)
	if err != nil {
		return Result{}, err
	}
	parts := []string{in}
	if files > 1 {
		if parts, err = splitLines(in, filepath.Join(p.Dir, fmt.Sprintf("%s-split-%d", filepath.Base(in), files)), files); err != nil {
			return Result{}, err
		}
	}
	spool, out := filepath.Join(p.Dir, "spool"), filepath.Join(p.Dir, "spool-out")
	for _, d := range []string{spool, out} {
		if err := os.RemoveAll(d); err != nil {
			return Result{}, err
		}
		if err := os.Mkdir(d, 0o755); err != nil {
			return Result{}, err
		}
	}
	old := time.Now().Add(-time.Hour) // complete files, as a producer leaves them
	for i, part := range parts {
		dst := filepath.Join(spool, fmt.Sprintf("part-%03d.log", i))
		if err := os.Link(part, dst); err != nil { // the agent renames the link; the input stays
			if err := copyFile(part, dst); err != nil {
				return Result{}, err
			}
		}
		if err := os.Chtimes(dst, old, old); err != nil {
			return Result{}, err
		}
	}
	a, err := StartAgent(p, "a1", fmt.Sprintf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = spooldir
a1.sources.r1.spoolDir = %s
a1.sources.r1.batchSize = %d
a1.sources.r1.channels = c1
%sa1.channels.c1.type = memory
a1.channels.c1.capacity = %d
a1.channels.c1.transactionCapacity = %d
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = %s
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = %d
`, spool, p.Batch, headerInterceptors(p.Headers), p.capacity(), p.Batch, out, p.Batch))
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
		Note: fmt.Sprintf("%d file(s); from process start to the last byte on disk", len(parts))}, err
}

// splitLines splits the lines file in into n files of about the same
// number of lines under dir, reusing them when they are there.
func splitLines(in, dir string, n int) ([]string, error) {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = filepath.Join(dir, fmt.Sprintf("%03d", i))
	}
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err == nil {
		return parts, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	src, err := os.Open(in)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return nil, err
	}
	r := bufio.NewReaderSize(src, 1<<20)
	per := fi.Size()/int64(n) + 1
	for _, part := range parts {
		f, err := os.Create(part)
		if err != nil {
			return nil, err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		var written int64
		for written < per {
			line, err := r.ReadBytes('\n')
			w.Write(line)
			written += int64(len(line))
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return nil, err
			}
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
	}
	return parts, os.WriteFile(done, nil, 0o644)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
