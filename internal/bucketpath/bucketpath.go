package bucketpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume/internal/localhost"
)

// Headers is how a pattern reads an event's headers: flume.Event and
// MapHeaders have this method.
type Headers interface {
	Header(name string) (string, bool)
}

// MapHeaders adapts a header map to Headers.
type MapHeaders map[string]string

// Header returns the value of header name and whether it is set.
func (m MapHeaders) Header(name string) (string, bool) {
	v, ok := m[name]
	return v, ok
}

type partKind uint8

const (
	literal    partKind = iota
	header              // %{name}
	static              // %[localhost], %[ip], %[fqdn]
	timeEscape          // %x and %%
)

type part struct {
	kind partKind
	c    byte   // timeEscape: the escape character
	text string // literal: the text; header: the name; static: the lower-case name
}

// Pattern is a parsed escape string. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src       string
	parts     []part
	needsTime bool
}

// Parse parses s for Flume's escapes. The only error is a %[name] that is
// not localhost, IP or FQDN (Flume fails every event then).
func Parse(s string) (*Pattern, error) {
	p := &Pattern{src: s}
	lit := func(t string) {
		if t == "" {
			return
		}
		if n := len(p.parts); n > 0 && p.parts[n-1].kind == literal {
			p.parts[n-1].text += t
			return
		}
		p.parts = append(p.parts, part{kind: literal, text: t})
	}
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '%')
		if j < 0 {
			lit(s[i:])
			break
		}
		lit(s[i : i+j])
		i += j
		rest := s[i+1:]
		switch {
		case rest != "" && (isWord(rest[0]) || rest[0] == '%'):
			p.parts = append(p.parts, part{kind: timeEscape, c: rest[0]})
			p.needsTime = true
			i += 2
			continue
		case strings.HasPrefix(rest, "{"):
			if end := strings.IndexByte(rest, '}'); end > 1 && allChars(rest[1:end], isHeaderChar) {
				p.parts = append(p.parts, part{kind: header, text: rest[1:end]})
				i += end + 2
				continue
			}
		case strings.HasPrefix(rest, "["):
			if end := strings.IndexByte(rest, ']'); end > 1 && allChars(rest[1:end], isWord) {
				name := rest[1:end]
				switch strings.ToLower(name) {
				case "localhost", "ip", "fqdn":
				default:
					return nil, fmt.Errorf("the static escape %%[%s] does not match any of (localhost,IP,FQDN)", name)
				}
				p.parts = append(p.parts, part{kind: static, text: strings.ToLower(name)})
				i += end + 2
				continue
			}
		}
		lit("%")
		i++
	}
	return p, nil
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isHeaderChar(c byte) bool { return isWord(c) || c == '.' || c == '-' }

