package charset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

// Policy is what a decoder does with a byte sequence its charset cannot
// decode: Flume's DecodeErrorPolicy.
type Policy uint8

// The decode error policies, Java's CodingErrorAction REPORT, REPLACE and
// IGNORE.
const (
	Fail Policy = iota
	Replace
	Ignore
)

// ParsePolicy reads FAIL, REPLACE or IGNORE in any case, as Flume does.
func ParsePolicy(s string) (Policy, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "FAIL":
		return Fail, nil
	case "REPLACE":
		return Replace, nil
	case "IGNORE":
		return Ignore, nil
	}
	return Fail, fmt.Errorf("unknown decode error policy %q (expected FAIL, REPLACE or IGNORE)", s)
}

// String returns the policy's name as Flume spells it.
func (p Policy) String() string {
	switch p {
	case Replace:
		return "REPLACE"
	case Ignore:
		return "IGNORE"
	}
	return "FAIL"
}

type kind uint8

const (
	kindUTF8 kind = iota
	kindASCII
	kindText // golang.org/x/text: single-byte and ASCII-compatible multi-byte charsets
	kindUTF16
	kindUTF32
)

// Charset is a resolved charset. It is immutable and safe for concurrent
// use; its Decoder and Encoder are not.
type Charset struct {
	name string
	kind kind
	enc  encoding.Encoding // kindText
	le   bool              // UTF-16/32: little endian
	bom  bool              // UTF-16/32: the byte order comes from a BOM
	nl   []byte            // '\n' in this charset
	fffd []byte            // kindText: U+FFFD in this charset; nil when it has none
	repl []byte            // kindText: '?' in this charset, what Java writes for an unmappable character
	// ascii is set for a kindText charset that decodes every byte below
	// 0x80 as itself, shift bytes (ESC, SO, SI) aside: text without other
	// bytes is copied as it is.
	ascii bool
}

// UTF8 is the UTF-8 charset, Flume's default.
var UTF8 = &Charset{name: "UTF-8", kind: kindUTF8, nl: []byte{'\n'}}

var (
	ascii    = &Charset{name: "US-ASCII", kind: kindASCII, nl: []byte{'\n'}}
	utf16be  = &Charset{name: "UTF-16BE", kind: kindUTF16, nl: []byte{0, '\n'}}
	utf16le  = &Charset{name: "UTF-16LE", kind: kindUTF16, le: true, nl: []byte{'\n', 0}}
	utf16bom = &Charset{name: "UTF-16", kind: kindUTF16, bom: true, nl: []byte{0, '\n'}}
	utf32be  = &Charset{name: "UTF-32BE", kind: kindUTF32, nl: []byte{0, 0, 0, '\n'}}
	utf32le  = &Charset{name: "UTF-32LE", kind: kindUTF32, le: true, nl: []byte{'\n', 0, 0, 0}}
	utf32bom = &Charset{name: "UTF-32", kind: kindUTF32, bom: true, nl: []byte{0, 0, 0, '\n'}}
)

// builtin are the charsets decoded here, by lower-case name (Java's
// canonical names and aliases).
var builtin = map[string]*Charset{
	"utf-8": UTF8, "utf8": UTF8, "unicode-1-1-utf-8": UTF8,
	"us-ascii": ascii, "ascii": ascii, "iso646-us": ascii, "ascii7": ascii, "646": ascii, "cp367": ascii,
	"ibm367": ascii, "csascii": ascii, "default": ascii, "iso_646.irv:1991": ascii, "us": ascii,
	"utf-16": utf16bom, "utf_16": utf16bom, "utf16": utf16bom, "unicode": utf16bom, "unicodebig": utf16bom,
	"utf-16be": utf16be, "utf_16be": utf16be, "x-utf-16be": utf16be, "iso-10646-ucs-2": utf16be, "unicodebigunmarked": utf16be,
	"utf-16le": utf16le, "utf_16le": utf16le, "x-utf-16le": utf16le, "unicodelittleunmarked": utf16le,
	"utf-32": utf32bom, "utf_32": utf32bom, "utf32": utf32bom,
	"utf-32be": utf32be, "utf_32be": utf32be, "x-utf-32be": utf32be,
	"utf-32le": utf32le, "utf_32le": utf32le, "x-utf-32le": utf32le,
}

