package avrofile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/avrobin"
	"github.com/linkedin/goavro/v2"
)

const stringSchema = `"string"`

// block is one block of a container file, parsed by readBlocks.
type block struct {
	count int64
	size  int
}

// readBlocks parses the framing of a container file independently of the
// writer: the header (returning its metadata) and every block's count and
// size, checking each block's sync marker.
func readBlocks(t *testing.T, b []byte) (map[string]string, []string, []block) {
	t.Helper()
	if !bytes.HasPrefix(b, Magic) {
		t.Fatalf("no magic: % x", b[:min(len(b), 4)])
	}
	b = b[4:]
	meta := map[string]string{}
	var order []string
	for {
		n, rest, err := avrobin.ReadLong(b)
		if err != nil {
			t.Fatal(err)
		}
		b = rest
		if n == 0 {
			break
		}
		for range n {
			k, rest, err := avrobin.ReadString(b, "key")
			if err != nil {
				t.Fatal(err)
			}
			v, rest, err := avrobin.ReadBytes(rest, "value")
			if err != nil {
				t.Fatal(err)
			}
			meta[k], b = string(v), rest
			order = append(order, k)
		}
	}
	sync := b[:16]
	b = b[16:]
	var blocks []block
	for len(b) > 0 {
		count, rest, err := avrobin.ReadLong(b)
		if err != nil {
			t.Fatal(err)
		}
		size, rest, err := avrobin.ReadLong(rest)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(rest)) < size+16 || !bytes.Equal(rest[size:size+16], sync) {
			t.Fatalf("block %d: no sync marker after %d bytes", len(blocks), size)
		}
		blocks = append(blocks, block{count, int(size)})
		b = rest[size+16:]
	}
	return meta, order, blocks
}

func appendString(s string) func([]byte) []byte {
	return func(dst []byte) []byte { return avrobin.AppendString(dst, s) }
}

// TestRoundTripEveryCodec writes datums with each codec, cutting blocks at
// the sync interval and at Flush, and reads them back with goavro's reader.
func TestRoundTripEveryCodec(t *testing.T) {
	for _, codec := range []string{"", CodecNull, CodecDeflate, CodecSnappy} {
		t.Run("codec="+codec, func(t *testing.T) {
			var out bytes.Buffer
			w, err := NewWriter(&out, Options{Schema: stringSchema, Codec: codec, SyncInterval: 100})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteHeader(); err != nil {
				t.Fatal(err)
			}
			var want []string
			for i := range 30 {
				s := fmt.Sprintf("datum %02d %s", i, strings.Repeat("x", i%5)) // 10 to 14 bytes encoded with the length
				want = append(want, s)
				if err := w.Append(appendString(s)); err != nil {
					t.Fatal(err)
				}
				if i == 3 {
					if err := w.Flush(); err != nil { // a commit: a short block
						t.Fatal(err)
					}
				}
			}
			if w.Buffered() == 0 {
				t.Fatal("every datum was written already; the test wants a pending block")
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil { // nothing pending: no empty block
				t.Fatal(err)
			}
			meta, order, blocks := readBlocks(t, out.Bytes())
			if meta["avro.schema"] != stringSchema {
				t.Fatalf("schema %q", meta["avro.schema"])
			}
			c, has := meta["avro.codec"]
			if codec == "" && has || codec != "" && c != codec {
				t.Fatalf("avro.codec = %q (present %v), want %q", c, has, codec)
			}
			if codec != "" && strings.Join(order, " ") != "avro.schema avro.codec" {
				t.Fatalf("metadata order %v, want Java HashMap's", order)
			}
			// Blocks: 4 datums (Flush), then cut when 100 bytes are reached:
			// 8 datums of 10-14 bytes (≥100 only after the 8th), and the rest at the end.
			var counts []int64
			var total int64
			for _, b := range blocks {
				counts = append(counts, b.count)
				total += b.count
			}
			if total != 30 || counts[0] != 4 || len(blocks) < 4 {
				t.Fatalf("block counts %v", counts)
			}
			for _, n := range counts[1 : len(counts)-1] {
				if n < 7 || n > 10 {
					t.Fatalf("block counts %v: a full block must hold about 100 bytes", counts)
				}
			}
			r, err := goavro.NewOCFReader(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for r.Scan() {
				v, err := r.Read()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v.(string))
			}
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("read back %q", got)
			}
		})
	}
}

func TestOptionsChecked(t *testing.T) {
	for _, o := range []Options{
		{Codec: "bzip2", SyncInterval: 100},
		{Codec: "Snappy", SyncInterval: 100},
		{SyncInterval: 31},
		{SyncInterval: MaxSyncInterval + 1},
	} {
		if _, err := NewWriter(&bytes.Buffer{}, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	a, _ := NewWriter(&bytes.Buffer{}, Options{SyncInterval: 32})
	b, _ := NewWriter(&bytes.Buffer{}, Options{SyncInterval: 32})
	if a.Sync() == b.Sync() {
		t.Fatal("two files got the same sync marker")
	}
}
