package seqreader

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/flumetest"
	"github.com/golang/snappy"
)

// The testdata files were written by Hadoop's own SequenceFile.Writer
// (hadoop-common 3.5.0-SNAPSHOT, see ../../../shared/fixtures/README.md):
// 200 records, keys LongWritable 1796400000001..1796400000200, values
// "event 1".."event 200".
func TestHadoopFiles(t *testing.T) {
	for _, tc := range []struct {
		file        string
		valueClass  string
		compression Compression
		codec       string
		syncs       int
	}{
		// Hadoop 3 writes a sync marker every 100 KiB: none in these
		// small files but the one before each block.
		{"longwritable-text-none.seq", TextClass, CompressNone, "", 0},
		{"longwritable-byteswritable-none.seq", BytesWritableClass, CompressNone, "", 0},
		{"longwritable-text-record-deflate.seq", TextClass, CompressRecord, "org.apache.hadoop.io.compress.DefaultCodec", 0},
		{"longwritable-text-block-deflate.seq", TextClass, CompressBlock, "org.apache.hadoop.io.compress.DefaultCodec", 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			h := r.Header()
			if h.Version != 6 || h.KeyClass != LongWritableClass || h.ValueClass != tc.valueClass || h.Compression != tc.compression || h.Codec != tc.codec || len(h.Metadata) != 0 {
				t.Errorf("header %+v", h)
			}
			n := 0
			for {
				k, v, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("record %d: %v", n+1, err)
				}
				n++
				key, err := LongWritable(k)
				if err != nil || key != 1796400000000+int64(n) {
					t.Fatalf("record %d: key %d %v", n, key, err)
				}
				var value string
				if tc.valueClass == TextClass {
					value, err = Text(v)
				} else {
					var b []byte
					b, err = BytesWritable(v)
					value = string(b)
				}
				if err != nil || value != fmt.Sprintf("event %d", n) {
					t.Fatalf("record %d: value %q %v", n, value, err)
				}
			}
			if n != 200 {
				t.Errorf("%d records, want 200", n)
			}
			if r.Syncs() != tc.syncs {
				t.Errorf("%d sync markers passed, want %d", r.Syncs(), tc.syncs)
			}
			if st, _ := f.Stat(); r.Offset() != st.Size() {
				t.Errorf("read %d of %d bytes", r.Offset(), st.Size())
			}
		})
	}
}