func allChars(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Literal returns the text of a pattern without escapes, and whether it is
// one.
func (p *Pattern) Literal() (string, bool) {
	switch {
	case len(p.parts) == 0:
		return "", true
	case len(p.parts) == 1 && p.parts[0].kind == literal:
		return p.parts[0].text, true
	}
	return "", false
}

// NeedsTime reports whether expanding the pattern needs a Time: whether
// it has a %<char> escape.
func (p *Pattern) NeedsTime() bool { return p.needsTime }

// Headers returns the names of the headers the pattern reads.
func (p *Pattern) Headers() []string {
	var names []string
	for _, pt := range p.parts {
		if pt.kind == header {
			names = append(names, pt.text)
		}
	}
	return names
}

// Expand appends the pattern expanded for an event to dst. t is the
// event's time (Options.At); it is read only when NeedsTime, and may be
// nil otherwise.
func Expand[H Headers](dst []byte, p *Pattern, h H, t *Time) []byte {
	for _, pt := range p.parts {
		switch pt.kind {
		case literal:
			dst = append(dst, pt.text...)
		case header:
			v, _ := h.Header(pt.text)
			dst = append(dst, v...)
		case static:
			dst = append(dst, Host(pt.text)...)
		case timeEscape:
			dst = t.appendEscape(dst, pt.c)
		}
	}
	return dst
}

// Host returns this host's name ("localhost"), address ("ip") or canonical
// name ("fqdn"), looked up once per process (see internal/localhost).
func Host(key string) string {
	info := localhost.Get()
	switch strings.ToLower(key) {
	case "localhost":
		return info.Name
	case "ip":
		return info.IP
	}
	return info.CanonicalName
}

var (
	// ErrNoTimestamp is At's error for an event without a timestamp
	// header.
	ErrNoTimestamp = errors.New("the event has no timestamp header (epoch milliseconds; add a timestamp interceptor or set useLocalTimeStamp)")
	// ErrBadTimestamp is At's error for a timestamp header that is not
	// epoch milliseconds.
	ErrBadTimestamp = errors.New("the timestamp header is not epoch milliseconds")
)

// Unit is the unit hdfs.roundUnit rounds times down to.
type Unit uint8

// Rounding units; NoRounding leaves times as they are.
const (
	NoRounding Unit = iota
	Second
	Minute
	Hour
)

// Options say how the time of an event is worked out.
type Options struct {
	// Location is the time zone of the time escapes; nil is time.Local.
	Location *time.Location
	// Round and RoundValue round times down to a multiple of RoundValue
	// units of the clock in Location (10 minutes: 12:37 → 12:30).
	Round      Unit
	RoundValue int
	// UseLocalTimeStamp makes every event's time the agent's clock
	// instead of its timestamp header.
	UseLocalTimeStamp bool
}

// Time is the instant an event's time escapes format, with its calendar
// fields worked out once. The zero value is not valid: use Options.At.
type Time struct {
	t                   time.Time // rounded, in the location
	raw                 string    // %t
	year, yday          int
	month               time.Month
	day, hour, min, sec int
	weekday             time.Weekday
}

// At returns the time of an event whose timestamp header is value
// (present says whether the header is set), or of now (epoch
// milliseconds) when UseLocalTimeStamp is set.
func (o *Options) At(value string, present bool, now int64) (Time, error) {
	if o.UseLocalTimeStamp {
		return o.at(now, ""), nil
	}
	if !present {
		return Time{}, ErrNoTimestamp
	}
	v, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return Time{}, fmt.Errorf("%w: %q", ErrBadTimestamp, value)
	}
	return o.at(v, value), nil
}

// AtMillis returns the time of epoch milliseconds ms (for %t as well).
func (o *Options) AtMillis(ms int64) Time { return o.at(ms, "") }

// Cache remembers the calendar fields of the last second At worked out:
// the events of a batch mostly share their second, and everything but %t
// depends on the second alone (rounding included). The zero value is
// ready; a Cache is used by one goroutine.
type Cache struct {
	sec int64
	ok  bool
	t   Time
}

// AtCached is At with c remembering the last second's fields.
func (o *Options) AtCached(c *Cache, value string, present bool, now int64) (Time, error) {
	ms, raw := now, ""
	if !o.UseLocalTimeStamp {
		if !present {
			return Time{}, ErrNoTimestamp
		}
		v, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return Time{}, fmt.Errorf("%w: %q", ErrBadTimestamp, value)
		}
		ms, raw = v, value
	}
	if ms < 0 { // Java's %s truncates towards zero: keep it simple
		return o.at(ms, raw), nil
	}
	sec := ms / 1000
	if !c.ok || c.sec != sec {
		c.t, c.sec, c.ok = o.at(sec*1000, ""), sec, true
	}
	t := c.t
	t.raw = raw
	if raw == "" {
		t.raw = strconv.FormatInt(ms, 10)
	}
	return t, nil
}

// at returns the time of ms; raw is the text of %t ("" prints ms).
func (o *Options) at(ms int64, raw string) Time {
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	t := time.UnixMilli(ms).In(loc)
	if o.Round != NoRounding {
		t = roundDown(t, o.Round, max(o.RoundValue, 1))
	}
	tm := Time{t: t, raw: raw}
	if raw == "" {
		tm.raw = strconv.FormatInt(ms, 10)
	}
	tm.year, tm.month, tm.day = t.Date()
	tm.hour, tm.min, tm.sec = t.Clock()
	tm.yday = t.YearDay()
	tm.weekday = t.Weekday()
	return tm
}

// Millis returns the (rounded) time in epoch milliseconds.
func (t *Time) Millis() int64 { return t.t.UnixMilli() }

