package avrofile

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/avrobin"
	"github.com/klauspost/compress/zstd"
	"github.com/linkedin/goavro/v2"
)

// readAll reads every block of a container file and returns the strings
// of its datums, and the blocks.
func readAll(t *testing.T, file []byte) ([]string, []Block) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	var blocks []Block
	for {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, b)
		data := b.Data
		for range b.Count {
			var s string
			if s, data, err = avrobin.ReadString(data, "datum"); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if len(data) != 0 {
			t.Fatalf("block at %d: %d bytes after its datums", b.Offset, len(data))
		}
	}
	return out, blocks
}

// TestReadsGoavroFiles reads files written by goavro's OCF writer (an
// independent implementation) with each codec it has.
func TestReadsGoavroFiles(t *testing.T) {
	for _, codec := range []string{goavro.CompressionNullLabel, goavro.CompressionDeflateLabel, goavro.CompressionSnappyLabel} {
		t.Run(codec, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := goavro.NewOCFWriter(goavro.OCFConfig{W: &buf, Schema: stringSchema, CompressionName: codec})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for block := range 5 {
				var batch []any
				for i := range 7 {
					s := fmt.Sprintf("block %d datum %d %s", block, i, strings.Repeat("é", i))
					want = append(want, s)
					batch = append(batch, s)
				}
				if err := w.Append(batch); err != nil {
					t.Fatal(err)
				}
			}
			got, blocks := readAll(t, buf.Bytes())
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("got %q\nwant %q", got, want)
			}
			if len(blocks) != 5 {
				t.Fatalf("%d blocks, want 5", len(blocks))
			}
			// Sync from any position lands on the first block that starts after
			// a marker at or after it; from a block's Offset-16, on that block.
			r, err := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range blocks {
				for _, pos := range []int64{b.Offset - 16, b.Offset - 16 - 1} {
					if err := r.Sync(pos); err != nil {
						t.Fatal(err)
					}
					if r.Offset() != b.Offset {
						t.Fatalf("Sync(%d) at %d, want block %d at %d", pos, r.Offset(), i, b.Offset)
					}
				}
				if err := r.Sync(b.Offset - 15); err != nil {
					t.Fatal(err)
				}
				if i+1 < len(blocks) && r.Offset() != blocks[i+1].Offset || i+1 == len(blocks) && r.Offset() != int64(buf.Len()) {
					t.Fatalf("Sync(%d) at %d: must skip block %d", b.Offset-15, r.Offset(), i)
				}
			}
			if err := r.Sync(0); err != nil || r.Offset() != blocks[0].Offset {
				t.Fatalf("Sync(0): %d %v, want the first block", r.Offset(), err)
			}
			if err := r.SeekBlock(blocks[3].Offset); err != nil {
				t.Fatal(err)
			}
			if b, err := r.Next(); err != nil || b.Offset != blocks[3].Offset || b.End != blocks[3].End {
				t.Fatalf("SeekBlock: %+v %v", b, err)
			}
		})
	}
}

// containerFile builds a container file whose blocks compress blocks of
// datums with compress.
func containerFile(t *testing.T, codec string, blocks [][]string, compress func([]byte) []byte) []byte {
	t.Helper()
	sync := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	b := append([]byte(nil), Magic...)
	b = avrobin.AppendLong(b, 2)
	b = avrobin.AppendString(b, "avro.schema")
	b = avrobin.AppendString(b, stringSchema)
	b = avrobin.AppendString(b, "avro.codec")
	b = avrobin.AppendString(b, codec)
	b = append(b, 0)
	b = append(b, sync[:]...)
	for _, blk := range blocks {
		var raw []byte
		for _, s := range blk {
			raw = avrobin.AppendString(raw, s)
		}
		data := compress(raw)
		b = avrobin.AppendLong(b, int64(len(blk)))
		b = avrobin.AppendBytes(b, data)
		b = append(b, sync[:]...)
	}
	return b
}

