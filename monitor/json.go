package monitor

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// WriteJSON writes the counters in the shape of Flume's /metrics: one
// object per component keyed "<Type>.<name>", mapping attribute names to
// string values. The output is compact and escaped as Gson does by default
// (HTML-safe: < > & = ' as \u003c \u003e \u0026 \u003d \u0027), so a
// client that compared Flume's output byte for byte sees the same text
// (Flume's key order is that of a Java HashMap; flumego sorts the keys).
func (r *Registry) WriteJSON(w io.Writer) error {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, g := range r.Snapshot() {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, g.Key)
		b.WriteString(":{")
		for j, a := range g.Attributes {
			if j > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, a.Name)
			b.WriteByte(':')
			writeJSONString(&b, a.Text)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	_, err := w.Write(b.Bytes())
	return err
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s as a JSON string with Gson's HTML-safe escaping.
func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\f':
				b.WriteString(`\f`)
			case '<', '>', '&', '=', '\'':
				writeUnicodeEscape(b, rune(c))
			default:
				if c < 0x20 {
					writeUnicodeEscape(b, rune(c))
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`) // invalid UTF-8 cannot come from a Java string
		case r == '\u2028' || r == '\u2029':
			writeUnicodeEscape(b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}

func writeUnicodeEscape(b *bytes.Buffer, r rune) {
	b.WriteString(`\u`)
	b.WriteByte(hexDigits[r>>12&0xf])
	b.WriteByte(hexDigits[r>>8&0xf])
	b.WriteByte(hexDigits[r>>4&0xf])
	b.WriteByte(hexDigits[r&0xf])
}