// javaAliases maps Java names the IANA index does not know to IANA names.
var javaAliases = map[string]string{
	"gb2312": "GBK", "euc-cn": "GBK", "euc_cn": "GBK", "x-euc-cn": "GBK", "cp936": "GBK", "ms936": "GBK",
	"ms932": "Shift_JIS", "windows-31j": "Shift_JIS", "csWindows31J": "Shift_JIS", "sjis": "Shift_JIS",
	"cp1250": "windows-1250", "cp1251": "windows-1251", "cp1252": "windows-1252", "cp1253": "windows-1253",
	"cp1254": "windows-1254", "cp1255": "windows-1255", "cp1256": "windows-1256", "cp1257": "windows-1257",
	"cp1258": "windows-1258", "iso8859_1": "ISO-8859-1", "iso8859-1": "ISO-8859-1", "8859_1": "ISO-8859-1",
	"euc_jp": "EUC-JP", "euc_kr": "EUC-KR", "big5-hkscs": "Big5", "big5_hkscs": "Big5", "koi8_r": "KOI8-R",
	"ms949": "EUC-KR", "cp949": "EUC-KR",
}

// ErrUnknown is matched by the error of Lookup for a name no charset
// answers to.
var ErrUnknown = errors.New("unknown charset")

// ErrUnsupported is matched by the error of Lookup for a charset that is
// known but cannot be used to read lines (no decoder, or a newline that is
// not one byte).
var ErrUnsupported = errors.New("charset not supported")

// Lookup resolves a Java charset name, in any case.
func Lookup(name string) (*Charset, error) {
	n := strings.TrimSpace(name)
	key := strings.ToLower(n)
	if cs, ok := builtin[key]; ok {
		return cs, nil
	}
	for alias, iana := range javaAliases {
		if strings.EqualFold(alias, key) {
			n = iana
			break
		}
	}
	enc, err := ianaindex.IANA.Encoding(n)
	if err != nil {
		return nil, fmt.Errorf("%w %q", ErrUnknown, name)
	}
	if enc == nil {
		return nil, fmt.Errorf("%w: %q has no decoder in flumego", ErrUnsupported, name)
	}
	canonical, err := ianaindex.IANA.Name(enc)
	if err != nil {
		canonical = n
	}
	if cs, ok := builtin[strings.ToLower(canonical)]; ok {
		return cs, nil // an IANA alias of UTF-8 or UTF-16
	}
	cs := &Charset{name: canonical, kind: kindText, enc: enc}
	nl, err := enc.NewEncoder().Bytes([]byte{'\n'})
	if err != nil || len(nl) != 1 {
		return nil, fmt.Errorf("%w: %q does not encode a newline as one byte", ErrUnsupported, name)
	}
	cs.nl = nl
	if b, err := enc.NewEncoder().Bytes([]byte("\uFFFD")); err == nil {
		cs.fffd = b
	}
	if b, err := enc.NewEncoder().Bytes([]byte("?")); err == nil && len(b) > 0 {
		cs.repl = b
	} else {
		cs.repl = []byte{'?'}
	}
	var plain []byte
	for c := byte(0); c < 0x80; c++ {
		if !isShift(c) {
			plain = append(plain, c)
		}
	}
	if b, err := enc.NewDecoder().Bytes(plain); err == nil && bytes.Equal(b, plain) {
		cs.ascii = true
	}
	return cs, nil
}

// Name returns the charset's canonical name.
func (c *Charset) Name() string { return c.name }

// IsUTF8 reports whether c is UTF-8.
func (c *Charset) IsUTF8() bool { return c.kind == kindUTF8 }

// Newline returns how '\n' is encoded in c (one byte, except in UTF-16 and
// UTF-32). The slice must not be modified.
func (c *Charset) Newline() []byte { return c.nl }

// Unit returns the size of c's code unit: every character, and the
// newline, starts at a multiple of it from the start of the text (1, or 2
// for UTF-16, 4 for UTF-32).
func (c *Charset) Unit() int {
	switch c.kind {
	case kindUTF16:
		return 2
	case kindUTF32:
		return 4
	}
	return 1
}

