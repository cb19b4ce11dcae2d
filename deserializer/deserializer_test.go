package deserializer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/charset"
	"github.com/linkedin/goavro/v2"
)

func registry(t testing.TB) *flume.Registry {
	t.Helper()
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// builder builds the deserializer that props (the source's keys) name.
func builder(t testing.TB, props map[string]string) flume.EventDeserializerBuilder {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	b, _, err := FromConfig(flume.Settings{Registry: registry(t)}, cfg, "deserializer")
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) > 0 {
		t.Fatalf("unused keys %v", u)
	}
	return b
}

type input struct {
	data    []byte
	start   int64
	charset string
	policy  string
}

func open(t testing.TB, b flume.EventDeserializerBuilder, in input) flume.EventDeserializer {
	t.Helper()
	r := bytes.NewReader(in.data)
	if _, err := r.Seek(in.start, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	d, err := b(flume.DeserializerInput{File: r, Start: in.start, Size: int64(len(in.data)), Name: "/spool/test.log",
		Charset: in.charset, DecodeErrorPolicy: in.policy})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// readAll reads every event in batches of n and returns their bodies and
// the error that ended the input (nil at io.EOF).
func readAll(d flume.EventDeserializer, n int) ([]string, error) {
	var out []string
	for {
		events, err := d.ReadEvents(n)
		for _, e := range events {
			out = append(out, string(e.Body))
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if len(events) == 0 || len(events) > n {
			return out, fmt.Errorf("ReadEvents(%d) returned %d events", n, len(events))
		}
	}
}

func TestLineSplitsOnNewlineOnly(t *testing.T) {
	b := builder(t, nil)
	got, err := readAll(open(t, b, input{data: []byte("one\r\ntwo\n\nthree\rstill three\nlast without newline")}), 2)
	want := []string{"one\r", "two", "", "three\rstill three", "last without newline"}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("%q %v, want %q", got, err, want)
	}
	if got, err := readAll(open(t, b, input{data: nil}), 10); err != nil || len(got) != 0 {
		t.Fatalf("empty input: %q %v", got, err)
	}
}

func TestLineMaxLength(t *testing.T) {
	b := builder(t, map[string]string{"deserializer.maxLineLength": "4"})
	got, err := readAll(open(t, b, input{data: []byte("abcd\nabcdefghij\nab😀cd\né\n")}), 100)
	// A line of exactly 4 chars is one event (Flume adds an empty one); a
	// surrogate pair is never cut.
	want := []string{"abcd", "abcd", "efgh", "ij", "ab😀", "cd", "é"}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("%q %v, want %q", got, err, want)
	}
	// A line far longer than the buffer, without its end in sight.
	long := strings.Repeat("0123456789", 30000) + "\n" + "next\n"
	got, err = readAll(open(t, builder(t, map[string]string{"deserializer.maxLineLength": "1000"}), input{data: []byte(long)}), 7)
	if err != nil || len(got) != 301 || got[300] != "next" || strings.Join(got[:300], "") != long[:300000] {
		t.Fatalf("%d events, err %v", len(got), err)
	}
}

func TestLineMarkResetAndResume(t *testing.T) {
	var data strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&data, "line %d %s\n", i, strings.Repeat("é", i%7))
	}
	b := builder(t, nil)
	d := open(t, b, input{data: []byte(data.String())})
	first, err := d.ReadEvents(300)
	if err != nil || len(first) != 300 {
		t.Fatal(len(first), err)
	}
	pos, err := d.Mark()
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(strings.Index(data.String(), "line 300 ")); pos != want {
		t.Fatalf("mark %d, want %d", pos, want)
	}
	uncommitted, _ := d.ReadEvents(50)
	if err := d.Reset(); err != nil {
		t.Fatal(err)
	}
	again, _ := d.ReadEvents(50)
	if string(again[0].Body) != string(uncommitted[0].Body) || string(again[49].Body) != string(uncommitted[49].Body) {
		t.Fatalf("after Reset %q, want %q", again[0].Body, uncommitted[0].Body)
	}
	rest, err := readAll(open(t, b, input{data: []byte(data.String()), start: pos}), 64)
	if err != nil || len(rest) != 700 || !strings.HasPrefix(rest[0], "line 300 ") {
		t.Fatalf("resumed: %d lines, first %q, %v", len(rest), rest[0], err)
	}
}

