package datahub

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// dateFormat parses dates written in a java.text.SimpleDateFormat pattern,
// for the 1.x plugin's dateformat.columns: the numeric fields y, M, d, H, k,
// h, K, m, s, S plus a (AM/PM) and quoted or non-letter literals. Like
// SimpleDateFormat.parse it is lenient (out-of-range fields roll over),
// reads in the local time zone, and ignores text after the pattern. Text
// fields (month and day names) and zones are rejected when the pattern is
// compiled.
type dateFormat struct {
	tokens []dateToken
}

type dateToken struct {
	letter  byte // 0 for a literal
	width   int
	literal string
}

func compileDateFormat(pattern string) (*dateFormat, error) {
	var f dateFormat
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			j := i + 1
			var lit strings.Builder
			for {
				if j >= len(pattern) {
					return nil, fmt.Errorf("date format %q: unterminated quote", pattern)
				}
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						lit.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				lit.WriteByte(pattern[j])
				j++
			}
			if i+1 == j { // '' is a quote
				lit.WriteByte('\'')
			}
			f.tokens = append(f.tokens, dateToken{literal: lit.String()})
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(pattern) && pattern[j] == c {
				j++
			}
			switch c {
			case 'y', 'd', 'H', 'k', 'h', 'K', 'm', 's', 'S', 'a':
			case 'M':
				if j-i > 2 {
					return nil, fmt.Errorf("date format %q: month names (MMM) are %s", pattern, "not supported")
				}
			default:
				return nil, fmt.Errorf("date format %q: pattern letter %q is not supported (supported: y M d H k h K m s S a)", pattern, c)
			}
			f.tokens = append(f.tokens, dateToken{letter: c, width: j - i})
			i = j
		default:
			f.tokens = append(f.tokens, dateToken{literal: string(c)})
			i++
		}
	}
	return &f, nil
}

var errDate = errors.New("does not match the date format")

// parse returns the date's milliseconds since the epoch.
func (f *dateFormat) parse(s string, loc *time.Location, now time.Time) (int64, error) {
	year, month, day := 1970, 1, 1
	hour, minute, sec, milli := 0, 0, 0, 0
	pm, hour12 := -1, false
	pos := 0
	for i, t := range f.tokens {
		if t.letter == 0 {
			if !strings.HasPrefix(s[pos:], t.literal) {
				return 0, errDate
			}
			pos += len(t.literal)
			continue
		}
		if t.letter == 'a' {
			switch {
			case strings.HasPrefix(strings.ToUpper(s[pos:]), "AM"):
				pm = 0
			case strings.HasPrefix(strings.ToUpper(s[pos:]), "PM"):
				pm = 1
			default:
				return 0, errDate
			}
			pos += 2
			continue
		}
		// A numeric field followed by another numeric field takes exactly
		// its pattern width; otherwise as many digits as there are.
		maxDigits := 10
		if i+1 < len(f.tokens) && f.tokens[i+1].letter != 0 && f.tokens[i+1].letter != 'a' {
			maxDigits = t.width
		}
		neg := false
		if t.letter == 'y' && pos < len(s) && s[pos] == '-' {
			neg = true
			pos++
		}
		start := pos
		v := 0
		for pos < len(s) && pos-start < maxDigits && s[pos] >= '0' && s[pos] <= '9' {
			v = v*10 + int(s[pos]-'0')
			pos++
		}
		if pos == start {
			return 0, errDate
		}
		if neg {
			v = -v
		}
		switch t.letter {
		case 'y':
			if t.width <= 2 && pos-start == 2 && !neg {
				// Two-digit year: within 80 years before and 20 after now.
				base := now.Year() - 80
				v += base - base%100
				if v < base {
					v += 100
				}
			}
			year = v
		case 'M':
			month = v
		case 'd':
			day = v
		case 'H':
			hour = v
		case 'k': // 1-24
			hour = v % 24
		case 'h': // 1-12
			hour, hour12 = v%12, true
		case 'K': // 0-11
			hour, hour12 = v, true
		case 'm':
			minute = v
		case 's':
			sec = v
		case 'S':
			milli = v
		}
	}
	if pm == 1 && hour12 {
		hour += 12
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)
	return t.UnixMilli() + int64(milli), nil
}