// ForInput returns the charset that decodes a text starting with head (its
// first four bytes suffice) and the length of the byte order mark to skip.
// For "UTF-16" and "UTF-32" the byte order comes from a BOM (big endian
// without one, as in Java); every other charset returns itself and 0: a
// UTF-8 BOM is text (U+FEFF), as Java's decoder reads it.
func (c *Charset) ForInput(head []byte) (*Charset, int) {
	switch {
	case !c.bom:
		return c, 0
	case c.kind == kindUTF16 && bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return utf16be, 2
	case c.kind == kindUTF16 && bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return utf16le, 2
	case c.kind == kindUTF16:
		return utf16be, 0
	case bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return utf32be, 4
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}):
		return utf32le, 4
	}
	return utf32be, 0
}

// DecodeError reports a byte sequence that the charset cannot decode,
// under the Fail policy.
type DecodeError struct {
	// Offset is the sequence's position in the text given to Decode.
	Offset int
	// Bytes are the malformed or unmappable bytes (at most 8).
	Bytes []byte
	// Charset is the charset's name.
	Charset string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("malformed or unmappable input for charset %s: bytes % X", e.Charset, e.Bytes)
}

var fffdUTF8 = []byte("\uFFFD")

// Decoder decodes text of one charset under one policy. It is not safe for
// concurrent use.
type Decoder struct {
	cs     *Charset
	policy Policy
	dec    *encoding.Decoder // kindText
	one    [64]byte          // one character's UTF-8
}

// NewDecoder returns a decoder of c under policy p. For UTF-16 and UTF-32
// with a BOM, decode with the charset ForInput returns.
func (c *Charset) NewDecoder(p Policy) *Decoder {
	d := &Decoder{cs: c, policy: p}
	if c.kind == kindText {
		d.dec = c.enc.NewDecoder()
	}
	return d
}

// Decode appends to dst the UTF-8 of the characters at the start of src,
// at most maxChars Java chars of them (UTF-16 code units; a character
// outside the BMP counts 2 and is never cut in half; maxChars <= 0 means no
// limit), and returns dst and the number of bytes of src it decoded. src is
// taken as complete: a line without its newline, or the end of the input,
// where an incomplete sequence is malformed.
//
// At least one character is decoded when src is not empty, even one wider
// than maxChars. Under Fail, the first sequence that cannot be decoded
// stops it with a *DecodeError: dst then holds the text before it and the
// count says where it is. Under Replace it becomes U+FFFD (one per maximal
// malformed subpart, as Java), under Ignore nothing.
func (d *Decoder) Decode(dst, src []byte, maxChars int) ([]byte, int, error) {
	if len(src) == 0 {
		return dst, 0, nil
	}
	fits := maxChars <= 0 || len(src) <= maxChars // a character takes at least one byte
	switch d.cs.kind {
	case kindUTF8:
		if fits && utf8.Valid(src) {
			return append(dst, src...), len(src), nil
		}
	case kindASCII:
		if fits && isASCII(src) {
			return append(dst, src...), len(src), nil
		}
	case kindText:
		if fits && d.cs.ascii && isPlainASCII(src) { // most log lines in GB18030, Shift_JIS, windows-1252...
			return append(dst, src...), len(src), nil
		}
		if fits {
			start := len(dst)
			d.dec.Reset()
			out, err := transformAll(d.dec, dst, src)
			if err == nil && !bytes.Contains(out[start:], fffdUTF8) {
				return out, len(src), nil
			}
			dst = out[:start]
		}
	}
	// One character at a time: the cost is that of what is decoded, so
	// that cutting a long text into pieces stays linear.
	return d.slow(dst, src, maxChars)
}

