package deserializer

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/flumego/flume"
	"github.com/linkedin/goavro/v2"
)

var fuzzCharsets = []string{"UTF-8", "GB18030", "ISO-8859-1", "UTF-16", "UTF-16LE", "Shift_JIS", "US-ASCII"}

var fuzzPolicies = []string{"FAIL", "REPLACE", "IGNORE"}

// FuzzLine reads arbitrary input in several charsets, policies, line
// limits and batch sizes, and checks that it never panics, always makes
// progress, and that a deserializer built at any Mark reads on exactly as
// the first one does.
func FuzzLine(f *testing.F) {
	f.Add([]byte("a\nbb\r\n\nccc"), uint8(0), uint8(0), uint8(3), uint8(2))
	f.Add([]byte("bad \xff\xfe line\nok\n"), uint8(0), uint8(1), uint8(100), uint8(1))
	f.Add([]byte("\xff\xfea\x00\n\x00b\x00"), uint8(3), uint8(2), uint8(1), uint8(5))
	f.Add([]byte("\x84\x31\xa4\x37\n\x81"), uint8(1), uint8(0), uint8(2), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, cs, policy, maxLen, batch uint8) {
		props := map[string]string{"deserializer.maxLineLength": strconv.Itoa(int(maxLen%64) + 1)}
		b := builder(t, props)
		in := input{data: data, charset: fuzzCharsets[int(cs)%len(fuzzCharsets)], policy: fuzzPolicies[int(policy)%3]}
		n := int(batch%16) + 1
		d := open(t, b, in)
		var all []string
		var marks []int64
		var positions []int // len(all) at each mark
		for i := 0; ; i++ {
			events, err := d.ReadEvents(n)
			if len(events) > n || err == nil && len(events) == 0 {
				t.Fatalf("ReadEvents(%d): %d events, %v", n, len(events), err)
			}
			for _, e := range events {
				all = append(all, string(e.Body))
				if !utf8.Valid(e.Body) {
					t.Fatalf("body %q is not UTF-8", e.Body)
				}
			}
			pos, _ := d.Mark()
			if pos > int64(len(data)) || len(marks) > 0 && pos < marks[len(marks)-1] {
				t.Fatalf("mark %d after %v in %d bytes", pos, marks, len(data))
			}
			marks, positions = append(marks, pos), append(positions, len(all))
			if err != nil || i > len(data)+2 {
				break
			}
		}
		if in.charset == "UTF-8" && in.policy != "FAIL" && int(maxLen%64)+1 >= len(data) {
			if got := bytes.Count(data, []byte{'\n'}); len(all) < got {
				t.Fatalf("%d events for %d newlines", len(all), got)
			}
		}
		// Resuming at a mark reads what followed it.
		k := len(marks) / 2
		rest, _ := readAll(open(t, b, input{data: data, start: marks[k], charset: in.charset, policy: in.policy}), n)
		want := all[positions[k]:]
		if len(rest) < len(want) {
			want = want[:len(rest)]
		}
		for i := range want {
			if rest[i] != want[i] {
				t.Fatalf("resumed at %d: event %d %q, want %q", marks[k], i, rest[i], want[i])
			}
		}
	})
}

// FuzzAvro reads arbitrary bytes as an Avro container file: errors, never
// panics or runaway allocations.
func FuzzAvro(f *testing.F) {
	file, _ := avroFile(f, 12, 5, goavro.CompressionNullLabel)
	f.Add(file, uint8(3))
	deflated, _ := avroFile(f, 7, 3, goavro.CompressionDeflateLabel)
	f.Add(deflated, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, batch uint8) {
		b := builder(t, map[string]string{"deserializer": "AVRO"})
		d, err := b(flume.DeserializerInput{File: bytes.NewReader(data), Size: int64(len(data)), Name: "fuzz.avro"})
		if err != nil {
			return
		}
		defer d.Close()
		n := int(batch%8) + 1
		for i := 0; i < 10000; i++ {
			events, err := d.ReadEvents(n)
			if len(events) > n {
				t.Fatalf("%d events for %d", len(events), n)
			}
			if err != nil {
				return
			}
			if _, err := d.Mark(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzBlob checks that BLOB's chunks put together are the input.
func FuzzBlob(f *testing.F) {
	f.Add([]byte("0123456789"), uint8(4), uint8(2), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, maxBlob, batch uint8, start uint16) {
		b := builder(t, map[string]string{"deserializer": TypeBlob, "deserializer.maxBlobLength": strconv.Itoa(int(maxBlob) + 1)})
		from := int64(start) % int64(len(data)+1)
		r := bytes.NewReader(data)
		r.Seek(from, io.SeekStart)
		d, err := b(flume.DeserializerInput{File: r, Start: from, Size: int64(len(data)), Name: "blob"})
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for {
			events, err := d.ReadEvents(int(batch%4) + 1)
			for _, e := range events {
				if len(e.Body) == 0 || len(e.Body) > int(maxBlob)+1 {
					t.Fatalf("chunk of %d bytes", len(e.Body))
				}
				got = append(got, e.Body...)
			}
			if err != nil {
				break
			}
		}
		if !bytes.Equal(got, data[from:]) {
			t.Fatalf("chunks %q, want %q", got, data[from:])
		}
		if pos, _ := d.Mark(); pos != int64(len(data)) {
			t.Fatalf("mark %d at the end of %d bytes", pos, len(data))
		}
	})
}
