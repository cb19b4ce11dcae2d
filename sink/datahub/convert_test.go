package datahub

import (
	"math"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
	"github.com/flumego/flume/sink/datahub/internal/client"
)

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct{ typ, in, want string }{
		{typeBigint, "42", "42"},
		{typeBigint, "+42", "42"},
		{typeBigint, "-007", "-7"},
		{typeBigint, "-0", "0"},
		{typeBigint, "9223372036854775807", "9223372036854775807"},
		{typeTimestamp, "1700000000000000", "1700000000000000"},
		{typeInteger, "-2147483648", "-2147483648"},
		{typeSmallint, "-32768", "-32768"},
		{typeTinyint, "127", "127"},
		{typeDouble, "3.5", "3.5"},
		{typeDouble, "1e3", "1000.0"},
		{typeDouble, "1.5d", "1.5"},
		{typeDouble, "2f", "2.0"},
		{typeDouble, "1e7", "1.0E7"},
		{typeDouble, "0.0001", "1.0E-4"},
		{typeDouble, "-0", "-0.0"},
		{typeDouble, "NaN", "NaN"},
		{typeDouble, "-Infinity", "-Infinity"},
		{typeDouble, "1e400", "Infinity"},
		{typeDouble, "0x1p3", "8.0"},
		{typeDouble, " 2.5 ", "2.5"},
		{typeFloat, "0.1", "0.1"},
		{typeFloat, "3.4028235e38", "3.4028235E38"},
		{typeFloat, "16777217", "1.6777216E7"},
		{typeBoolean, "TRUE", "true"},
		{typeBoolean, "yes", "false"},
		{typeBoolean, "", "false"},
		{typeDecimal, "1.50", "1.50"},
		{typeDecimal, "1e3", "1000"},
		{typeDecimal, "-1.5E-3", "-0.0015"},
		{typeDecimal, ".5", "0.5"},
		{typeDecimal, "5.", "5"},
		{typeDecimal, "-0.00", "0.00"},
		{typeDecimal, "+12345.678e2", "1234567.8"},
		{typeDecimal, "0E+3", "0"},
		{typeString, "  kept as is  ", "  kept as is  "},
		{typeJSON, `{"a":1}`, `{"a":1}`},
	} {
		got, err := formatValue(tc.typ, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("formatValue(%s, %q) = %q, %v; want %q", tc.typ, tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ typ, in string }{
		{typeBigint, "1.5"}, {typeBigint, "9223372036854775808"}, {typeBigint, ""}, {typeBigint, " 1"}, {typeBigint, "0x10"},
		{typeInteger, "2147483648"}, {typeTinyint, "128"}, {typeTinyint, "-129"}, {typeSmallint, "40000"},
		{typeDouble, "abc"}, {typeDouble, "inf"}, {typeDouble, "Inf"}, {typeDouble, "1_000"}, {typeDouble, ""}, {typeDouble, "0x10"},
		{typeDecimal, "1e"}, {typeDecimal, "."}, {typeDecimal, "1.2.3"}, {typeDecimal, "NaN"}, {typeDecimal, "1e999999"},
		{typeJSON, "{"}, {"MAP", "x"},
	} {
		if got, err := formatValue(tc.typ, tc.in); err == nil {
			t.Errorf("formatValue(%s, %q) = %q, want an error", tc.typ, tc.in, got)
		}
	}
}

func TestJavaHelpers(t *testing.T) {
	for s, want := range map[string]int32{"": 0, "a": 97, "hello": 99162322, "alice": 92903040, "bob": 97717, "𝄞": 1772394, "ünïcode": -609351766} {
		if got := javaStringHash(s); got != want {
			t.Errorf("hash(%q) = %d, want %d", s, got, want)
		}
	}
	if javaTrim("\t x \x00") != "x" || javaTrim("\u00a0x") != "\u00a0x" {
		t.Error("javaTrim")
	}
	for f, want := range map[float32]string{1: "1.0", 0.001: "0.001", 1e7: "1.0E7", float32(math.Inf(1)): "Infinity", 1.17549435e-38: "1.1754944E-38"} {
		if got := javaFloat(f); got != want {
			t.Errorf("javaFloat(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestDateFormat(t *testing.T) {
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ pattern, in string }{
		{"yyyy-MM-dd HH:mm:ss", "2024-02-29 13:14:15"},
		{"yyyyMMddHHmmss", "20240229131415"},
		{"yyyy/M/d H:m:s", "2024/2/29 13:14:15"},
		{"dd/MM/yy hh:mm:ss a", "29/02/24 01:14:15 PM"},
		{"yyyy-MM-dd'T'HH:mm:ss.SSS", "2024-02-29T13:14:15.000"},
		{"yyyy-MM-dd HH:mm:ss", "2024-02-29 13:14:15 trailing text ignored"},
	} {
		df, err := compileDateFormat(tc.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tc.pattern, err)
		}
		ms, err := df.parse(tc.in, time.UTC, now)
		if want := time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC).UnixMilli(); err != nil || ms != want {
			t.Errorf("%s %q = %d, %v; want %d", tc.pattern, tc.in, ms, err, want)
		}
	}
	df, _ := compileDateFormat("yyyy-MM-dd HH:mm:ss.SSS")
	if ms, _ := df.parse("2024-01-31 23:59:59.250", time.UTC, now); ms != time.Date(2024, 1, 31, 23, 59, 59, 250e6, time.UTC).UnixMilli() {
		t.Errorf("milliseconds: %d", ms)
	}
	if ms, _ := df.parse("2024-13-01 00:00:00.000", time.UTC, now); ms != time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() {
		t.Errorf("lenient month 13: %d", ms)
	}
	for _, bad := range []string{"2024/01/01 00:00:00.000", "x", ""} {
		if _, err := df.parse(bad, time.UTC, now); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	for _, bad := range []string{"EEE", "MMM d", "yyyy 'unterminated", "z"} {
		if _, err := compileDateFormat(bad); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}

func TestDelimitedSplitLikeJava(t *testing.T) {
	for _, tc := range []struct {
		delim, line string
		want        []string
	}{
		{",", "a,b,,", []string{"a", "b", "", ""}},
		{",", ",a", []string{"", "a"}},
		{",", "", []string{""}},
		{`\|`, "a|b", []string{"a", "b"}},
		{`\u007C`, "a|b|", []string{"a", "b", ""}},
		{`\s+`, "a  b\tc", []string{"a", "b", "c"}},
		{"", "abc", []string{"a", "b", "c", ""}},
		{"::", "a::b", []string{"a", "b"}},
	} {
		sc := SerializerConfig{Kind: serDelimited}
		if tc.delim == "" {
			sc.Delimiter = javaregex.MustCompile("")
		} else {
			re, err := javaregex.Compile(tc.delim)
			if err != nil {
				t.Fatal(err)
			}
			sc.Delimiter = re
		}
		if tc.delim == "," || tc.delim == "::" {
			sc.Literal = tc.delim
		}
		sc.FieldNames = make([]string, len(tc.want))
		r := rowReader{sc: sc}
		vals, present := make([]string, len(tc.want)), make([]bool, len(tc.want))
		if why := r.read(tc.line, vals, present); why != "" {
			t.Errorf("split(%q, %q): %s", tc.delim, tc.line, why)
			continue
		}
		for i := range vals {
			if vals[i] != tc.want[i] {
				t.Errorf("split(%q, %q) = %q, want %q", tc.delim, tc.line, vals, tc.want)
				break
			}
		}
	}
}

// FuzzLine runs arbitrary lines through every serializer and the tuple
// builder: no panic, and a line either becomes a full record or a reason.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"1,a,2.5,true,1.5,x", `{"id":1,"s":"x","d":1e3}`, "1|2", "", "\xff\xfe,,", `{"id":[1,{"a":null}]}`} {
		f.Add(s)
	}
	fields := []client.Field{{Name: "id", Type: typeBigint}, {Name: "s", Type: typeString}, {Name: "d", Type: typeDouble},
		{Name: "b", Type: typeBoolean}, {Name: "de", Type: typeDecimal}, {Name: "ts", Type: typeTimestamp, NotNull: true}}
	var builders []*tupleBuilder
	var readers []*rowReader
	for _, props := range []map[string]string{
		{"serializer": "DELIMITED", "serializer.fieldnames": "id,s,d,b,de,ts"},
		{"serializer": "DELIMITED", "serializer.fieldnames": "id,,d,b,de,ts", "serializer.delimiter": `[|,]`},
		{"serializer": "JSON", "serializer.fieldnames": "id,s,d,b,de,ts"},
		{"serializer": "REGEX", "serializer.fieldnames": "id,s,d,b,de,ts", "serializer.regex": `(\d*)(.?)(.*?)(t?)(.*?)(\d*)`},
		{"serializer": "DELIMITED", "serializer.fieldnames": "id,s,d,b,de,ts", "dateformat.columns": "ts", "datahub.accessID": "x"},
	} {
		props["datahub.accessId"], props["datahub.accessKey"], props["datahub.project"], props["datahub.topic"] = "a", "b", "p", "t"
		if props["datahub.accessID"] != "" {
			delete(props, "datahub.accessId")
		}
		c := ParseConfig(flume.ContextFromMap(props))
		b, err := newTupleBuilder(&c, fields)
		if err != nil {
			f.Fatal(err)
		}
		builders = append(builders, b)
		readers = append(readers, &rowReader{sc: c.Serializer})
	}
	f.Fuzz(func(t *testing.T, line string) {
		for i, r := range readers {
			n := len(r.sc.FieldNames)
			vals, present := make([]string, n), make([]bool, n)
			out := make([]client.Value, len(fields))
			if why := r.read(line, vals, present); why != "" {
				continue
			}
			if why := builders[i].build(vals, present, out); why == "" && out[5].Null {
				t.Fatalf("NOT NULL column left null for %q", line)
			}
			_ = decodeBody([]byte(line), "US-ASCII", nil)
			_ = decodeBody([]byte(line), "ISO-8859-1", nil)
		}
		for _, typ := range []string{typeDecimal, typeDouble, typeFloat, typeBigint} {
			_, _ = formatValue(typ, line)
		}
	})
}
