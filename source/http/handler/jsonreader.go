package handler

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonEvent is one element of the array the JSON handler reads: the body
// text (absent: empty) and the headers in document order (a header whose
// value is null is left out), as slices of the document or of the reader's
// arena of unescaped strings, both never written again.
type jsonEvent struct {
	body []byte
	// headers are hdrs[from:to] of the reader: name, value, name, ...
	from, to int
}

// syntaxError is a JSON document the handler cannot read.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.offset) }

var errEmpty = errors.New("the request has no body (expected a JSON array of events)")

// jsonReader reads Flume's JSON event arrays with the leniency of Gson,
// which Flume's JSONHandler parses them with: besides standard JSON it
// accepts single-quoted and unquoted strings and names, comments (/* */,
// // and #), "=" or "=>" between a name and its value, ";" between
// members, Gson's non-execute prefix )]}' and a number, true or false
// where a string is expected (read as its text). It refuses, where Flume
// fails the request in other ways, a null element, a nested object where a
// string is expected, a header name given twice, trailing data and an
// empty document.
type jsonReader struct {
	b []byte // UTF-8
	i int
	// surrogate replaces an unpaired surrogate escape (\ud800), as the
	// body's charset encodes one.
	surrogate rune
	// arena holds the strings that had escapes; earlier ones are never
	// overwritten (a full arena is replaced, not reused).
	arena []byte
	// hdrs holds every event's header names and values.
	hdrs [][]byte
}

var (
	kwNull  = []byte("null")
	kwTrue  = []byte("true")
	kwFalse = []byte("false")
)

func (r *jsonReader) fail(format string, args ...any) error {
	return &syntaxError{offset: r.i, msg: fmt.Sprintf(format, args...)}
}

