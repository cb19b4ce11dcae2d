package datahub

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flumego/flume"
)

// Column types of a tuple topic that the sink can fill.
const (
	typeString    = "STRING"
	typeBigint    = "BIGINT"
	typeTimestamp = "TIMESTAMP"
	typeDouble    = "DOUBLE"
	typeBoolean   = "BOOLEAN"
	typeDecimal   = "DECIMAL"
	typeInteger   = "INTEGER"
	typeFloat     = "FLOAT"
	typeTinyint   = "TINYINT"
	typeSmallint  = "SMALLINT"
	typeJSON      = "JSON"
)

func knownType(t string) bool {
	switch t {
	case typeString, typeBigint, typeTimestamp, typeDouble, typeBoolean, typeDecimal,
		typeInteger, typeFloat, typeTinyint, typeSmallint, typeJSON:
		return true
	}
	return false
}

// javaTrim is Java's String.trim: it removes every char <= ' ' at both ends.
func javaTrim(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}

var errNotNumber = errors.New("not a number")

// formatValue turns the text of a column into the text DataHub receives,
// parsing it as the Java plugin does (Long.parseLong, Double.parseDouble,
// Boolean.parseBoolean, new BigDecimal, ...) and formatting it as the Java
// SDK does (String.valueOf, BigDecimal.toPlainString). Unlike the plugin,
// a TINYINT or SMALLINT out of range is an error instead of being silently
// truncated.
func formatValue(typ, s string) (string, error) {
	switch typ {
	case typeString:
		return s, nil
	case typeJSON:
		if !json.Valid([]byte(s)) {
			return "", errors.New("not valid JSON")
		}
		return s, nil
	case typeBigint, typeTimestamp:
		return formatInt(s, 64)
	case typeInteger:
		return formatInt(s, 32)
	case typeSmallint:
		return formatInt(s, 16)
	case typeTinyint:
		return formatInt(s, 8)
	case typeBoolean:
		if strings.EqualFold(s, "true") {
			return "true", nil
		}
		return "false", nil
	case typeDouble:
		f, err := parseJavaFloat(s, 64)
		if err != nil {
			return "", err
		}
		return formatJava(s, f, 64), nil
	case typeFloat:
		f, err := parseJavaFloat(s, 32)
		if err != nil {
			return "", err
		}
		return formatJava(s, float64(float32(f)), 32), nil
	case typeDecimal:
		return plainDecimal(s)
	}
	return "", errors.New("unsupported column type " + typ)
}

// formatInt parses a Java integer (optional sign, decimal digits, which
// Java takes from any script) of the given width and returns it in
// canonical form.
func formatInt(s string, bits int) (string, error) {
	if !isASCII(s) {
		s = asciiDigits(s)
	}
	v, err := flume.ParseJavaInt(s, bits)
	if err != nil || s != javaTrim(s) {
		if err == nil {
			err = errNotNumber
		}
		return "", err
	}
	// Keep the text when it is already canonical (the common case).
	if s[0] != '+' && (len(s) == 1 || (s[0] != '0' && !(s[0] == '-' && (s[1] == '0')))) {
		return s, nil
	}
	return strconv.FormatInt(v, 10), nil
}