// slow decodes one character at a time: for malformed input, a limit that
// may cut the text, and charsets without a fast path.
func (d *Decoder) slow(dst, src []byte, maxChars int) ([]byte, int, error) {
	if d.dec != nil {
		d.dec.Reset()
	}
	chars, i := 0, 0
	for i < len(src) {
		text, size, bad := d.next(src[i:])
		if bad {
			switch d.policy {
			case Fail:
				return dst, i, &DecodeError{Offset: i, Bytes: bytes.Clone(src[i : i+min(size, 8)]), Charset: d.cs.name}
			case Replace:
				text = fffdUTF8
			default:
				text = nil
			}
		}
		n := javaLen(text)
		if maxChars > 0 && chars > 0 && chars+n > maxChars {
			break
		}
		dst = append(dst, text...)
		chars += n
		i += size
		if maxChars > 0 && chars >= maxChars {
			break
		}
	}
	return dst, i, nil
}

// next decodes the character at the start of src (not empty): its UTF-8
// (empty for a shift sequence), its size in src, and whether it is a
// malformed or unmappable sequence.
func (d *Decoder) next(src []byte) ([]byte, int, bool) {
	switch d.cs.kind {
	case kindUTF8:
		r, size := utf8.DecodeRune(src)
		if r == utf8.RuneError && size <= 1 {
			return nil, maximalSubpart(src), true
		}
		return src[:size], size, false
	case kindASCII:
		if src[0] >= 0x80 {
			return nil, 1, true
		}
		return src[:1], 1, false
	case kindUTF16:
		return d.nextUTF16(src)
	case kindUTF32:
		if len(src) < 4 {
			return nil, len(src), true
		}
		v := d.cs.order().Uint32(src)
		if v > utf8.MaxRune {
			return nil, 4, true
		}
		if v >= 0xD800 && v <= 0xDFFF {
			return []byte{'?'}, 4, false // Java decodes a lone surrogate, which becomes '?' in UTF-8
		}
		return utf8.AppendRune(d.one[:0], rune(v)), 4, false
	}
	return d.nextText(src)
}

func (d *Decoder) nextUTF16(src []byte) ([]byte, int, bool) {
	if len(src) < 2 {
		return nil, len(src), true
	}
	o := d.cs.order()
	u := o.Uint16(src)
	switch {
	case u >= 0xDC00 && u <= 0xDFFF: // a low surrogate alone
		return nil, 2, true
	case u >= 0xD800 && u <= 0xDBFF:
		if len(src) < 4 {
			return nil, len(src), true
		}
		lo := o.Uint16(src[2:])
		if lo < 0xDC00 || lo > 0xDFFF {
			return nil, 4, true // Java takes the unit after a high surrogate with it
		}
		return utf8.AppendRune(d.one[:0], utf16.DecodeRune(rune(u), rune(lo))), 4, false
	}
	return utf8.AppendRune(d.one[:0], rune(u)), 2, false
}

// nextText decodes the first sequence of src with the x/text decoder,
// which decodes as much as its output buffer takes: the smallest buffer
// into which it writes something holds one character (or the pair a Big5
// sequence maps to). A shift sequence writes nothing and is returned as
// an empty character.
func (d *Decoder) nextText(src []byte) ([]byte, int, bool) {
	s := src[:min(len(src), 16)]
	atEOF := len(s) == len(src)
	for m := 1; m <= len(d.one); m++ {
		nDst, nSrc, err := d.dec.Transform(d.one[:m], s, atEOF)
		if nDst > 0 || nSrc > 0 {
			text := d.one[:nDst]
			bad := bytes.Equal(text, fffdUTF8) && !bytes.Equal(src[:nSrc], d.cs.fffd)
			return text, max(nSrc, 1), bad
		}
		if !errors.Is(err, transform.ErrShortDst) {
			break
		}
	}
	return nil, 1, true
}

// byteOrder is what UTF-16 and UTF-32 need of binary's byte orders.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func (c *Charset) order() byteOrder {
	if c.le {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// maximalSubpart returns the length of the malformed UTF-8 sequence at the
// start of b: a lead byte and the continuation bytes that could still have
// completed it (Unicode's "maximal subpart", which Java replaces as one).
func maximalSubpart(b []byte) int {
	c := b[0]
	need, lo, hi := 0, byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return 1
	}
	n := 1
	for n <= need && n < len(b) {
		x := b[n]
		if n == 1 && (x < lo || x > hi) || n > 1 && (x < 0x80 || x > 0xBF) {
			break
		}
		n++
	}
	return n
}

