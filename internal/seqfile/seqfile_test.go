package seqfile

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/golang/snappy"

	"github.com/flumego/flume/internal/hadoopcodec"
	"github.com/flumego/flume/internal/hadoopcodec/codectest"
)

// The fixtures hold keys 1796400000001… and values "event 1"… .
const firstKey = 1796400000001

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// parsed is a SequenceFile as this test's own decoder sees it.
type parsed struct {
	header               []byte // up to and including the sync marker
	keyClass, valueClass string
	compressed, block    bool
	codec                string
	sync                 []byte
	keys, values         [][]byte
	syncAt               []int // offsets of sync escapes in the record section
	blocks               int
}

type reader struct {
	t    *testing.T
	b    []byte
	off  int
	name string
}

func (r *reader) need(n int) []byte {
	r.t.Helper()
	if n < 0 || r.off+n > len(r.b) {
		r.t.Fatalf("%s: truncated at %d (need %d)", r.name, r.off, n)
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *reader) vint() int64 {
	r.t.Helper()
	first := int8(r.need(1)[0])
	if first >= -112 {
		return int64(first)
	}
	neg := first < -120
	n := int(-112 - first)
	if neg {
		n = int(-120 - first)
	}
	var v int64
	for _, c := range r.need(n) {
		v = v<<8 | int64(c)
	}
	if neg {
		v ^= -1
	}
	return v
}

func (r *reader) text() string { return string(r.need(int(r.vint()))) }

func (r *reader) int32() int32 { return int32(binary.BigEndian.Uint32(r.need(4))) }

// parse decodes a whole file; decompress undoes the codec.
func parse(t *testing.T, name string, b []byte, decompress func([]byte) []byte) parsed {
	t.Helper()
	r := &reader{t: t, b: b, name: name}
	var p parsed
	if magic := r.need(4); string(magic) != "SEQ\x06" {
		t.Fatalf("%s: magic % x", name, magic)
	}
	p.keyClass, p.valueClass = r.text(), r.text()
	flags := r.need(2)
	p.compressed, p.block = flags[0] == 1, flags[1] == 1
	if p.compressed {
		p.codec = r.text()
	}
	if n := r.int32(); n != 0 {
		t.Fatalf("%s: %d metadata entries", name, n)
	}
	p.sync = r.need(16)
	p.header = b[:r.off]
	for r.off < len(b) {
		if p.block {
			if r.int32() != -1 || !bytes.Equal(r.need(16), p.sync) {
				t.Fatalf("%s: block without sync marker at %d", name, r.off)
			}
			p.blocks++
			n := int(r.vint())
			var bufs [4]*reader
			for i := range bufs {
				bufs[i] = &reader{t: t, b: decompress(r.need(int(r.vint()))), name: fmt.Sprintf("%s block %d buffer %d", name, p.blocks, i)}
			}
			for range n {
				p.keys = append(p.keys, bufs[1].need(int(bufs[0].vint())))
				p.values = append(p.values, bufs[3].need(int(bufs[2].vint())))
			}
			for i, br := range bufs {
				if br.off != len(br.b) {
					t.Fatalf("%s: block %d buffer %d has %d bytes left", name, p.blocks, i, len(br.b)-br.off)
				}
			}
			continue
		}
		at := r.off
		n := r.int32()
		if n == -1 {
			if !bytes.Equal(r.need(16), p.sync) {
				t.Fatalf("%s: bad sync marker at %d", name, at)
			}
			p.syncAt = append(p.syncAt, at)
			continue
		}
		klen := int(r.int32())
		rec := r.need(int(n))
		key, val := rec[:klen], rec[klen:]
		if p.compressed {
			val = decompress(val)
		}
		p.keys, p.values = append(p.keys, key), append(p.values, val)
	}
	return p
}

func unzlib(t *testing.T) func([]byte) []byte {
	return func(b []byte) []byte {
		t.Helper()
		zr, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// write writes the fixtures' 200 records.
func write(t *testing.T, o Options, text bool, syncEvery int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 200; i++ {
		val := []byte(fmt.Sprintf("event %d", i))
		if text {
			val = AppendText(nil, val)
		} else {
			val = AppendBytes(nil, val)
		}
		if err := w.Append(AppendLong(nil, firstKey+int64(i-1)), val); err != nil {
			t.Fatal(err)
		}
		if syncEvery > 0 && i%syncEvery == 0 {
			if err := w.Sync(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Len() != int64(buf.Len()) {
		t.Fatalf("Len %d, wrote %d", w.Len(), buf.Len())
	}
	return buf.Bytes()
}

func checkRecords(t *testing.T, p parsed, text bool) {
	t.Helper()
	if len(p.keys) != 200 {
		t.Fatalf("%d records", len(p.keys))
	}
	for i := range p.keys {
		want := []byte(fmt.Sprintf("event %d", i+1))
		if text {
			want = AppendText(nil, want)
		} else {
			want = AppendBytes(nil, want)
		}
		if k := int64(binary.BigEndian.Uint64(p.keys[i])); k != firstKey+int64(i) || !bytes.Equal(p.values[i], want) {
			t.Fatalf("record %d: key %d value %q", i, k, p.values[i])
		}
	}
}

// Uncompressed files are Hadoop's, byte for byte, given its sync marker.
func TestUncompressedIsHadoops(t *testing.T) {
	for name, text := range map[string]bool{"longwritable-text-none.seq": true, "longwritable-byteswritable-none.seq": false} {
		want := fixture(t, name)
		hp := parse(t, name, want, nil)
		checkRecords(t, hp, text)
		if len(hp.syncAt) != 0 { // under Hadoop 3's 100 KiB interval
			t.Fatalf("%s: sync markers at %v", name, hp.syncAt)
		}
		valueClass := BytesWritable
		if text {
			valueClass = Text
		}
		o := Options{KeyClass: LongWritable, ValueClass: valueClass}
		copy(o.Sync[:], hp.sync)
		if got := write(t, o, text, 0); !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes differ from Hadoop's %d", name, len(got), len(want))
		}
	}
}

// Compressed files match Hadoop's header byte for byte and its records
// once decompressed; RECORD files put their sync markers by the same rule.
func TestCompressedLikeHadoops(t *testing.T) {
	deflate, _ := hadoopcodec.Lookup("default")
	for name, comp := range map[string]Compression{
		"longwritable-text-record-deflate.seq": Record, "longwritable-text-block-deflate.seq": Block,
	} {
		want := fixture(t, name)
		hp := parse(t, name, want, unzlib(t))
		checkRecords(t, hp, true)
		o := Options{KeyClass: LongWritable, ValueClass: Text, Compression: comp, Codec: deflate}
		copy(o.Sync[:], hp.sync)
		got := write(t, o, true, 0)
		gp := parse(t, "flumego "+name, got, unzlib(t))
		checkRecords(t, gp, true)
		if !bytes.Equal(gp.header, hp.header) {
			t.Errorf("%s: header\n% x\nHadoop's\n% x", name, gp.header, hp.header)
		}
		if comp == Block && (gp.blocks != 1 || hp.blocks != 1) {
			t.Errorf("%s: %d blocks, Hadoop %d", name, gp.blocks, hp.blocks)
		}
		if comp == Record {
			checkSyncRule(t, got, gp.syncAt, len(gp.header))
			checkSyncRule(t, want, hp.syncAt, len(hp.header))
		}
	}
}

// checkSyncRule checks that each marker sits at the first record boundary
// at least DefaultSyncInterval bytes after the previous one (the file's
// start for the first).
func checkSyncRule(t *testing.T, b []byte, syncAt []int, start int) {
	t.Helper()
	last, next := 0, 0
	for off := start; off < len(b); {
		n := int(int32(binary.BigEndian.Uint32(b[off:])))
		if n == -1 {
			if next >= len(syncAt) || syncAt[next] != off || off < last+DefaultSyncInterval {
				t.Fatalf("unexpected sync marker at %d (previous %d)", off, last)
			}
			next++
			off += 20
			last = off
			continue
		}
		if off >= last+DefaultSyncInterval {
			t.Fatalf("record at %d lacks the sync marker due after %d", off, last)
		}
		off += 8 + n
	}
	if next != len(syncAt) {
		t.Fatalf("%d of %d markers seen", next, len(syncAt))
	}
}

// Long files carry sync markers by Hadoop's rule.
func TestSyncInterval(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Options{KeyClass: LongWritable, ValueClass: BytesWritable})
	val := AppendBytes(nil, bytes.Repeat([]byte("y"), 300))
	for i := range 1200 {
		if err := w.Append(AppendLong(nil, int64(i)), val); err != nil {
			t.Fatal(err)
		}
	}
	p := parse(t, "long", buf.Bytes(), nil)
	if len(p.keys) != 1200 || len(p.syncAt) != 3 {
		t.Fatalf("%d records, %d sync markers; want 1200 and 3", len(p.keys), len(p.syncAt))
	}
	checkSyncRule(t, buf.Bytes(), p.syncAt, len(p.header))
}

// Sync writes a marker (or a block) at once, and never two in a row.
func TestSyncPerFlush(t *testing.T) {
	o := Options{KeyClass: LongWritable, ValueClass: Text}
	got := write(t, o, true, 10)
	p := parse(t, "synced", got, nil)
	checkRecords(t, p, true)
	if len(p.syncAt) != 20 { // after every 10th record, the last one included
		t.Fatalf("%d sync markers, want 20", len(p.syncAt))
	}
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, o)
	_ = w.Append(AppendLong(nil, 1), AppendText(nil, []byte("x")))
	_ = w.Sync()
	n := buf.Len()
	_ = w.Sync()
	if buf.Len() != n {
		t.Fatal("a second Sync wrote another marker")
	}
}

// Block files with every codec decompress, block by block, with
// independent tools, one block per Sync.
func TestBlockEveryCodec(t *testing.T) {
	for _, name := range []string{"gzip", "bzip2", "snappy", "deflate"} {
		c, err := hadoopcodec.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, comp := range []Compression{Block, Record} {
			o := Options{KeyClass: LongWritable, ValueClass: BytesWritable, Compression: comp, Codec: c}
			got := write(t, o, false, 50)
			decompress := func(b []byte) []byte { return codectest.Decompress(t, c.Name, b) }
			if comp == Record { // 200 values: decode in process, not with 400 tool runs
				decompress = func(b []byte) []byte { return inProcess(t, c.Name, b) }
			}
			p := parse(t, c.Name, got, decompress)
			checkRecords(t, p, false)
			if p.codec != c.Class {
				t.Errorf("codec %q", p.codec)
			}
			if comp == Block && p.blocks != 4 {
				t.Errorf("%s: %d blocks, want 4", c.Name, p.blocks)
			}
		}
	}
}

// inProcess decompresses with the standard library's decoders (and, for
// Snappy, golang/snappy under a framing decoder of this test's own).
func inProcess(t *testing.T, codec string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	var err error
	switch codec {
	case "GzipCodec":
		r, err = gzip.NewReader(bytes.NewReader(b))
	case "BZip2Codec":
		r = bzip2.NewReader(bytes.NewReader(b))
	case "DefaultCodec", "DeflateCodec":
		r, err = zlib.NewReader(bytes.NewReader(b))
	case "SnappyCodec":
		var out []byte
		for len(b) > 0 {
			want := int(binary.BigEndian.Uint32(b))
			n := int(binary.BigEndian.Uint32(b[4:]))
			chunk, err := snappy.Decode(nil, b[8:8+n])
			if err != nil || len(chunk) != want {
				t.Fatalf("snappy block: %d bytes, want %d: %v", len(chunk), want, err)
			}
			out, b = append(out, chunk...), b[8+n:]
		}
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A block is written once its keys and values reach the block size.
func TestBlockSize(t *testing.T) {
	c, _ := hadoopcodec.Lookup("deflate")
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Options{KeyClass: LongWritable, ValueClass: BytesWritable, Compression: Block, Codec: c, BlockSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	val := AppendBytes(nil, bytes.Repeat([]byte("v"), 40))
	for i := range 6 {
		if err := w.Append(AppendLong(nil, int64(i)), val); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if p := parse(t, "small blocks", buf.Bytes(), unzlib(t)); p.blocks != 3 || len(p.keys) != 6 {
		t.Fatalf("%d blocks of %d records, want 3 of 6", p.blocks, len(p.keys))
	}
}

func TestVInt(t *testing.T) {
	for v, want := range map[int64]string{
		0: "00", 127: "7f", -112: "90", 128: "8f 80", 200: "8f c8", 356: "8e 01 64", -113: "87 70",
		-1: "ff", 1 << 40: "8a 01 00 00 00 00 00", -(1 << 40): "83 ff ff ff ff ff",
	} {
		if got := fmt.Sprintf("% x", AppendVInt(nil, v)); got != want {
			t.Errorf("%d: %s, want %s", v, got, want)
		}
		r := &reader{t: t, b: AppendVInt(nil, v)}
		if back := r.vint(); back != v {
			t.Errorf("%d read back as %d", v, back)
		}
	}
}

func TestOptionsChecked(t *testing.T) {
	for _, o := range []Options{{}, {KeyClass: LongWritable}, {KeyClass: LongWritable, ValueClass: Text, Compression: Block}} {
		if _, err := NewWriter(io.Discard, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 200)
	for _, comp := range []Compression{None, Block} {
		b.Run(fmt.Sprint(comp), func(b *testing.B) {
			c, _ := hadoopcodec.Lookup("snappy")
			w, _ := NewWriter(io.Discard, Options{KeyClass: LongWritable, ValueClass: BytesWritable, Compression: comp, Codec: c})
			var k, v []byte
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				k, v = AppendLong(k[:0], int64(i)), AppendBytes(v[:0], body)
				_ = w.Append(k, v)
				if i%1000 == 999 {
					_ = w.Sync()
				}
			}
		})
	}
}
