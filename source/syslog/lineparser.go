package syslog

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flumego/flume"
)

// The priority and version headers of multiport_syslogtcp.
const (
	headerPriorityCap = "Priority"
	headerVersionCap  = "Version"
)

// lineParser turns the lines of multiport_syslogtcp into events as Flume's
// SyslogParser does (see the package documentation); it differs from
// Formatter, whose rules the other syslog sources follow.
type lineParser struct {
	keep KeepFields
	// loc is the local time zone: its year is the year of RFC 3164
	// timestamps (which are UTC); nil is time.Local.
	loc *time.Location
	now func() time.Time
}

func (p *lineParser) clock() time.Time {
	if p.now == nil {
		return time.Now()
	}
	return p.now()
}

// event returns the event of one line (without its newline), decoded with
// cs; ok is false for an empty line, which makes no event. invalid reports
// an event marked Invalid, which Flume counts in EventReadFail.
func (p *lineParser) event(line []byte, cs charset, incomplete bool) (e flume.Event, invalid, ok bool) {
	var hb flume.HeaderBuffer
	body, invalid, ok := p.build(line, cs, incomplete, &hb)
	e = flume.NewEvent(body)
	hb.Attach(&e)
	return e, invalid, ok
}

// build adds the headers of a line's event to hb's pending event (see
// Formatter.build) and returns its body; ok is false, and nothing added,
// for an empty line.
func (p *lineParser) build(line []byte, cs charset, incomplete bool, hb *flume.HeaderBuffer) (body []byte, invalid, ok bool) {
	if len(line) == 0 {
		return nil, false, false
	}
	msg, err := cs.decode(line)
	if err != nil {
		hb.Add(HeaderStatus, StatusInvalid)
		return append([]byte{}, line...), true, true
	}
	body, good := p.parse(msg, cs, hb)
	if !good {
		hb.Discard()
		hb.Add(HeaderStatus, StatusInvalid)
		return cs.encode(msg), true, true
	}
	if incomplete {
		hb.Add(HeaderStatus, StatusIncomplete)
	}
	return body, false, true
}

// parse is SyslogParser.parseMessage, adding the headers to hb; false
// where it throws (the caller discards what it added).
func (p *lineParser) parse(msg string, cs charset, hb *flume.HeaderBuffer) ([]byte, bool) {
	if msg[0] != '<' {
		return nil, false
	}
	end := strings.IndexByte(msg, '>')
	if end <= 0 || end > 6 {
		return nil, false
	}
	priority := msg[1:end]
	pri, err := javaParseInt(priority)
	if err != nil || len(msg) <= end+1 {
		return nil, false
	}
	hb.Add(headerPriorityCap, priority)
	hb.Add(HeaderFacility, small(pri/8))
	hb.Add(HeaderSeverity, small(pri%8))
	cur := end + 1
	var version field
	if len(msg) > cur+2 && msg[cur:cur+2] == "1 " {
		version = field{s: "1", ok: true}
		hb.Add(headerVersionCap, "1")
		cur += 2
	}
	var ts int64
	var tsString string
	switch c := msg[cur]; {
	case c == '-':
		tsString = "-"
		ts = p.clock().UnixMilli()
		next, ok := advance(msg, cur, 2)
		if !ok || next >= len(msg) {
			return nil, false
		}
		cur = next
	case c >= 'A' && c <= 'Z':
		stop, ok := advance(msg, cur, 15)
		if !ok || stop >= len(msg) {
			return nil, false
		}
		tsString = msg[cur:stop]
		ts = p.parse3164(tsString)
		cur, _ = advance(msg, stop, 1)
	default:
		sp := strings.IndexByte(msg[cur:], ' ')
		if sp < 0 {
			return nil, false
		}
		tsString = msg[cur : cur+sp]
		var ok bool
		if ts, ok = parse5424Strict(tsString); !ok {
			return nil, false
		}
		cur += sp + 1
	}
	addInt(hb, HeaderTimestamp, ts)
	sp := strings.IndexByte(msg[cur:], ' ')
	if sp < 0 {
		return nil, false
	}
	host := msg[cur : cur+sp]
	hb.Add(HeaderHost, host)
	next := cur + sp + 1
	data := msg
	if len(msg) > next && !p.keep.All {
		data = p.keep.body(msg[next:], priority, version, field{s: tsString, ok: true}, field{s: host, ok: true})
	}
	return cs.encode(data), true
}

