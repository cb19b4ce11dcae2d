package interceptor

import (
	"fmt"
	"strings"
	"time"
)

// jodaLayout is a Joda-Time DateTimeFormat pattern (what Flume's
// RegexExtractorInterceptorMillisSerializer takes) translated to a Go time
// layout. Only what a Go layout can parse is accepted; anything else is an
// error naming the pattern letter, so a pattern is never half understood.
//
// Supported: y yyyy (year; yy two-digit with Joda's pivot: the century that
// puts the year within 80 years before and 19 after the current one), M MM
// MMM MMMM, d dd, DDD, H HH, h hh, m mm, s ss, S... after '.' or ',', a,
// E EEE EEEE, Z (+0100) and ZZ (+01:00), quoted text ('T', ” for a quote)
// and punctuation. Rejected: z and ZZZ (zone names and ids), k K (other
// hour fields), w x e (week dates), G C (era, century), a lone D or DD, and
// literal text that a Go layout would read as a field (digits, "Jan",
// "PM", ...).
//
// As in Joda, fields missing from the pattern default to 1970-01-01
// 00:00:00.000, and a pattern without a zone is read in the local zone.
type jodaLayout struct {
	pattern      string
	layout       string
	hasYear      bool
	twoDigitYear bool
}

type chunk struct {
	text    string
	literal bool
}

func translateJoda(pattern string) (jodaLayout, error) {
	j := jodaLayout{pattern: pattern}
	if pattern == "" {
		return j, fmt.Errorf("empty date pattern")
	}
	bad := func(format string, args ...any) (jodaLayout, error) {
		return j, fmt.Errorf("date pattern %q: %s", pattern, fmt.Sprintf(format, args...))
	}
	var chunks []chunk
	lit := func(s string) {
		if n := len(chunks); n > 0 && chunks[n-1].literal {
			chunks[n-1].text += s
			return
		}
		chunks = append(chunks, chunk{text: s, literal: true})
	}
	r := []rune(pattern)
	for i := 0; i < len(r); {
		c := r[i]
		if c == '\'' {
			if i+1 < len(r) && r[i+1] == '\'' {
				lit("'")
				i += 2
				continue
			}
			var b strings.Builder
			k := i + 1
			for ; k < len(r); k++ {
				if r[k] == '\'' {
					if k+1 < len(r) && r[k+1] == '\'' {
						b.WriteRune('\'')
						k++
						continue
					}
					break
				}
				b.WriteRune(r[k])
			}
			if k >= len(r) {
				return bad("unterminated quoted text")
			}
			lit(b.String())
			i = k + 1
			continue
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			lit(string(c))
			i++
			continue
		}
		n := 1
		for i+n < len(r) && r[i+n] == c {
			n++
		}
		i += n
		var tok string
		switch c {
		case 'y', 'Y':
			j.hasYear = true
			if n == 2 {
				tok, j.twoDigitYear = "06", true
			} else {
				tok = "2006"
			}
		case 'M':
			switch {
			case n <= 2:
				tok = "1"
			case n == 3:
				tok = "Jan"
			default:
				tok = "January"
			}
		case 'd':
			if n > 2 {
				return bad("%s is not a day-of-month field (use d or dd)", strings.Repeat("d", n))
			}
			tok = "2"
		case 'D':
			if n != 3 {
				return bad("day of year must be written DDD to be parsed (three digits)")
			}
			tok = "002"
		case 'H':
			tok = "15"
		case 'h':
			tok = "3"
		case 'm':
			tok = "4"
		case 's':
			tok = "5"
		case 'S':
			last := len(chunks) - 1
			if last < 0 || !chunks[last].literal || !strings.HasSuffix(chunks[last].text, ".") && !strings.HasSuffix(chunks[last].text, ",") {
				return bad("fraction of second (S) can be parsed only right after '.' or ','")
			}
			sep := chunks[last].text[len(chunks[last].text)-1:]
			chunks[last].text = chunks[last].text[:len(chunks[last].text)-1]
			if chunks[last].text == "" {
				chunks = chunks[:last]
			}
			tok = sep + "999999999"
		case 'a':
			tok = "PM"
		case 'E':
			if n <= 3 {
				tok = "Mon"
			} else {
				tok = "Monday"
			}
		case 'Z':
			switch n {
			case 1:
				tok = "Z0700"
			case 2:
				tok = "Z07:00"
			default:
				return bad("time zone ids (ZZZ) cannot be parsed by a Go layout")
			}
		case 'z':
			return bad("time zone names (z) cannot be parsed (Joda-Time cannot parse them either)")
		case 'k', 'K':
			return bad("hour field %c is not supported (use H for 0-23 or h for 1-12)", c)
		case 'w', 'x', 'e':
			return bad("week-based fields (%c) are not supported", c)
		case 'G', 'C':
			return bad("era and century fields (%c) are not supported", c)
		default:
			return bad("illegal pattern letter %c", c)
		}
		chunks = append(chunks, chunk{text: tok})
	}
	// Go layouts have no escapes: make sure every literal stays literal and
	// no two fields run together into a different field. Formatting the
	// whole layout must give the concatenation of formatting each piece.
	refs := []time.Time{
		time.Date(2031, 11, 23, 19, 47, 58, 123456789, time.FixedZone("", 5*3600+30*60)),
		time.Date(1987, 4, 9, 6, 8, 7, 5000000, time.FixedZone("", -8*3600)),
	}
	var layout strings.Builder
	for _, ch := range chunks {
		layout.WriteString(ch.text)
		if ch.literal && refs[0].Format(ch.text) != ch.text {
			return bad("literal text %q would be read as a date field by a Go layout (quote-free digits or names like Jan, Mon, PM are not supported)", ch.text)
		}
	}
	j.layout = layout.String()
	for _, ref := range refs {
		var want strings.Builder
		for _, ch := range chunks {
			want.WriteString(ref.Format(ch.text))
		}
		if ref.Format(j.layout) != want.String() {
			return bad("fields run together in a way a Go layout cannot parse (translated to %q)", j.layout)
		}
	}
	return j, nil
}

// parse reads value as Joda's parseDateTime would, in loc unless the value
// carries an offset; now supplies the pivot for two-digit years.
func (j jodaLayout) parse(value string, loc *time.Location, now time.Time) (time.Time, error) {
	t, err := time.ParseInLocation(j.layout, value, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q does not match date pattern %q", value, j.pattern)
	}
	year := t.Year()
	switch {
	case !j.hasYear:
		year = 1970
	case j.twoDigitYear:
		lo := now.In(loc).Year() - 80 // Joda: pivot (current year - 30) ± 50
		year = lo + ((year%100-lo%100)%100+100)%100
	default:
		return t, nil
	}
	d := time.Date(year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if d.Day() != t.Day() {
		return time.Time{}, fmt.Errorf("%q: day %d does not exist in %d (date pattern %q)", value, t.Day(), year, j.pattern)
	}
	return d, nil
}
