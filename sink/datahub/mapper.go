package datahub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding"

	"github.com/flumego/flume/sink/datahub/internal/client"
)

// decodeBody turns an event body into text in the serializer's charset, as
// Java's new String(bytes, charset) does (malformed input becomes U+FFFD).
func decodeBody(body []byte, charset string, dec encoding.Encoding) string {
	if dec != nil {
		out, err := dec.NewDecoder().Bytes(body)
		if err == nil {
			return string(out)
		}
		// Decoders replace malformed input; an error is unexpected.
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	switch charset {
	case "ISO-8859-1":
		var b strings.Builder
		b.Grow(len(body) + len(body)/4)
		for _, c := range body {
			b.WriteRune(rune(c))
		}
		return b.String()
	case "US-ASCII":
		for _, c := range body {
			if c >= 0x80 {
				var b strings.Builder
				for _, c := range body {
					if c >= 0x80 {
						b.WriteRune(utf8.RuneError)
					} else {
						b.WriteByte(c)
					}
				}
				return b.String()
			}
		}
	}
	if !utf8.Valid(body) {
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	if len(body) == 0 {
		return ""
	}
	// No copy: an event's body is immutable once it is on a channel, and the
	// text is only used while the batch is delivered.
	return unsafe.String(&body[0], len(body))
}

// rowReader extracts the texts of the serializer's field names from a line,
// as the plugin's DELIMITED, JSON and REGEX serializers do.
type rowReader struct {
	sc    SerializerConfig
	locs  [][]int
	jsonv map[string]json.RawMessage
	buf   bytes.Buffer
}

// read fills vals[i] and present[i] for FieldNames[i]. It returns "" or why
// the line does not fit (a dirty line).
func (r *rowReader) read(line string, vals []string, present []bool) string {
	n := len(r.sc.FieldNames)
	for i := range present {
		present[i] = false
	}
	switch r.sc.Kind {
	case serDelimited:
		count := 0
		put := func(v string) {
			if count < n {
				vals[count], present[count] = v, true
			}
			count++
		}
		if r.sc.Literal != "" {
			rest := line
			for {
				i := strings.Index(rest, r.sc.Literal)
				if i < 0 {
					break
				}
				put(rest[:i])
				rest = rest[i+len(r.sc.Literal):]
			}
			put(rest)
		} else {
			// Java String.split(regex, -1): no leading empty piece for a
			// zero-width match at the start; trailing empty pieces kept.
			last := 0
			var err error
			if r.locs, err = r.sc.Delimiter.FindAllStringIndex(line, -1); err != nil {
				return "serializer.delimiter: " + err.Error()
			}
			for _, m := range r.locs {
				if m[1] == 0 {
					continue
				}
				put(line[last:m[0]])
				last = m[1]
			}
			put(line[last:])
		}
		if count != n {
			return fmt.Sprintf("%d fields for %d names in serializer.fieldnames", count, n)
		}
	case serRegex:
		m, err := r.sc.Regex.FindStringSubmatchIndex(line)
		if err != nil {
			return "serializer.regex: " + err.Error()
		}
		if m == nil {
			return "does not match serializer.regex"
		}
		for i := 0; i < n && 2*i+3 < len(m); i++ {
			if m[2*i+2] >= 0 {
				vals[i], present[i] = line[m[2*i+2]:m[2*i+3]], true
			}
		}
	case serJSON:
		clear(r.jsonv)
		if r.jsonv == nil {
			r.jsonv = map[string]json.RawMessage{}
		}
		dec := json.NewDecoder(strings.NewReader(line))
		if err := dec.Decode(&r.jsonv); err != nil {
			return "not a JSON object: " + err.Error()
		}
		any := false
		for i, name := range r.sc.FieldNames {
			raw, ok := r.jsonv[name]
			if !ok || name == "" {
				continue
			}
			vals[i], present[i] = r.jsonText(raw), true
			any = true
		}
		if !any {
			return "no field of serializer.fieldnames in the JSON object"
		}
	}
	return ""
}

// jsonText is the text Jackson's JsonNode gives the plugin: a string's
// value, a number as Java prints it, an object or array as compact JSON.
func (r *rowReader) jsonText(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '{', '[':
		r.buf.Reset()
		if json.Compact(&r.buf, raw) == nil {
			return r.buf.String()
		}
	case 't', 'f', 'n':
		return string(raw)
	default:
		s := string(raw)
		if !strings.ContainsAny(s, ".eE") {
			if s == "-0" {
				return "0"
			}
			return s
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && math.IsInf(f, 0) {
			err = nil
		}
		if err == nil {
			return javaDouble(f)
		}
	}
	return string(raw)
}

// tupleBuilder maps the serializer's fields onto a tuple topic's schema.
type tupleBuilder struct {
	fields    []client.Field
	col       []int // per field name: schema column, or -1
	dateCol   []bool
	df        *dateFormat
	trim      bool
	nullValue string
	hasNull   bool
	blankNull bool
	hashNames []int // per shard column: index in the field names
	loc       *time.Location
}

// newTupleBuilder checks the configuration against the topic's schema.
func newTupleBuilder(c *Config, fields []client.Field) (*tupleBuilder, error) {
	b := &tupleBuilder{
		fields: fields, trim: !c.Legacy, nullValue: c.NullValue, hasNull: c.HasNull,
		blankNull: c.BlankAsNull, loc: time.Local,
	}
	index := map[string]int{}
	for i, f := range fields {
		index[f.Name] = i
	}
	names := c.Serializer.FieldNames
	listed := make([]bool, len(fields))
	b.col = make([]int, len(names))
	for i, n := range names {
		b.col[i] = -1
		if n == "" {
			continue
		}
		ci, ok := index[n]
		if !ok {
			return nil, fmt.Errorf("serializer.fieldnames: the field %q does not exist in the topic's schema", n)
		}
		if !knownType(fields[ci].Type) {
			return nil, fmt.Errorf("serializer.fieldnames: the field %q has type %s, which the sink cannot fill", n, fields[ci].Type)
		}
		b.col[i], listed[ci] = ci, true
	}
	for i, f := range fields {
		if f.NotNull && !listed[i] {
			return nil, fmt.Errorf("the topic's field %q is NOT NULL but not in serializer.fieldnames: every record would be rejected", f.Name)
		}
	}
	nameIndex := func(what, n string) (int, error) {
		for i, fn := range names {
			if fn == n {
				return i, nil
			}
		}
		return 0, fmt.Errorf("%s: the field %q is not in serializer.fieldnames", what, n)
	}
	if len(c.DateColumns) > 0 {
		df, err := compileDateFormat(c.DateFormat)
		if err != nil {
			return nil, err
		}
		b.df, b.dateCol = df, make([]bool, len(fields))
		for _, n := range c.DateColumns {
			i, err := nameIndex("dateformat.columns", n)
			if err != nil {
				return nil, err
			}
			if fields[b.col[i]].Type != typeTimestamp {
				return nil, fmt.Errorf("dateformat.columns: the field %q is %s, not TIMESTAMP", n, fields[b.col[i]].Type)
			}
			b.dateCol[b.col[i]] = true
		}
	}
	for _, n := range c.ShardColumns {
		i, err := nameIndex("datahub.shard.columns", n)
		if err != nil {
			return nil, err
		}
		b.hashNames = append(b.hashNames, i)
	}
	return b, nil
}

// build fills out (one Value per schema column) from the field texts and
// returns "" or why the line is dirty.
func (b *tupleBuilder) build(vals []string, present []bool, out []client.Value) string {
	for i := range out {
		out[i] = client.Value{Null: true}
	}
	for i, c := range b.col {
		if c < 0 || !present[i] {
			continue
		}
		v := vals[i]
		if b.trim {
			v = javaTrim(v)
		}
		if (b.hasNull && strings.EqualFold(v, b.nullValue)) || (b.blankNull && v == "") {
			out[c] = client.Value{Null: true}
			continue
		}
		f := b.fields[c]
		if b.dateCol != nil && b.dateCol[c] {
			ms, err := b.df.parse(v, b.loc, time.Now())
			if err != nil {
				return fmt.Sprintf("field %s: %q %v", f.Name, v, err)
			}
			out[c] = client.Value{S: strconv.FormatInt(ms*1000, 10)}
			continue
		}
		s, err := formatValue(f.Type, v)
		if err != nil {
			return fmt.Sprintf("field %s (%s): %q: %v", f.Name, f.Type, v, err)
		}
		out[c] = client.Value{S: s}
	}
	for i, f := range b.fields {
		if f.NotNull && out[i].Null {
			return fmt.Sprintf("field %s is NOT NULL but the line has no value for it", f.Name)
		}
	}
	return ""
}

// hash is the 1.x plugin's shard hash: Java's hashCode of the shard
// columns' raw texts ("null" when absent) concatenated.
func (b *tupleBuilder) hash(vals []string, present []bool) int {
	var sb strings.Builder
	for _, i := range b.hashNames {
		if present[i] {
			sb.WriteString(vals[i])
		} else {
			sb.WriteString("null")
		}
	}
	return int(javaStringHash(sb.String()) & math.MaxInt32)
}