// events reads the whole document.
func (r *jsonReader) events() ([]jsonEvent, error) {
	if bytes.HasPrefix(r.b, []byte("\ufeff")) {
		r.i = 3 // a byte-order mark, which Java keeps and Gson refuses; harmless
	}
	c, ok, err := r.next()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errEmpty
	}
	if c == ')' && bytes.HasPrefix(r.b[r.i-1:], []byte(")]}'\n")) {
		r.i += 4
		if c, ok, err = r.next(); err != nil {
			return nil, err
		}
	}
	if !ok || c != '[' {
		r.i--
		return nil, r.fail("expected a JSON array of events")
	}
	var out []jsonEvent
	err = r.elements(']', "the array of events", func(c byte) error {
		if c != '{' {
			r.i--
			return r.fail("expected an event (a JSON object), found %s", r.what(c))
		}
		e, err := r.event()
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, r.end()
}

// elements reads the elements of an array or object whose opening bracket
// is read, up to its closing bracket: elem reads each, given its first
// byte. Elements are separated by ',' or ';' (Gson's leniency); what names
// the array or object in errors.
func (r *jsonReader) elements(closing byte, what string, elem func(c byte) error) error {
	for first := true; ; first = false {
		c, ok, err := r.next()
		if err != nil {
			return err
		}
		if !ok {
			return r.fail("%s is not terminated", what)
		}
		if !first {
			switch c {
			case closing:
				return nil
			case ',', ';':
			default:
				r.i--
				return r.fail("expected ',' or '%c' in %s", closing, what)
			}
			if c, ok, err = r.next(); err != nil {
				return err
			} else if !ok {
				return r.fail("%s is not terminated", what)
			}
		} else if c == closing {
			return nil
		}
		if err := elem(c); err != nil {
			return err
		}
	}
}

// what describes the value starting with c, for an error.
func (r *jsonReader) what(c byte) string {
	switch c {
	case ',', ';', ']':
		return "null (an empty element)"
	case '[':
		return "an array"
	case '"', '\'':
		return "a string"
	}
	if r.keyword(kwNull) {
		return "null"
	}
	return "a value"
}

// end checks that nothing but white space and comments follows the array.
func (r *jsonReader) end() error {
	if _, ok, err := r.next(); err != nil {
		return err
	} else if ok {
		r.i--
		return r.fail("data after the array of events")
	}
	return nil
}

// next returns the next byte that is not white space or in a comment; ok
// is false at the end.
func (r *jsonReader) next() (byte, bool, error) {
	for r.i < len(r.b) {
		c := r.b[r.i]
		r.i++
		switch c {
		case ' ', '\n', '\t', '\r':
			continue
		case '#':
			r.skipLine()
			continue
		case '/':
			if r.i < len(r.b) {
				switch r.b[r.i] {
				case '*':
					end := bytes.Index(r.b[r.i+1:], []byte("*/"))
					if end < 0 {
						return 0, false, r.fail("unterminated comment")
					}
					r.i += 1 + end + 2
					continue
				case '/':
					r.skipLine()
					continue
				}
			}
		}
		return c, true, nil
	}
	return 0, false, nil
}

func (r *jsonReader) skipLine() {
	for r.i < len(r.b) && r.b[r.i] != '\n' && r.b[r.i] != '\r' {
		r.i++
	}
}

// event reads an event object; its '{' is read.
func (r *jsonReader) event() (jsonEvent, error) {
	e := jsonEvent{from: len(r.hdrs), to: len(r.hdrs)}
	err := r.elements('}', "an event", func(c byte) error {
		name, err := r.name(c)
		if err != nil {
			return err
		}
		switch string(name) {
		case "body":
			s, null, err := r.stringValue()
			if err != nil {
				return err
			}
			if null {
				s = nil
			}
			e.body = s
		case "headers":
			// The last headers member wins.
			r.hdrs = r.hdrs[:e.from]
			if err := r.headers(); err != nil {
				return err
			}
			e.to = len(r.hdrs)
		default:
			return r.skipValue(0)
		}
		return nil
	})
	return e, err
}

// name reads a member name starting with c and the separator after it.
func (r *jsonReader) name(c byte) ([]byte, error) {
	var name []byte
	switch {
	case c == '"' || c == '\'':
		s, err := r.quoted(c)
		if err != nil {
			return nil, err
		}
		name = s
	case isLiteral(c):
		r.i--
		name = r.unquoted()
	default:
		r.i--
		return nil, r.fail("expected a name")
	}
	c, ok, err := r.next()
	if err != nil {
		return nil, err
	}
	switch {
	case ok && c == ':':
	case ok && c == '=':
		if r.i < len(r.b) && r.b[r.i] == '>' {
			r.i++
		}
	default:
		r.i--
		return nil, r.fail("expected ':' after the name %q", name)
	}
	return name, nil
}

// isLiteral reports whether c may be part of an unquoted string.
func isLiteral(c byte) bool {
	switch c {
	case '/', '\\', ';', '#', '=', '{', '}', '[', ']', ':', ',', ' ', '\t', '\f', '\r', '\n':
		return false
	}
	return true
}

// unquoted reads an unquoted string.
func (r *jsonReader) unquoted() []byte {
	start := r.i
	for r.i < len(r.b) && isLiteral(r.b[r.i]) {
		r.i++
	}
	return r.b[start:r.i:r.i]
}

// keyword reports whether the unquoted value at r.i is word (ignoring
// case), as a whole.
func (r *jsonReader) keyword(word []byte) bool {
	end := r.i + len(word)
	return end <= len(r.b) && bytes.EqualFold(r.b[r.i:end], word) && (end == len(r.b) || !isLiteral(r.b[end]))
}

// stringValue reads a value where a string is expected: a string, or the
// text of a number or unquoted word, true or false written in lower case;
// null is reported as such.
func (r *jsonReader) stringValue() ([]byte, bool, error) {
	c, ok, err := r.next()
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, r.fail("expected a value")
	}
	switch {
	case c == '"' || c == '\'':
		s, err := r.quoted(c)
		return s, false, err
	case c == '{' || c == '[':
		r.i--
		return nil, false, r.fail("expected a string, found %s", map[byte]string{'{': "an object", '[': "an array"}[c])
	case isLiteral(c):
		r.i--
		for _, kw := range [][]byte{kwNull, kwTrue, kwFalse} {
			if r.keyword(kw) {
				r.i += len(kw)
				return kw, len(kw) == 4 && kw[0] == 'n', nil
			}
		}
		return r.unquoted(), false, nil
	}
	r.i--
	return nil, false, r.fail("expected a value")
}

// headers reads the headers value — an object of names and string values,
// Gson's array of [name, value] pairs, or null — onto r.hdrs.
func (r *jsonReader) headers() error {
	c, ok, err := r.next()
	if err != nil {
		return err
	}
	if ok && isLiteral(c) {
		r.i--
		if r.keyword(kwNull) {
			r.i += 4
			return nil
		}
	}
	from := len(r.hdrs)
	var seen map[string]bool // the names, once there are many
	add := func(name, value []byte, null bool) error {
		// A name given twice is refused once it has a value (Gson's map
		// refuses to replace a non-null value).
		if seen != nil {
			if seen[string(name)] {
				return r.fail("header %q given twice", name)
			}
		} else {
			for k := from; k < len(r.hdrs); k += 2 {
				if bytes.Equal(r.hdrs[k], name) {
					return r.fail("header %q given twice", name)
				}
			}
		}
		if null {
			return nil
		}
		r.hdrs = append(r.hdrs, name, value)
		if n := len(r.hdrs) - from; n > 32 {
			if seen == nil {
				seen = make(map[string]bool, n)
				for k := from; k < len(r.hdrs); k += 2 {
					seen[string(r.hdrs[k])] = true
				}
			}
			seen[string(name)] = true
		}
		return nil
	}
	switch {
	case ok && c == '{':
		return r.elements('}', "the headers", func(c byte) error {
			name, err := r.name(c)
			if err != nil {
				return err
			}
			v, null, err := r.stringValue()
			if err != nil {
				return err
			}
			return add(name, v, null)
		})
	case ok && c == '[':
		return r.elements(']', "the headers", func(c byte) error {
			if c != '[' {
				r.i--
				return r.fail("expected a [name, value] pair in the headers")
			}
			name, nameNull, err := r.stringValue()
			if err != nil {
				return err
			}
			if nameNull {
				return r.fail("a header without a name")
			}
			if c, ok, _ := r.next(); !ok || (c != ',' && c != ';') {
				r.i--
				return r.fail("expected ',' in a header pair")
			}
			v, null, err := r.stringValue()
			if err != nil {
				return err
			}
			if c, ok, _ := r.next(); !ok || c != ']' {
				r.i--
				return r.fail("expected ']' after a header pair")
			}
			return add(name, v, null)
		})
	}
	r.i--
	return r.fail("expected the headers object")
}

