package syslog

import (
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// charset decodes the lines of multiport_syslogtcp strictly, as a Java
// CharsetDecoder does by default (malformed input is an error, and the
// line becomes an Invalid event of its raw bytes), and encodes event bodies
// back.
type charset struct {
	name   string
	decode func([]byte) (string, error)
	encode func(string) []byte
}

var errMalformed = errors.New("malformed input for the charset")

// lookupCharset returns the charset Java's Charset.forName(name) names:
// UTF-8, US-ASCII, ISO-8859-1, UTF-16, UTF-16BE, UTF-16LE under their
// usual aliases, or any other charset IANA names (decoded with replacement
// of malformed input: flumego cannot tell it from valid input there).
func lookupCharset(name string) (charset, error) {
	n := strings.ToUpper(strings.TrimSpace(name))
	switch strings.ReplaceAll(n, "_", "-") {
	case "UTF-8", "UTF8":
		return charset{name: "UTF-8", decode: decodeUTF8Strict, encode: func(s string) []byte { return []byte(s) }}, nil
	case "US-ASCII", "ASCII", "ISO646-US", "646":
		return charset{name: "US-ASCII", decode: decodeASCII, encode: func(s string) []byte { return []byte(s) }}, nil
	case "ISO-8859-1", "ISO8859-1", "8859-1", "LATIN1", "L1", "ISO-LATIN-1", "CP819", "IBM819":
		return charset{name: "ISO-8859-1", decode: decodeLatin1, encode: encodeLatin1}, nil
	case "UTF-16":
		return utf16Charset("UTF-16", unicode.BigEndian, true), nil
	case "UTF-16BE", "UNICODEBIGUNMARKED", "X-UTF-16BE":
		return utf16Charset("UTF-16BE", unicode.BigEndian, false), nil
	case "UTF-16LE", "UNICODELITTLEUNMARKED", "X-UTF-16LE":
		return utf16Charset("UTF-16LE", unicode.LittleEndian, false), nil
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		return charset{}, errors.New("unknown or unsupported charset")
	}
	canonical, _ := ianaindex.IANA.Name(enc)
	return charset{name: canonical,
		decode: func(b []byte) (string, error) {
			s, err := enc.NewDecoder().Bytes(b)
			return string(s), err
		},
		encode: func(s string) []byte {
			b, err := encoding.ReplaceUnsupported(enc.NewEncoder()).Bytes([]byte(s))
			if err != nil {
				return []byte(s)
			}
			return b
		}}, nil
}

func decodeUTF8Strict(b []byte) (string, error) {
	if !utf8.Valid(b) {
		return "", errMalformed
	}
	// utf8.Valid accepts no surrogates; Java's decoder agrees.
	return string(b), nil
}

func decodeASCII(b []byte) (string, error) {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return "", errMalformed
		}
	}
	return string(b), nil
}

func decodeLatin1(b []byte) (string, error) {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), nil
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String(), nil
}

func encodeLatin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			r = '?'
		}
		out = append(out, byte(r))
	}
	return out
}

// utf16Charset decodes strictly (an odd byte or an unpaired surrogate is
// malformed); Java's "UTF-16" follows a byte-order mark, defaults to
// big-endian, and encodes with a big-endian mark.
func utf16Charset(name string, order unicode.Endianness, mark bool) charset {
	return charset{name: name,
		decode: func(b []byte) (string, error) {
			big := order == unicode.BigEndian
			if mark && len(b) >= 2 {
				switch {
				case b[0] == 0xfe && b[1] == 0xff:
					b = b[2:]
				case b[0] == 0xff && b[1] == 0xfe:
					big, b = false, b[2:]
				}
			}
			if len(b)%2 != 0 {
				return "", errMalformed
			}
			units := make([]uint16, len(b)/2)
			for i := range units {
				if big {
					units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
				} else {
					units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
				}
			}
			for i := 0; i < len(units); i++ {
				u := units[i]
				switch {
				case u >= 0xd800 && u < 0xdc00:
					if i+1 >= len(units) || units[i+1] < 0xdc00 || units[i+1] > 0xdfff {
						return "", errMalformed
					}
					i++
				case u >= 0xdc00 && u <= 0xdfff:
					return "", errMalformed
				}
			}
			return string(utf16.Decode(units)), nil
		},
		encode: func(s string) []byte {
			b, _ := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
			if mark && len(s) > 0 {
				b = append([]byte{0xfe, 0xff}, b...)
			}
			return b
		}}
}