func TestVLong(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want int64
	}{
		{[]byte{0x00}, 0},
		{[]byte{0x7f}, 127},
		{[]byte{0x90}, -112},
		{[]byte{0x8f, 0x80}, 128},
		{[]byte{0x8f, 0xc8}, 200},
		{[]byte{0x8e, 0x01, 0x00}, 256},
		{[]byte{0x87, 0x70}, -113},
		{[]byte{0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1<<63 - 1},
		{[]byte{0x80, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, -1 << 63},
	} {
		v, n, err := VLong(tc.b)
		if err != nil || n != len(tc.b) || v != tc.want {
			t.Errorf("VLong(% x) = %d, %d, %v; want %d", tc.b, v, n, err, tc.want)
		}
		// The test's encoder (used to build files below) agrees.
		if enc := appendVLong(nil, tc.want); !bytes.Equal(enc, tc.b) {
			t.Errorf("appendVLong(%d) = % x, want % x", tc.want, enc, tc.b)
		}
	}
	if _, _, err := VLong([]byte{0x8e, 0x01}); err == nil {
		t.Error("VLong decoded a truncated value")
	}
	if _, _, err := VInt([]byte{0x8b, 0x01, 0x00, 0x00, 0x00, 0x00}); err == nil {
		t.Error("VInt accepted a value beyond 32 bits")
	}
}

func TestWritables(t *testing.T) {
	if _, err := Text([]byte{5, 'a', 'b'}); err == nil {
		t.Error("Text accepted a length beyond its bytes")
	}
	if _, err := Text([]byte{2, 0xff, 0xfe}); err == nil {
		t.Error("Text accepted bytes that are not UTF-8")
	}
	if s, err := Text([]byte{3, 'a', 'b', 'c'}); err != nil || s != "abc" {
		t.Errorf("Text = %q, %v", s, err)
	}
	if _, err := BytesWritable([]byte{0, 0, 0, 9, 1}); err == nil {
		t.Error("BytesWritable accepted a length beyond its bytes")
	}
	if _, err := LongWritable([]byte{1, 2}); err == nil {
		t.Error("LongWritable accepted 2 bytes")
	}
}

// file builds a SequenceFile the way the specification lays it out, with
// compress compressing a value or a block buffer.
type file struct {
	codec    string
	block    bool
	compress func(t *testing.T, b []byte) []byte
	meta     []Meta
	sync     [16]byte
}

func appendVLong(b []byte, v int64) []byte {
	if v >= -112 && v <= 127 {
		return append(b, byte(v))
	}
	l := -112
	if v < 0 {
		v ^= -1
		l = -120
	}
	for tmp := v; tmp != 0; tmp >>= 8 {
		l--
	}
	b = append(b, byte(l))
	n := -(l + 112)
	if l < -120 {
		n = -(l + 120)
	}
	for i := n; i > 0; i-- {
		b = append(b, byte(v>>((i-1)*8)))
	}
	return b
}

func appendText(b []byte, s string) []byte { return append(appendVLong(b, int64(len(s))), s...) }

func (f file) build(t *testing.T, keys, values [][]byte) []byte {
	b := []byte("SEQ\x06")
	b = appendText(b, LongWritableClass)
	b = appendText(b, TextClass)
	compressed := f.codec != ""
	b = append(b, boolByte(compressed), boolByte(f.block))
	if compressed {
		b = appendText(b, f.codec)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(f.meta)))
	for _, m := range f.meta {
		b = appendText(appendText(b, m.Key), m.Value)
	}
	b = append(b, f.sync[:]...)
	if f.block {
		var kl, ks, vl, vs []byte
		for i := range keys {
			kl, ks = appendVLong(kl, int64(len(keys[i]))), append(ks, keys[i]...)
			vl, vs = appendVLong(vl, int64(len(values[i]))), append(vs, values[i]...)
		}
		b = binary.BigEndian.AppendUint32(b, 0xffffffff)
		b = append(b, f.sync[:]...)
		b = appendVLong(b, int64(len(keys)))
		for _, buf := range [][]byte{kl, ks, vl, vs} {
			c := f.compress(t, buf)
			b = append(appendVLong(b, int64(len(c))), c...)
		}
		return b
	}
	for i := range keys {
		v := values[i]
		if compressed {
			v = f.compress(t, v)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(keys[i])+len(v)))
		b = binary.BigEndian.AppendUint32(b, uint32(len(keys[i])))
		b = append(append(b, keys[i]...), v...)
		if i == 0 {
			b = binary.BigEndian.AppendUint32(b, 0xffffffff)
			b = append(b, f.sync[:]...)
		}
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func records(n int) (keys, values [][]byte) {
	for i := 1; i <= n; i++ {
		keys = append(keys, binary.BigEndian.AppendUint64(nil, uint64(1796400000000+i)))
		values = append(values, appendText(nil, fmt.Sprintf("event %d", i)))
	}
	return
}

func gzipBytes(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// bzip2Bytes compresses with Debian's bzip2, an encoder independent of
// Go's decoder.
func bzip2Bytes(t *testing.T, b []byte) []byte {
	t.Helper()
	cmd := exec.Command("bzip2", "-c")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	return out
}

// snappyFramed is Hadoop's BlockCompressorStream framing around raw Snappy
// blocks, split in blocks of at most 64 bytes to exercise several.
func snappyFramed(t *testing.T, b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		n := min(len(b), 64)
		c := snappy.Encode(nil, b[:n])
		out = binary.BigEndian.AppendUint32(out, uint32(n))
		out = binary.BigEndian.AppendUint32(out, uint32(len(c)))
		out = append(out, c...)
		b = b[n:]
	}
	return out
}

func TestCodecs(t *testing.T) {
	keys, values := records(50)
	for _, tc := range []struct {
		name, codec string
		compress    func(*testing.T, []byte) []byte
	}{
		{"gzip", "org.apache.hadoop.io.compress.GzipCodec", gzipBytes},
		{"bzip2", "org.apache.hadoop.io.compress.BZip2Codec", bzip2Bytes},
		{"snappy", "org.apache.hadoop.io.compress.SnappyCodec", snappyFramed},
	} {
		for _, block := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/block=%v", tc.name, block), func(t *testing.T) {
				if tc.name == "bzip2" {
					flumetest.Peer(t, "install Debian's bzip2", "bzip2")
				}
				data := file{codec: tc.codec, block: block, compress: tc.compress, meta: []Meta{{"writer", "test"}}, sync: [16]byte{1, 2, 3}}.build(t, keys, values)
				h, recs, err := ReadAll(bytes.NewReader(data), Limits{})
				if err != nil {
					t.Fatal(err)
				}
				if h.Codec != tc.codec || len(h.Metadata) != 1 || h.Metadata[0] != (Meta{"writer", "test"}) {
					t.Errorf("header %+v", h)
				}
				if len(recs) != len(keys) {
					t.Fatalf("%d records, want %d", len(recs), len(keys))
				}
				for i, r := range recs {
					if !bytes.Equal(r.Key, keys[i]) || !bytes.Equal(r.Value, values[i]) {
						t.Fatalf("record %d: %x %x", i, r.Key, r.Value)
					}
				}
			})
		}
	}
}

