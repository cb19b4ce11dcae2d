package seqfile

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/flumego/flume/internal/hadoopcodec"
	"github.com/flumego/flume/internal/seqreader"
)

// TestIndependentReader reads what the writer writes, every layout and
// codec, with internal/seqreader, which was written from the format's
// specification apart from this package and shares no code with it.
func TestIndependentReader(t *testing.T) {
	type variant struct {
		comp  Compression
		codec string
	}
	variants := []variant{{None, ""}}
	for _, c := range []string{"gzip", "bzip2", "snappy", "deflate", "default"} {
		variants = append(variants, variant{Record, c}, variant{Block, c})
	}
	for _, v := range variants {
		for _, text := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d-%s-text=%v", v.comp, v.codec, text), func(t *testing.T) {
				o := Options{KeyClass: LongWritable, ValueClass: BytesWritable, Compression: v.comp, BlockSize: 4000}
				if text {
					o.ValueClass = Text
				}
				if v.codec != "" {
					c, err := hadoopcodec.Lookup(v.codec)
					if err != nil {
						t.Fatal(err)
					}
					o.Codec = c
				}
				var buf bytes.Buffer
				w, err := NewWriter(&buf, o)
				if err != nil {
					t.Fatal(err)
				}
				var want [][]byte
				for i := range 500 {
					body := bytes.Repeat([]byte(fmt.Sprintf("body %d;", i)), i%40)
					want = append(want, body)
					value := AppendBytes(nil, body)
					if text {
						value = AppendText(nil, body)
					}
					if err := w.Append(AppendLong(nil, int64(1_700_000_000_000+i)), value); err != nil {
						t.Fatal(err)
					}
					if i%97 == 0 {
						if err := w.Sync(); err != nil { // a commit
							t.Fatal(err)
						}
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				h, recs, err := seqreader.ReadAll(bytes.NewReader(buf.Bytes()), seqreader.Limits{})
				if err != nil {
					t.Fatal(err)
				}
				if h.KeyClass != LongWritable || h.ValueClass != o.ValueClass || h.Sync != w.SyncMarker() ||
					int(h.Compression) != int(v.comp) || (o.Codec != nil && h.Codec != o.Codec.Class) {
					t.Fatalf("header %+v", h)
				}
				if len(recs) != len(want) {
					t.Fatalf("%d records, want %d", len(recs), len(want))
				}
				for i, rec := range recs {
					key, err := seqreader.LongWritable(rec.Key)
					if err != nil || key != int64(1_700_000_000_000+i) {
						t.Fatalf("record %d key %d %v", i, key, err)
					}
					var body []byte
					if text {
						s, err := seqreader.Text(rec.Value)
						if err != nil {
							t.Fatal(err)
						}
						body = []byte(s)
					} else if body, err = seqreader.BytesWritable(rec.Value); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(body, want[i]) {
						t.Fatalf("record %d: %q, want %q", i, body, want[i])
					}
				}
			})
		}
	}
}