// advance returns the byte offset n Java chars (UTF-16 units) after byte
// offset i of s; false when s ends first. A character outside the BMP is
// two units; a count that would split it takes it whole.
func advance(s string, i, n int) (int, bool) {
	for n > 0 {
		if i >= len(s) {
			return i, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n--
		if r > 0xffff {
			n--
		}
	}
	return i, true
}

// javaParseInt is Integer.parseInt: an optional sign and decimal digits
// that fit in 32 bits.
func javaParseInt(s string) (int, error) {
	v, err := strconv.ParseInt(s, 10, 32) // base 10: no underscores, as Java
	return int(v), err
}

var longMonths = [...]string{"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december"}

// parse3164 is SyslogParser.parseRfc3164Time: "MMM d HH:mm:ss" in UTC,
// parsed strictly (a field out of range, checked in the leap year 2000 as
// Joda-Time does, fails), the first double space made single; 0 when it
// fails. The year is the local one, moved into the twelve months around
// now (rollYear). Flume 1.11 instead moves such dates to 1999 or 2001 (it
// rolls the parser's default year 2000) and rolls every date more than a
// month old; flumego rolls as its syslogtcp source does.
func (p *lineParser) parse3164(ts string) int64 {
	ts = strings.Replace(ts, "  ", " ", 1)
	name, rest, ok := strings.Cut(ts, " ")
	if !ok {
		return 0
	}
	mon, ok := month(name)
	if !ok {
		for i, m := range longMonths {
			if strings.EqualFold(name, m) {
				mon, ok = i+1, true
			}
		}
		if !ok {
			return 0
		}
	}
	dayStr, clock, ok := strings.Cut(rest, " ")
	day, dok := digits(dayStr)
	if !ok || !dok || len(dayStr) > 2 || len(clock) != 8 || clock[2] != ':' || clock[5] != ':' {
		return 0
	}
	hh, ok1 := digits(clock[0:2])
	mm, ok2 := digits(clock[3:5])
	ss, ok3 := digits(clock[6:8])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 || day < 1 || day > daysIn(2000, time.Month(mon)) {
		return 0
	}
	loc := p.loc
	if loc == nil {
		loc = time.Local
	}
	now := p.clock()
	year := now.In(loc).Year()
	day = min(day, daysIn(year, time.Month(mon)))
	t := time.Date(year, time.Month(mon), day, hh, mm, ss, 0, time.UTC)
	return rollYear(t, now).UnixMilli()
}

// parse5424Strict is SyslogParser.parseRfc5424Date: at least 20
// characters; "yyyy-MM-ddTHH:mm:ss" in UTC with every field in range; an
// optional fraction of any number of digits, scaled to milliseconds; then
// Z, or ±hh:mm (any two digits each), or anything else, which is UTC.
func parse5424Strict(ts string) (int64, bool) {
	if len(ts) <= 19 {
		return 0, false
	}
	for i, c := range []byte(ts[:19]) {
		switch i {
		case 4, 7:
			if c != '-' {
				return 0, false
			}
		case 10:
			if c != 'T' {
				return 0, false
			}
		case 13, 16:
			if c != ':' {
				return 0, false
			}
		default:
			if c < '0' || c > '9' {
				return 0, false
			}
		}
	}
	num := func(i, j int) int { n, _ := digits(ts[i:j]); return n }
	y, mo, d, h, mi, s := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19)
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, time.Month(mo)) || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	ms := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC).UnixMilli()
	cur := 19
	if ts[cur] == '.' {
		end := cur + 1
		for end < len(ts) && ts[end] >= '0' && ts[end] <= '9' {
			end++
		}
		if end == len(ts) || end == cur+1 { // Java runs off the end, or no digits
			return 0, false
		}
		n := end - cur - 1
		frac, err := strconv.ParseInt(ts[cur+1:end], 10, 64)
		if err != nil {
			return 0, false
		}
		switch {
		case n > 3:
			frac = int64(float64(frac) / math.Pow10(n-3))
		case n < 3:
			frac = int64(float64(frac) * math.Pow10(3-n))
		}
		ms += frac
		cur = end
	}
	switch ts[cur] {
	case '+', '-':
		if len(ts) <= cur+5 {
			return 0, false
		}
		z := ts[cur+1 : cur+6]
		isD := func(c byte) bool { return c >= '0' && c <= '9' }
		if !isD(z[0]) || !isD(z[1]) || z[2] != ':' || !isD(z[3]) || !isD(z[4]) {
			return 0, false
		}
		off := int64(num(cur+1, cur+3)*60+num(cur+4, cur+6)) * 60000
		if ts[cur] == '+' {
			ms -= off
		} else {
			ms += off
		}
	}
	return ms, true
}
