package javatext

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Charset is one of the charsets the JSON handler of Flume's HTTP source
// accepts.
type Charset uint8

// The charsets, by Java's names.
const (
	UTF8 Charset = iota
	UTF16
	UTF32
)

// String returns Java's name of the charset.
func (c Charset) String() string {
	switch c {
	case UTF16:
		return "UTF-16"
	case UTF32:
		return "UTF-32"
	}
	return "UTF-8"
}

// Surrogate is what the JDK's encoder writes for an unpaired surrogate in
// c: '?' in UTF-8, U+FFFD in UTF-16 and UTF-32. A decoder of Java escapes
// puts it in the text in place of the surrogate.
func (c Charset) Surrogate() rune {
	if c == UTF8 {
		return '?'
	}
	return utf8.RuneError
}

// Decode returns b as text, as new String(b, c) does.
func Decode(c Charset, b []byte) string {
	switch c {
	case UTF16:
		return decodeUTF16(b)
	case UTF32:
		return decodeUTF32(b)
	}
	return DecodeUTF8(b)
}

// Encode returns s in c, as s.getBytes(c) does: "UTF-16" with a big-endian
// byte-order mark (none for empty text), "UTF-32" big-endian without one.
func Encode(c Charset, s string) []byte {
	switch c {
	case UTF16:
		if s == "" {
			return []byte{}
		}
		units := utf16.Encode([]rune(s))
		out := make([]byte, 2+2*len(units))
		out[0], out[1] = 0xfe, 0xff
		for i, u := range units {
			binary.BigEndian.PutUint16(out[2+2*i:], u)
		}
		return out
	case UTF32:
		out := make([]byte, 0, 4*utf8.RuneCountInString(s))
		for _, r := range s {
			out = binary.BigEndian.AppendUint32(out, uint32(r))
		}
		return out
	}
	return []byte(s)
}

// DecodeUTF8 returns b as text, as new String(b, UTF_8) does: valid input
// unchanged, each malformed sequence replaced by one U+FFFD.
func DecodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(AppendUTF8(make([]byte, 0, len(b)+8), b))
}

// AppendUTF8 appends b to dst with each malformed UTF-8 sequence replaced
// by one U+FFFD, delimited as the JDK's decoder delimits them.
func AppendUTF8(dst, b []byte) []byte {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			dst = append(dst, b[0])
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			dst = append(dst, b[:n]...)
			b = b[n:]
			continue
		}
		n = malformedLen(b)
		dst = utf8.AppendRune(dst, utf8.RuneError)
		b = b[n:]
	}
	return dst
}

func isCont(c byte) bool { return c&0xc0 == 0x80 }

// malformedLen is the length of the malformed sequence at the start of b
// (which does not start with a valid character) as the JDK's UTF-8 decoder
// counts it: a lead byte and the continuation bytes that could still have
// belonged to it, an encoded surrogate as a whole.
func malformedLen(b []byte) int {
	b0 := b[0]
	switch {
	case b0 >= 0xc2 && b0 <= 0xdf: // two bytes; the second is bad or missing
		return 1
	case b0 >= 0xe0 && b0 <= 0xef:
		if len(b) < 2 {
			return 1
		}
		if (b0 == 0xe0 && b[1]&0xe0 == 0x80) || !isCont(b[1]) {
			return 1
		}
		if len(b) < 3 {
			return 2 // a truncated sequence at the end: one replacement
		}
		if !isCont(b[2]) {
			return 2
		}
		return 3 // an encoded surrogate (ED A0..BF xx)
	case b0 >= 0xf0 && b0 <= 0xf7:
		if len(b) < 2 {
			return 1
		}
		b1 := b[1]
		if b0 > 0xf4 || (b0 == 0xf0 && (b1 < 0x90 || b1 > 0xbf)) || (b0 == 0xf4 && b1&0xf0 != 0x80) || !isCont(b1) {
			return 1
		}
		if len(b) < 3 || !isCont(b[2]) {
			return 2
		}
		return 3 // the fourth byte is bad or missing
	}
	return 1
}

func decodeUTF16(b []byte) string {
	order := binary.ByteOrder(binary.BigEndian)
	if len(b) >= 2 {
		switch {
		case b[0] == 0xfe && b[1] == 0xff:
			b = b[2:]
		case b[0] == 0xff && b[1] == 0xfe:
			order, b = binary.LittleEndian, b[2:]
		}
	}
	var sb strings.Builder
	sb.Grow(len(b) / 2)
	for len(b) >= 2 {
		u := order.Uint16(b)
		b = b[2:]
		switch {
		case !utf16.IsSurrogate(rune(u)):
			sb.WriteRune(rune(u))
		case u < 0xdc00 && len(b) >= 2:
			// A high surrogate and the unit after it: a pair, or one
			// malformed sequence of four bytes, as the JDK counts it.
			if lo := order.Uint16(b); lo >= 0xdc00 && lo <= 0xdfff {
				sb.WriteRune(utf16.DecodeRune(rune(u), rune(lo)))
			} else {
				sb.WriteRune(utf8.RuneError)
			}
			b = b[2:]
		case u < 0xdc00:
			// A high surrogate at the end: it and an odd last byte are
			// one malformed sequence.
			sb.WriteRune(utf8.RuneError)
			return sb.String()
		default:
			sb.WriteRune(utf8.RuneError)
		}
	}
	if len(b) > 0 {
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String()
}

func decodeUTF32(b []byte) string {
	order := binary.ByteOrder(binary.BigEndian)
	if len(b) >= 4 {
		switch v := binary.BigEndian.Uint32(b); v {
		case 0x0000feff:
			b = b[4:]
		case 0xfffe0000:
			order, b = binary.LittleEndian, b[4:]
		}
	}
	var sb strings.Builder
	sb.Grow(len(b) / 4)
	for len(b) >= 4 {
		r := order.Uint32(b)
		b = b[4:]
		if r > utf8.MaxRune || (r >= 0xd800 && r <= 0xdfff) {
			sb.WriteRune(utf8.RuneError)
			continue
		}
		sb.WriteRune(rune(r))
	}
	if len(b) > 0 {
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String()
}