func TestLineCharsets(t *testing.T) {
	gb, _ := charset.Lookup("GB18030")
	text := "日志一\n日志二 é\n"
	got, err := readAll(open(t, builder(t, nil), input{data: gb.NewEncoder().Encode(nil, []byte(text)), charset: "GB18030"}), 10)
	if err != nil || strings.Join(got, "|") != "日志一|日志二 é" {
		t.Fatalf("GB18030: %q %v", got, err)
	}
	// UTF-16 with a little-endian BOM; resuming in the middle keeps the order.
	le := []byte{0xFF, 0xFE}
	for _, r := range "ab\ncd\n" {
		le = append(le, byte(r), 0)
	}
	b := builder(t, nil)
	d := open(t, b, input{data: le, charset: "UTF-16"})
	events, err := d.ReadEvents(1)
	if err != nil || string(events[0].Body) != "ab" {
		t.Fatalf("UTF-16: %q %v", events, err)
	}
	pos, _ := d.Mark()
	if pos != 8 {
		t.Fatalf("UTF-16 mark %d, want 8", pos)
	}
	if got, err := readAll(open(t, b, input{data: le, start: pos, charset: "UTF-16"}), 10); err != nil || strings.Join(got, "|") != "cd" {
		t.Fatalf("UTF-16 resumed: %q %v", got, err)
	}
	// Bodies in ISO-8859-1: what it cannot represent becomes '?', as Java's getBytes.
	got, err = readAll(open(t, builder(t, map[string]string{"deserializer.outputCharset": "ISO-8859-1"}), input{data: []byte("é日\n")}), 10)
	if err != nil || len(got) != 1 || got[0] != "\xe9?" {
		t.Fatalf("ISO-8859-1 out: %q %v", got, err)
	}
}

func TestLineDecodeErrorPolicies(t *testing.T) {
	data := []byte("good 1\ngood 2\nbad \xff here\ngood 3\n")
	b := builder(t, nil)
	got, err := readAll(open(t, b, input{data: data, policy: "REPLACE"}), 10)
	if err != nil || strings.Join(got, "|") != "good 1|good 2|bad \uFFFD here|good 3" {
		t.Fatalf("REPLACE: %q %v", got, err)
	}
	got, err = readAll(open(t, b, input{data: data, policy: "IGNORE"}), 10)
	if err != nil || strings.Join(got, "|") != "good 1|good 2|bad  here|good 3" {
		t.Fatalf("IGNORE: %q %v", got, err)
	}
	d := open(t, b, input{data: data, policy: "FAIL"})
	events, err := d.ReadEvents(10)
	var de *charset.DecodeError
	if len(events) != 2 || !errors.As(err, &de) || !strings.Contains(err.Error(), "/spool/test.log") ||
		!strings.Contains(err.Error(), "byte 18") {
		t.Fatalf("FAIL: %d events, %v", len(events), err)
	}
	if pos, _ := d.Mark(); pos != 14 {
		t.Fatalf("FAIL: mark %d, want 14 (the bad line's start)", pos)
	}
	if _, err := d.ReadEvents(10); err == nil {
		t.Fatal("FAIL: the error is not sticky")
	}
}

func TestUnknownDeserializer(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"deserializer": "org.apache.flume.external.RegexDelimiterDeSerializer$Builder"})
	if _, _, err := FromConfig(flume.Settings{Registry: registry(t)}, cfg, "deserializer"); err == nil || !strings.Contains(err.Error(), "RegexDelimiterDeSerializer") {
		t.Fatalf("a Java class: %v", err)
	}
	cfg = flume.ContextFromMap(map[string]string{"deserializer.outputCharset": "no-such", "deserializer.maxLineLength": "0"})
	if _, _, err := FromConfig(flume.Settings{Registry: registry(t)}, cfg, "deserializer"); err == nil ||
		!strings.Contains(err.Error(), "outputCharset") || !strings.Contains(err.Error(), "maxLineLength") {
		t.Fatalf("bad options: %v", err)
	}
	cfg = flume.ContextFromMap(map[string]string{"deserializer.maxLineLength": "10"})
	b, err := LineFromConfig(flume.Settings{}, cfg, "deserializer", 3)
	if err != nil || len(cfg.Unused()) != 0 {
		t.Fatal(err, cfg.Unused())
	}
	if got, _ := readAll(open(t, b, input{data: []byte("abcdef\n")}), 10); strings.Join(got, "|") != "abc|def" {
		t.Fatalf("bufferMaxLineLength override: %q", got)
	}
}

const recordSchema = `{"type":"record","name":"Line","namespace":"test","fields":[{"name":"n","type":"long"},{"name":"text","type":"string"}]}`