// javaLen returns the length of UTF-8 text in Java chars (UTF-16 units).
func javaLen(text []byte) int {
	n := 0
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c < 0x80:
			i++
		case c >= 0xF0:
			i += 4
			n++ // a surrogate pair: one more
		case c >= 0xE0:
			i += 3
		default:
			i += 2
		}
		n++
	}
	return n
}

// JavaLen returns the length of UTF-8 text in Java chars (UTF-16 code
// units): what Flume's length limits count.
func JavaLen(text []byte) int { return javaLen(text) }

// isShift reports whether c is a byte that switches the state of a
// stateful charset (ISO-2022-JP): ESC, SO, SI.
func isShift(c byte) bool { return c == 0x1b || c == 0x0e || c == 0x0f }

// isPlainASCII reports whether b holds ASCII bytes only, no shift byte.
func isPlainASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || isShift(c) {
			return false
		}
	}
	return true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// transformAll runs t over all of src (as the end of the input), appending
// to dst.
func transformAll(t transform.Transformer, dst, src []byte) ([]byte, error) {
	if cap(dst)-len(dst) < len(src)+8 {
		dst = append(make([]byte, 0, len(dst)+2*len(src)+8), dst...)
	}
	for {
		nDst, nSrc, err := t.Transform(dst[len(dst):cap(dst)], src, true)
		dst = dst[:len(dst)+nDst]
		src = src[nSrc:]
		if err == nil {
			return dst, nil
		}
		if !errors.Is(err, transform.ErrShortDst) {
			return dst, err
		}
		dst = append(make([]byte, 0, 2*cap(dst)+16), dst...)
	}
}

// Encoder encodes UTF-8 text into a charset the way Java's
// String.getBytes does: characters the charset cannot represent become its
// '?'; "UTF-16" starts each text with a big-endian BOM. It is not safe for
// concurrent use.
type Encoder struct {
	cs  *Charset
	enc *encoding.Encoder // kindText
}

// NewEncoder returns an encoder to c.
func (c *Charset) NewEncoder() *Encoder {
	e := &Encoder{cs: c}
	if c.kind == kindText {
		e.enc = c.enc.NewEncoder()
	}
	return e
}

// Encode appends text (valid UTF-8) encoded in the charset to dst.
func (e *Encoder) Encode(dst, text []byte) []byte {
	c := e.cs
	switch c.kind {
	case kindUTF8:
		return append(dst, text...)
	case kindASCII:
		for _, r := range string(text) {
			if r >= 0x80 {
				r = '?'
			}
			dst = append(dst, byte(r))
		}
		return dst
	case kindUTF16:
		o := c.order()
		if c.bom && len(text) > 0 {
			dst = append(dst, 0xFE, 0xFF)
		}
		for _, r := range string(text) {
			if r >= 0x10000 {
				hi, lo := utf16.EncodeRune(r)
				dst = o.AppendUint16(dst, uint16(hi))
				dst = o.AppendUint16(dst, uint16(lo))
				continue
			}
			dst = o.AppendUint16(dst, uint16(r))
		}
		return dst
	case kindUTF32:
		o := c.order()
		for _, r := range string(text) {
			dst = o.AppendUint32(dst, uint32(r))
		}
		return dst
	}
	e.enc.Reset()
	if cap(dst)-len(dst) < len(text)+8 {
		dst = append(make([]byte, 0, len(dst)+2*len(text)+8), dst...)
	}
	for {
		nDst, nSrc, err := e.enc.Transform(dst[len(dst):cap(dst)], text, true)
		dst = dst[:len(dst)+nDst]
		text = text[nSrc:]
		switch {
		case err == nil:
			return dst
		case errors.Is(err, transform.ErrShortDst) && nDst == 0 && nSrc == 0:
			dst = append(make([]byte, 0, 2*cap(dst)+16), dst...)
		case errors.Is(err, transform.ErrShortDst):
		default: // a character the charset cannot represent
			_, size := utf8.DecodeRune(text)
			dst = append(dst, c.repl...)
			text = text[max(size, 1):]
			e.enc.Reset()
			if len(text) == 0 {
				return dst
			}
		}
	}
}