// maxDepth bounds the nesting of an ignored member's value, so that a
// hostile body cannot exhaust the stack.
const maxDepth = 512

// skipValue skips a value of any kind (a member the handler ignores),
// nested depth deep.
func (r *jsonReader) skipValue(depth int) error {
	if depth > maxDepth {
		return r.fail("values nested more than %d deep", maxDepth)
	}
	c, ok, err := r.next()
	if err != nil {
		return err
	}
	if !ok {
		return r.fail("expected a value")
	}
	switch {
	case c == '"' || c == '\'':
		_, err := r.quoted(c)
		return err
	case c == '{':
		return r.elements('}', "an object", func(c byte) error {
			if _, err := r.name(c); err != nil {
				return err
			}
			return r.skipValue(depth + 1)
		})
	case c == '[':
		return r.elements(']', "an array", func(byte) error {
			r.i--
			return r.skipValue(depth + 1)
		})
	case isLiteral(c):
		r.i--
		r.unquoted()
		return nil
	}
	r.i--
	return r.fail("expected a value")
}

// quoted reads a string whose opening quote q is read, with Gson's
// escapes; an unpaired surrogate escape becomes r.surrogate. A string
// without escapes is a slice of the document, one with escapes is written
// to the arena.
func (r *jsonReader) quoted(q byte) ([]byte, error) {
	start := r.i
	// The common case: no escape.
	if end := bytes.IndexByte(r.b[r.i:], q); end >= 0 {
		if bytes.IndexByte(r.b[r.i:r.i+end], '\\') < 0 {
			r.i += end + 1
			return r.b[start : start+end : start+end], nil
		}
	}
	for r.i < len(r.b) && r.b[r.i] != '\\' {
		r.i++
	}
	if cap(r.arena)-len(r.arena) < r.i-start+64 {
		r.arena = make([]byte, 0, max(4096, 2*(r.i-start+64))) // the old arena stays with what it holds
	}
	from := len(r.arena)
	buf := append(r.arena, r.b[start:r.i]...)
	defer func() { r.arena = buf }()
	out := func() []byte { return buf[from:len(buf):len(buf)] }
	var high rune = -1 // a high surrogate waiting for its low half
	flush := func() {
		if high >= 0 {
			buf = utf8.AppendRune(buf, r.surrogate)
			high = -1
		}
	}
	for r.i < len(r.b) {
		c := r.b[r.i]
		r.i++
		if c == q {
			flush()
			return out(), nil
		}
		if c != '\\' {
			flush()
			buf = append(buf, c)
			continue
		}
		if r.i >= len(r.b) {
			break
		}
		e := r.b[r.i]
		r.i++
		var ch byte
		switch e {
		case 'u':
			if r.i+4 > len(r.b) {
				return nil, r.fail("unterminated escape sequence")
			}
			var u rune
			for _, h := range r.b[r.i : r.i+4] {
				switch {
				case h >= '0' && h <= '9':
					u = u<<4 | rune(h-'0')
				case h >= 'a' && h <= 'f':
					u = u<<4 | rune(h-'a'+10)
				case h >= 'A' && h <= 'F':
					u = u<<4 | rune(h-'A'+10)
				default:
					return nil, r.fail("invalid \\u escape")
				}
			}
			r.i += 4
			switch {
			case u >= 0xdc00 && u <= 0xdfff && high >= 0:
				buf = utf8.AppendRune(buf, utf16.DecodeRune(high, u))
				high = -1
			case u >= 0xd800 && u <= 0xdbff:
				flush()
				high = u
			case u >= 0xdc00 && u <= 0xdfff:
				flush()
				buf = utf8.AppendRune(buf, r.surrogate)
			default:
				flush()
				buf = utf8.AppendRune(buf, u)
			}
			continue
		case 't':
			ch = '\t'
		case 'b':
			ch = '\b'
		case 'n':
			ch = '\n'
		case 'r':
			ch = '\r'
		case 'f':
			ch = '\f'
		case '\n', '\'', '"', '\\', '/':
			ch = e
		default:
			return nil, r.fail("invalid escape sequence \\%c", e)
		}
		flush()
		buf = append(buf, ch)
	}
	return nil, r.fail("unterminated string")
}