func TestReadsZstandardAndBzip2(t *testing.T) {
	blocks := [][]string{{"a", "bb"}, {strings.Repeat("c", 5000)}, {"d"}}
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	file := containerFile(t, CodecZstandard, blocks, func(raw []byte) []byte { return enc.EncodeAll(raw, nil) })
	if got, _ := readAll(t, file); strings.Join(got, "|") != "a|bb|"+strings.Repeat("c", 5000)+"|d" {
		t.Fatalf("zstandard: %q", got)
	}
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("bzip2 not found: skipping the bzip2 codec")
	}
	file = containerFile(t, CodecBzip2, blocks, func(raw []byte) []byte {
		cmd := exec.Command("bzip2", "-c")
		cmd.Stdin = bytes.NewReader(raw)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
	if got, _ := readAll(t, file); strings.Join(got, "|") != "a|bb|"+strings.Repeat("c", 5000)+"|d" {
		t.Fatalf("bzip2: %q", got)
	}
}

func TestReaderRefusesBadFiles(t *testing.T) {
	good := containerFile(t, CodecNull, [][]string{{"a", "b"}, {"c"}}, func(b []byte) []byte { return b })
	_, blocks := readAll(t, good)
	bomb := containerFile(t, CodecDeflate, [][]string{{strings.Repeat("z", 1<<20)}}, func(raw []byte) []byte {
		var buf bytes.Buffer
		w, _ := newFlateWriter(&buf)
		w.Write(raw)
		w.Close()
		return buf.Bytes()
	})
	xz := containerFile(t, CodecXZ, nil, nil)
	for name, tc := range map[string]struct {
		file     []byte
		maxBlock int
		header   bool // the error comes from NewReader
	}{
		"not a container":    {file: []byte("hello world"), header: true},
		"truncated header":   {file: good[:20], header: true},
		"xz":                 {file: xz, header: true},
		"truncated block":    {file: good[:len(good)-3]},
		"wrong sync":         {file: append(bytes.Clone(good[:len(good)-1]), 0)},
		"block past the end": {file: append(bytes.Clone(good[:blocks[1].Offset]), 2, 0xfe, 0xff, 0xff, 0x0f)},
		"decompression bomb": {file: bomb, maxBlock: 1 << 16},
	} {
		r, err := NewReader(bytes.NewReader(tc.file), int64(len(tc.file)))
		if tc.header {
			if err == nil {
				t.Errorf("%s: NewReader accepted it", name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: NewReader: %v", name, err)
			continue
		}
		r.MaxBlock = tc.maxBlock
		for err == nil {
			_, err = r.Next()
		}
		if err == io.EOF || !errors.Is(err, avrobin.ErrMalformed) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: %v, want a malformed or truncated block", name, err)
		}
	}
}

func TestWriterMeta(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Options{Schema: `"long"`, Codec: CodecNull, SyncInterval: 64, Meta: map[string]string{"file": "/spool/a.log"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if h := r.Header(); string(h.Meta["file"]) != "/spool/a.log" || h.Codec != CodecNull || h.Len != int64(buf.Len()) {
		t.Fatalf("header %+v", h)
	}
	if _, err := NewWriter(io.Discard, Options{Schema: `"long"`, SyncInterval: 64, Meta: map[string]string{"avro.codec": "x"}}); err == nil {
		t.Fatal("a reserved metadata key was accepted")
	}
}

func FuzzReader(f *testing.F) {
	f.Add(containerFileF(CodecNull, [][]string{{"a", "b"}, {"c"}}))
	f.Add(containerFileF(CodecDeflate, [][]string{{"deflated"}}))
	f.Add(containerFileF(CodecSnappy, [][]string{{"snappy", "x"}}))
	f.Fuzz(func(t *testing.T, file []byte) {
		r, err := NewReader(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		defer r.Close()
		r.MaxBlock = 1 << 20
		last := r.Offset()
		for i := 0; ; i++ {
			b, err := r.Next()
			if err != nil {
				break
			}
			if b.Offset != last || b.End <= b.Offset || b.End > int64(len(file)) || len(b.Data) > r.MaxBlock {
				t.Fatalf("block %+v after %d in a %d-byte file", b, last, len(file))
			}
			last = b.End
		}
		for _, pos := range []int64{0, int64(len(file)) / 2, int64(len(file))} {
			if err := r.Sync(pos); err == nil && (r.Offset() > int64(len(file)) || r.Offset() < 0) {
				t.Fatalf("Sync(%d) at %d", pos, r.Offset())
			}
		}
	})
}

// containerFileF is containerFile for fuzz seeds (no *testing.T).
func containerFileF(codec string, blocks [][]string) []byte {
	var out bytes.Buffer
	w, err := NewWriter(&out, Options{Schema: stringSchema, Codec: codec, SyncInterval: MinSyncInterval})
	if err != nil {
		panic(err)
	}
	if err := w.WriteHeader(); err != nil {
		panic(err)
	}
	for _, blk := range blocks {
		for _, s := range blk {
			if err := w.Append(appendString(s)); err != nil {
				panic(err)
			}
		}
		if err := w.Flush(); err != nil {
			panic(err)
		}
	}
	return out.Bytes()
}

func newFlateWriter(w io.Writer) (*flate.Writer, error) {
	return flate.NewWriter(w, flate.DefaultCompression)
}
