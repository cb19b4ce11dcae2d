package spooldir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// BenchmarkSource reads 200,000 100-byte lines, in one file or in 100,
// into a channel processor that only counts them: the source's own cost,
// batch 1000, from Start to the last file marked done.
func BenchmarkSource(b *testing.B) {
	const lines = 200000
	var text strings.Builder
	for i := range lines {
		line := fmt.Sprintf("%d %s", i, strings.Repeat("x", 100))
		text.WriteString(line[:99] + "\n")
	}
	data := text.String()
	for _, files := range []int{1, 100} {
		b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				per := len(data) / files
				old := time.Now().Add(-time.Hour)
				for f := 0; f < files; f++ {
					end := min((f+1)*per, len(data))
					if f == files-1 {
						end = len(data)
					}
					part := data[f*per : end]
					path := filepath.Join(dir, fmt.Sprintf("part-%03d", f))
					os.WriteFile(path, []byte(part), 0o644)
					os.Chtimes(path, old, old)
				}
				var n atomic.Int64
				out := flume.ChannelProcessorFunc(func(_ context.Context, events []flume.Event) error {
					n.Add(int64(len(events)))
					return nil
				})
				src := build(b, dir, map[string]string{"batchSize": "1000"}, out, &flumetest.LogBuffer{})
				b.StartTimer()
				if err := src.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				for !done(dir, files) {
					time.Sleep(time.Millisecond)
				}
				b.StopTimer()
				src.Stop(context.Background())
				if n.Load() < lines {
					b.Fatalf("%d lines", n.Load())
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
		})
	}
}

func done(dir string, files int) bool {
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".COMPLETED") {
			n++
		}
	}
	return n == files
}
