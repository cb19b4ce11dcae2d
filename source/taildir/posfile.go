package taildir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Position is one entry of Flume's position file: the file's inode, the
// offset up to which its lines were committed, and its absolute path.
type Position struct {
	Inode int64
	Pos   int64
	File  string
}

// EncodePositions renders positions as Flume's TaildirSource writes them
// with Gson: one JSON array on one line, keys in the order inode, pos, file,
// no spaces, no trailing newline, strings escaped as Gson does (HTML-safe).
func EncodePositions(ps []Position) []byte {
	b := make([]byte, 0, 64*len(ps)+2)
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"inode":`...)
		b = strconv.AppendInt(b, p.Inode, 10)
		b = append(b, `,"pos":`...)
		b = strconv.AppendInt(b, p.Pos, 10)
		b = append(b, `,"file":`...)
		b = appendGsonString(b, p.File)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendGsonString appends s as a JSON string escaped as Gson's JsonWriter
// does with HTML-safe escaping on (Gson's default): control characters,
// the quote, the backslash, <, >, &, = and ', and U+2028 and U+2029.
// Bytes that are not UTF-8 become U+FFFD, as Java decodes such a file name.
func appendGsonString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r < 0x20, r == '<', r == '>', r == '&', r == '=', r == '\'', r == 0x2028, r == 0x2029:
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// DecodePositions reads a position file. An empty file (Flume writes one
// when it tracks no file) holds no positions. Numbers may also be quoted,
// as Gson's nextLong accepts; keys other than inode, pos and file are
// ignored (Flume's reader would stop at them). An entry without one of the
// three values, or anything that is not such an array, is an error.
func DecodePositions(data []byte) ([]Position, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON array of {\"inode\",\"pos\",\"file\"} objects: %w", err)
	}
	ps := make([]Position, 0, len(raw))
	for i, m := range raw {
		var p Position
		var err error
		if p.Inode, err = jsonLong(m, "inode"); err == nil {
			if p.Pos, err = jsonLong(m, "pos"); err == nil {
				p.File, err = jsonString(m, "file")
			}
		}
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		if p.Pos < 0 {
			return nil, fmt.Errorf("entry %d: negative pos %d", i+1, p.Pos)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func jsonLong(m map[string]json.RawMessage, key string) (int64, error) {
	v, ok := m[key]
	if !ok || string(v) == "null" {
		return 0, fmt.Errorf("missing %q", key)
	}
	s := string(v)
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, fmt.Errorf("%q: %w", key, err)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %s is not a long", key, v)
	}
	return n, nil
}

func jsonString(m map[string]json.RawMessage, key string) (string, error) {
	v, ok := m[key]
	if !ok || string(v) == "null" {
		return "", fmt.Errorf("missing %q", key)
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("%q: not a string", key)
	}
	return s, nil
}
