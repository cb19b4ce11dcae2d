package dfs

import (
	"context"
	"fmt"
	"testing"

	"github.com/flumego/flume/internal/hdfsfake"
)

// BenchmarkHDFSWrite writes 200-byte records through the hdfs:// file
// system into the fake over loopback, flushing (hflush) every batch, as the
// HDFS sink does before each channel commit.
func BenchmarkHDFSWrite(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			fake := hdfsfake.New(hdfsfake.Config{DiscardData: true})
			if err := fake.Start(); err != nil {
				b.Fatal(err)
			}
			defer fake.Close()
			fsys, err := OpenHDFS(context.Background(), fake.URL(), Options{User: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			defer fsys.Close()
			f, err := fsys.Create("/bench/data")
			if err != nil {
				b.Fatal(err)
			}
			rec := make([]byte, 200)
			rec[199] = '\n'
			b.SetBytes(200)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := f.Write(rec); err != nil {
					b.Fatal(err)
				}
				if i%batch == batch-1 {
					if err := f.Flush(); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := f.Flush(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			for f.Close() != nil {
			}
		})
	}
}
