package hdfs

import (
	"context"
	"io/fs"
	"strconv"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/dfs"
	"github.com/flumego/flume/internal/flumetest"
)

// discardFS is a file system that keeps nothing, so that the benchmarks
// measure the sink's own work rather than the disk.
type discardFS struct{}

type discardFile struct{}

func (discardFS) Create(string) (dfs.File, error)       { return discardFile{}, nil }
func (discardFS) Rename(string, string) error           { return nil }
func (discardFS) Stat(string) (fs.FileInfo, error)      { return nil, fs.ErrNotExist }
func (discardFS) ReadDir(string) ([]fs.FileInfo, error) { return nil, nil }
func (discardFS) Remove(string) error                   { return nil }
func (discardFS) Recover(string) error                  { return nil }
func (discardFS) Close() error                          { return nil }
func (discardFile) Write(p []byte) (int, error)         { return len(p), nil }
func (discardFile) Flush() error                        { return nil }
func (discardFile) Close() error                        { return nil }

// BenchmarkProcess measures the sink's CPU per event (200-byte bodies,
// timestamp headers, batches of 1000) on a file system that discards.
func BenchmarkProcess(b *testing.B) {
	for _, tc := range []struct{ name, path, fileType string }{
		{"literal-datastream", "/out", "DataStream"},
		{"escaped-datastream", "/out/%Y%m%d/%H/%{host}", "DataStream"},
		{"escaped-sequencefile", "/out/%Y%m%d/%H/%{host}", "SequenceFile"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			const batch = 1000
			ch := flumetest.MemoryChannel(b, 10*batch, batch, 0)
			s, err := Factory(settings(b), flume.ContextFromMap(map[string]string{
				"hdfs.path": "file://" + tc.path, "hdfs.fileType": tc.fileType, "hdfs.batchSize": strconv.Itoa(batch),
				"hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.rollInterval": "0", "hdfs.recoveryDir": b.TempDir(),
			}), ch)
			if err != nil {
				b.Fatal(err)
			}
			hs := s.(*Sink)
			hs.openFS = func() (*mounted, error) { return &mounted{fs: discardFS{}, uri: "file://"}, nil }
			if err := hs.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			defer hs.Stop(context.Background())
			body := make([]byte, 200)
			events := make([]flume.Event, batch)
			ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
			for i := range events {
				events[i] = flume.Event{Body: body}
				events[i].SetHeader("timestamp", ts)
				events[i].SetHeader("host", "web-"+strconv.Itoa(i%4))
			}
			b.SetBytes(200 * batch)
			b.ReportAllocs()
			for b.Loop() {
				flumetest.Put(b, ch, events...)
				if _, err := hs.Process(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
		})
	}
}