// roundDown sets the field of unit to the largest multiple of v not above
// it and clears the smaller fields, on the clock of t's location, as
// Flume's TimestampRoundDownUtil does with a Calendar.
func roundDown(t time.Time, unit Unit, v int) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	switch unit {
	case Second:
		s -= s % v
	case Minute:
		mi, s = mi-mi%v, 0
	case Hour:
		h, mi, s = h-h%v, 0, 0
	}
	return javaDate(y, mo, d, h, mi, s, t.Location())
}

// javaDate is time.Date as a lenient java.util.Calendar resolves wall
// clocks that daylight saving changes skip or repeat: a skipped time is
// read with the offset before the change (02:30 in a gap from 02:00 to
// 03:00 is 03:30), a repeated one as the later instant. time.Date reads
// both the other way.
func javaDate(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, h, mi, s, 0, loc)
	gh, gmi, gs := t.Clock()
	if gh != h || gmi != mi || gs != s { // skipped: move forward by the gap
		want := time.Date(y, mo, d, h, mi, s, 0, time.UTC)
		gy, gmo, gd := t.Date()
		got := time.Date(gy, gmo, gd, gh, gmi, gs, 0, time.UTC)
		return t.Add(want.Sub(got))
	}
	return laterIfRepeated(t)
}

// laterIfRepeated returns the later of the two instants a wall-clock time
// names in the hour a daylight saving change repeats: time.Date may pick
// either, java.util.Calendar (and so Flume) picks the later one.
func laterIfRepeated(t time.Time) time.Time {
	_, off := t.Zone()
	if _, later := t.Add(3 * time.Hour).Zone(); later >= off {
		return t
	}
	for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if u := t.Add(d); sameWallClock(t, u) {
			return u
		}
	}
	return t
}

func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ah, ami, as := a.Clock()
	bh, bmi, bs := b.Clock()
	return ay == by && am == bm && ad == bd && ah == bh && ami == bmi && as == bs
}

// appendEscape appends the expansion of %c, as Flume's SimpleDateFormat
// patterns print it (English names).
func (t *Time) appendEscape(dst []byte, c byte) []byte {
	tm := t.t
	switch c {
	case '%':
		return append(dst, '%')
	case 't':
		return append(dst, t.raw...)
	case 's':
		return strconv.AppendInt(dst, tm.UnixMilli()/1000, 10) // Java's long division
	case 'a':
		return append(dst, t.weekday.String()[:3]...)
	case 'A':
		return append(dst, t.weekday.String()...)
	case 'b':
		return append(dst, t.month.String()[:3]...)
	case 'B':
		return append(dst, t.month.String()...)
	case 'c':
		return tm.AppendFormat(dst, "Mon Jan 2 15:04:05 2006")
	case 'd':
		return pad(dst, t.day, 2)
	case 'e':
		return strconv.AppendInt(dst, int64(t.day), 10)
	case 'D':
		return tm.AppendFormat(dst, "01/02/06")
	case 'H':
		return pad(dst, t.hour, 2)
	case 'I':
		return pad(dst, hour12(t.hour), 2)
	case 'j':
		return pad(dst, t.yday, 3)
	case 'k':
		return strconv.AppendInt(dst, int64(t.hour), 10)
	case 'l':
		return strconv.AppendInt(dst, int64(hour12(t.hour)), 10)
	case 'm':
		return pad(dst, int(t.month), 2)
	case 'n':
		return strconv.AppendInt(dst, int64(t.month), 10)
	case 'M':
		return pad(dst, t.min, 2)
	case 'p':
		if t.hour < 12 {
			return append(dst, "AM"...)
		}
		return append(dst, "PM"...)
	case 'S':
		return pad(dst, t.sec, 2)
	case 'y':
		return pad(dst, t.year%100, 2)
	case 'Y':
		return pad(dst, t.year, 4)
	case 'z':
		return tm.AppendFormat(dst, "-0700")
	}
	return dst
}

func hour12(h int) int {
	if h%12 == 0 {
		return 12
	}
	return h % 12
}

// pad appends v with at least width digits.
func pad(dst []byte, v, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}