// parseJavaFloat accepts what Double.parseDouble accepts (for the values
// the sink sees): decimal and hexadecimal forms with an optional f/F/d/D
// suffix, "NaN" and "Infinity" with an optional sign. Overflow gives an
// infinity, as in Java.
func parseJavaFloat(s string, bits int) (float64, error) {
	s = javaTrim(s) // Double.parseDouble trims
	if s == "" {
		return 0, errNotNumber
	}
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return 0, errNotNumber
	}
	neg := s[0] == '-'
	switch body {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		if neg {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	}
	if n := len(body); n > 1 && strings.ContainsRune("fFdD", rune(body[n-1])) && (!isHex(body) || strings.ContainsAny(body, "pP")) {
		body = body[:n-1]
		s = s[:len(s)-1]
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' ||
			(isHex(body) && (c == 'x' || c == 'X' || c == 'p' || c == 'P' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'))) {
			return 0, errNotNumber
		}
	}
	if isHex(body) && !strings.ContainsAny(body, "pP") {
		return 0, errNotNumber // Java requires the binary exponent
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errNotNumber
	}
	return f, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiDigits replaces the decimal digits of other scripts (Unicode Nd,
// which Java's Character.digit accepts) by ASCII digits.
func asciiDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= utf8.RuneSelf && unicode.IsDigit(r) {
			r = '0' + rune(digitValue(r))
		}
		b.WriteRune(r)
	}
	return b.String()
}

// digitValue is the value of a Unicode decimal digit: its distance from the
// zero of its run of ten (the mathematical digits are five runs in a row).
func digitValue(r rune) int {
	if r >= 0x1D7CE && r <= 0x1D7FF {
		return int(r-0x1D7CE) % 10
	}
	k := 0
	for k < 9 && unicode.IsDigit(r-rune(k)-1) {
		k++
	}
	return k
}

func isHex(s string) bool {
	return len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
}

// javaFloat formats f as Java's Float.toString does.
func javaFloat(f float32) string { return string(appendJava(nil, float64(f), 32)) }

// javaDouble formats f as Java's Double.toString does.
func javaDouble(f float64) string { return string(appendJava(nil, f, 64)) }

// formatJava formats f as Java's Double.toString (bits 64) or
// Float.toString (bits 32) does, returning in itself when it is already
// written that way (no allocation in the common case).
func formatJava(in string, f float64, bits int) string {
	var buf [40]byte
	b := appendJava(buf[:0], f, bits)
	if string(b) == in {
		return in
	}
	return string(b)
}

// appendJava appends f in Java's Double/Float.toString form: plain digits
// for magnitudes in [1e-3, 1e7), computerized scientific notation (1.0E7)
// otherwise, always with a fraction digit; the shortest digits that read
// back to f (as JDK 19 and later print them).
func appendJava(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-3 && abs < 1e7) {
		start := len(b)
		b = strconv.AppendFloat(b, f, 'f', -1, bits)
		for _, c := range b[start:] {
			if c == '.' {
				return b
			}
		}
		return append(b, ".0"...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'e', -1, bits) // 1.5e+07, 1e-05
	e := start
	for b[e] != 'e' {
		e++
	}
	var exp [8]byte
	n := copy(exp[:], b[e+1:])
	b = b[:e]
	if bytes.IndexByte(b[start:], '.') < 0 {
		b = append(b, ".0"...)
	}
	b = append(b, 'E')
	x := exp[:n]
	if x[0] == '-' {
		b = append(b, '-')
	}
	x = x[1:] // sign
	for len(x) > 1 && x[0] == '0' {
		x = x[1:]
	}
	return append(b, x...)
}

// maxDecimalLen bounds the text of a DECIMAL value (1e999999999 would
// otherwise expand to a gigabyte).
const maxDecimalLen = 400

// plainDecimal parses new BigDecimal(s) syntax and returns
// BigDecimal.toPlainString().
func plainDecimal(s string) (string, error) {
	if s == "" {
		return "", errNotNumber
	}
	neg := false
	i := 0
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	var intPart, frac string
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	intPart = s[i:j]
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		frac = s[j+1 : k]
		j = k
	}
	if intPart == "" && frac == "" {
		return "", errNotNumber
	}
	exp := 0
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		e, err := strconv.ParseInt(s[j+1:], 10, 32)
		if err != nil {
			return "", errNotNumber
		}
		exp = int(e)
		j = len(s)
	}
	if j != len(s) {
		return "", errNotNumber
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	scale := len(frac) - exp
	if digits == "" {
		digits, neg = "0", false
	}
	if scale > maxDecimalLen || -scale > maxDecimalLen || len(digits) > maxDecimalLen {
		return "", errors.New("decimal too large")
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case scale <= 0:
		b.WriteString(digits)
		if digits != "0" {
			b.WriteString(strings.Repeat("0", -scale))
		}
	case len(digits) > scale:
		b.WriteString(digits[:len(digits)-scale])
		b.WriteByte('.')
		b.WriteString(digits[len(digits)-scale:])
	default:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", scale-len(digits)))
		b.WriteString(digits)
	}
	return b.String(), nil
}

// javaStringHash is Java's String.hashCode over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}