func TestCorruptFiles(t *testing.T) {
	good, err := os.ReadFile("testdata/longwritable-text-block-deflate.seq")
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewReader(bytes.NewReader(good), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	hdrLen := int(h.Offset())
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not a sequence file", []byte("PAR1xxxx"), "no SEQ magic"},
		{"version 5", append([]byte("SEQ\x05"), good[4:]...), "only version 6"},
		{"truncated header", good[:30], "unexpected EOF"},
		{"unknown codec", bytes.Replace(good, []byte("DefaultCodec"), []byte("ZStandardCo"), 1), "codec"},
		{"wrong sync in a block", flip(good, hdrLen+4+3), "differs from the header's"},
		{"truncated block", good[:len(good)-5], "unexpected EOF"},
		{"corrupt compressed buffer", flip(good, len(good)-20), "values of the block"},
		{"small limit", good, "block at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim := Limits{}
			if tc.name == "small limit" {
				lim.MaxBlock = 100
			}
			_, _, err := ReadAll(bytes.NewReader(tc.data), lim)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func flip(b []byte, at int) []byte {
	c := bytes.Clone(b)
	c[at] ^= 0x55
	return c
}

// FuzzReader reads arbitrary bytes as a SequenceFile: it must fail or
// succeed, never panic, with small limits so that nothing large is
// allocated.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"longwritable-text-none.seq", "longwritable-byteswritable-none.seq", "longwritable-text-record-deflate.seq", "longwritable-text-block-deflate.seq"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	keys, values := records(3)
	f.Add(file{codec: "org.apache.hadoop.io.compress.SnappyCodec", block: true, compress: snappyFramed}.build(nil, keys, values))
	f.Add(file{codec: "org.apache.hadoop.io.compress.GzipCodec", compress: gzipBytes}.build(nil, keys, values))
	f.Fuzz(func(t *testing.T, in []byte) {
		lim := Limits{MaxRecord: 1 << 16, MaxBlock: 1 << 18, MaxBlockRecords: 1 << 12, MaxHeader: 1 << 12}
		_, recs, err := ReadAll(bytes.NewReader(in), lim)
		total := 0
		for _, r := range recs {
			total += len(r.Key) + len(r.Value)
		}
		if total > 1<<20+len(in)*1100 {
			t.Fatalf("%d bytes of records from %d bytes of input", total, len(in))
		}
		_ = err
	})
}

func TestSyncMarkersBetweenRecords(t *testing.T) {
	keys, values := records(5)
	f := file{sync: [16]byte{9, 8, 7}}
	data := f.build(t, keys, values)
	r, err := NewReader(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, v, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(v, values[n]) {
			t.Fatalf("record %d: %q", n, v)
		}
		n++
	}
	if n != 5 || r.Syncs() != 1 {
		t.Errorf("%d records, %d sync markers; want 5 and 1", n, r.Syncs())
	}
	// The same file with another marker after the first record.
	bad := bytes.Clone(data)
	at := bytes.LastIndex(bad, f.sync[:])
	bad[at] ^= 1
	if _, _, err := ReadAll(bytes.NewReader(bad), Limits{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a wrong sync marker between records: %v, want ErrCorrupt", err)
	}
}
