package taildir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// BenchmarkTail reads a file of 100-byte lines, batch 1000, into a memory
// channel that a goroutine drains: b.N lines per run.
func BenchmarkTail(b *testing.B) {
	dir := b.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	line := strings.Repeat("x", 99) + "\n"
	f, err := os.Create(filepath.Join(logs, "app.log"))
	if err != nil {
		b.Fatal(err)
	}
	chunk := strings.Repeat(line, 1000)
	for i := 0; i < b.N; i += 1000 {
		f.WriteString(chunk)
	}
	f.Close()
	n := (b.N + 999) / 1000 * 1000
	ch := flumetest.MemoryChannel(b, 10000, 1000, time.Second)
	cfg := flume.ContextFromMap(map[string]string{"filegroups": "f1", "filegroups.f1": logs + `/app\.log`,
		"positionFile": filepath.Join(dir, "pos.json"), "batchSize": "1000"})
	src, err := Factory(flume.Settings{Name: "r1"}, cfg, flumetest.Processor(ch))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(100)
	b.ReportAllocs()
	b.ResetTimer()
	if err := src.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	got := 0
	for got < n {
		err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			evs, err := tx.Take(context.Background(), 1000)
			got += len(evs)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got != n {
		b.Fatal(fmt.Sprint(got, n))
	}
	src.Stop(context.Background())
}
