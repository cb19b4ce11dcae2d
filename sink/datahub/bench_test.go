package datahub

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/datahubfake/fakeproc"
)

// BenchmarkSink measures lines → DataHub sink → DataHub (the fake, in its
// own process, so the allocations counted are the agent's): each op puts a
// batch of lines of about 100 bytes on a memory channel and runs one
// Process, which parses them against a three-column schema, sends one
// PutRecords over loopback HTTP and commits.
//
//	go test -run '^$' -bench Sink -count 5 ./sink/datahub/
func BenchmarkSink(b *testing.B) {
	url := fakeproc.Start(b, "-access-id", testID, "-access-key", testKey, "-project", "flume_proj", "-topic", "logs",
		"-schema", "id:BIGINT,name:STRING,score:DOUBLE", "-shards", "4", "-print", "none")
	for _, tc := range []struct {
		name  string
		batch int
		extra map[string]string
	}{
		{"protobuf/batch=1000", 1000, nil},
		{"protobuf/batch=100", 100, nil},
		{"json/batch=1000", 1000, map[string]string{"datahub.enablePb": "false"}},
		{"protobuf+lz4/batch=1000", 1000, map[string]string{"datahub.compressType": "LZ4"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			extra := map[string]string{
				"serializer": "DELIMITED", "serializer.fieldnames": "id,name,score",
				"datahub.batchSize": fmt.Sprint(tc.batch), "datahub.batchTimeout": "0",
			}
			for k, v := range tc.extra {
				extra[k] = v
			}
			ch := newChannel(b, tc.batch)
			s, _ := newSink(b, props2x(url, extra), ch)
			events := make([]flume.Event, tc.batch)
			bytes := 0
			for i := range events {
				line := fmt.Sprintf("%d,%s user-%06d,%d.25", 1000000+i, strings.Repeat("x", 70), i, i%1000)
				events[i] = flume.NewEvent([]byte(line))
				bytes += len(line)
			}
			ctx := context.Background()
			b.SetBytes(int64(bytes))
			b.ReportAllocs()
			for b.Loop() {
				if err := flume.Do(ctx, ch, func(tx flume.Transaction) error { return tx.Put(ctx, events...) }); err != nil {
					b.Fatal(err)
				}
				if st, err := s.Process(ctx); err != nil || st != flume.Ready {
					b.Fatalf("Process: %v %v", st, err)
				}
			}
			b.ReportMetric(float64(b.N*tc.batch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
