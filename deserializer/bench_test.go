package deserializer

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/flumego/flume"
)

// BenchmarkLine reads 100-byte lines in batches of 1000, as the spooling
// directory source does: UTF-8 in and out, and GB18030 in.
func BenchmarkLine(b *testing.B) {
	var text strings.Builder
	for i := range 100000 {
		line := fmt.Sprintf("%d %s", i, strings.Repeat("x", 100))
		text.WriteString(line[:99] + "\n")
	}
	data := []byte(text.String())
	for _, cs := range []string{"UTF-8", "GB18030"} {
		b.Run(cs, func(b *testing.B) {
			bld := builder(b, nil)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				d, err := bld(flume.DeserializerInput{File: bytes.NewReader(data), Size: int64(len(data)), Name: "bench", Charset: cs})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					events, err := d.ReadEvents(1000)
					n += len(events)
					if err == io.EOF {
						break
					}
					if _, err := d.Mark(); err != nil {
						b.Fatal(err)
					}
				}
				if n != 100000 {
					b.Fatalf("%d lines", n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100000), "ns/line")
		})
	}
}