// avroFile writes records n = 0..count-1 with goavro, blockSize per block.
func avroFile(t testing.TB, count, blockSize int, codec string) ([]byte, *goavro.Codec) {
	t.Helper()
	var buf bytes.Buffer
	w, err := goavro.NewOCFWriter(goavro.OCFConfig{W: &buf, Schema: recordSchema, CompressionName: codec})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < count; i += blockSize {
		var batch []any
		for j := i; j < min(i+blockSize, count); j++ {
			batch = append(batch, map[string]any{"n": int64(j), "text": fmt.Sprintf("record %d", j)})
		}
		if err := w.Append(batch); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes(), w.Codec()
}

func TestAvroRecordsAndHeaders(t *testing.T) {
	file, codec := avroFile(t, 25, 10, goavro.CompressionDeflateLabel)
	d := open(t, builder(t, map[string]string{"deserializer": "avro"}), input{data: file})
	var events []flume.Event
	for {
		batch, err := d.ReadEvents(4)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, batch...)
	}
	if len(events) != 25 {
		t.Fatalf("%d events, want 25", len(events))
	}
	for i, e := range events {
		want, err := codec.BinaryFromNative(nil, map[string]any{"n": int64(i), "text": fmt.Sprintf("record %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Body, want) {
			t.Fatalf("event %d body % X, want the record's binary encoding % X", i, e.Body, want)
		}
		if h, _ := e.Header(HeaderSchemaHash); h != SchemaHash(codec) || len(h) != 16 {
			t.Fatalf("event %d hash header %q", i, h)
		}
	}
	// The CRC-64-AVRO fingerprint of "int", little endian, as Java's
	// SchemaNormalization.parsingFingerprint gives it.
	intCodec, _ := goavro.NewCodec(`"int"`)
	if got := SchemaHash(intCodec); got != "8f5c393f1ad57572" {
		t.Fatalf(`hash of "int" %s`, got)
	}
	d = open(t, builder(t, map[string]string{"deserializer": "AVRO", "deserializer.schemaType": "literal"}), input{data: file})
	batch, err := d.ReadEvents(1)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := batch[0].Header(HeaderSchemaLiteral); h != recordSchema {
		t.Fatalf("literal header %q", h)
	}
}

func TestAvroMarkResetAndResume(t *testing.T) {
	file, _ := avroFile(t, 30, 10, goavro.CompressionNullLabel)
	b := builder(t, map[string]string{"deserializer": "AVRO"})
	d := open(t, b, input{data: file})
	first, _ := d.ReadEvents(13) // block 1, and 3 of block 2
	pos, _ := d.Mark()
	uncommitted, _ := d.ReadEvents(5)
	if err := d.Reset(); err != nil {
		t.Fatal(err)
	}
	again, _ := d.ReadEvents(5)
	if !bytes.Equal(again[0].Body, uncommitted[0].Body) || !bytes.Equal(again[4].Body, uncommitted[4].Body) {
		t.Fatal("Reset did not return to the record after the mark")
	}
	// A restart resumes at the block of the mark: its committed records
	// come again (at least once, as in Flume), nothing is skipped.
	rest, err := readAll(open(t, b, input{data: file, start: pos}), 100)
	if err != nil || len(rest) != 20 || rest[0] != string(first[10].Body) {
		t.Fatalf("resumed: %d records, %v", len(rest), err)
	}
	// At a block boundary the mark is after the block: nothing repeats.
	d = open(t, b, input{data: file})
	d.ReadEvents(10)
	pos, _ = d.Mark()
	if rest, _ := readAll(open(t, b, input{data: file, start: pos}), 100); len(rest) != 20 {
		t.Fatalf("resumed after a whole block: %d records, want 20", len(rest))
	}
}

func TestAvroBadFiles(t *testing.T) {
	b := builder(t, map[string]string{"deserializer": "AVRO"})
	if _, err := b(flume.DeserializerInput{File: bytes.NewReader([]byte("not avro\n")), Size: 9, Name: "x.log"}); err == nil || !strings.Contains(err.Error(), "x.log") {
		t.Fatalf("not a container file: %v", err)
	}
	file, _ := avroFile(t, 30, 10, goavro.CompressionNullLabel)
	d := open(t, b, input{data: file[:len(file)-20]})
	var got []flume.Event
	var err error
	for err == nil {
		var events []flume.Event
		events, err = d.ReadEvents(7)
		got = append(got, events...)
	}
	if err == io.EOF || len(got) != 20 {
		t.Fatalf("truncated file: %d records, %v", len(got), err)
	}
	for _, e := range got { // those before the error too
		if _, ok := e.Header(HeaderSchemaHash); !ok {
			t.Fatal("a record without the schema header")
		}
	}
}

func TestBlob(t *testing.T) {
	b := builder(t, map[string]string{"deserializer": TypeBlob, "deserializer.maxBlobLength": "4"})
	d := open(t, b, input{data: []byte("0123456789")})
	got, err := readAll(d, 100)
	if err != nil || strings.Join(got, "|") != "0123|4567|89" {
		t.Fatalf("%q %v", got, err)
	}
	whole := builder(t, map[string]string{"deserializer": TypeBlob})
	d = open(t, whole, input{data: []byte("a whole file\nof lines\n")})
	events, err := d.ReadEvents(100)
	if err != nil || len(events) != 1 || string(events[0].Body) != "a whole file\nof lines\n" {
		t.Fatalf("%q %v", events, err)
	}
	if pos, _ := d.Mark(); pos != 22 {
		t.Fatalf("mark %d", pos)
	}
	cfg := flume.ContextFromMap(map[string]string{"deserializer": TypeBlob, "deserializer.maxBlobLength": "0"})
	if _, _, err := FromConfig(flume.Settings{Registry: registry(t)}, cfg, "deserializer"); err == nil {
		t.Fatal("maxBlobLength 0 accepted")
	}
}
