package syslog

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javatext"
)

// The header names the syslog sources set.
const (
	HeaderFacility = "Facility"
	HeaderSeverity = "Severity"
	HeaderStatus   = "flume.syslog.status"
	// syslogtcp and syslogudp write the priority and version in lower
	// case, multiport_syslogtcp capitalised.
	headerPriority = "priority"
	headerVersion  = "version"
	// HeaderTimestamp holds the message's time in milliseconds since the
	// epoch, HeaderHost its host name.
	HeaderTimestamp = "timestamp"
	HeaderHost      = "host"
)

// The values of HeaderStatus.
const (
	StatusInvalid    = "Invalid"
	StatusIncomplete = "Incomplete"
)

// The two formats Flume's SyslogUtils tries, RFC 5424 first, in Java's
// regular-expression semantics spelled for RE2: \s is Java's [ \t\n\x0B\f\r]
// (Go's lacks \x0B), . excludes every Java line terminator, and the whole
// message must match (Matcher.matches). Submatches are the same: Go picks
// the match a backtracking engine finds first.
const (
	jws   = `[\t\n\v\f\r ]`
	jdot  = `[^\n\r\x{85}\x{2028}\x{2029}]`
	jhost = `[A-Za-z0-9_][A-Za-z0-9_.@-]*`
)

var (
	rfc5424 = regexp.MustCompile(`\A<([0-9]{1,3})>(?:([0-9]?)` + jws + `?)` +
		`(?:([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:[+-][0-9]{2}:[0-9]{2}|Z)?)|-)` +
		jws + `(?:(` + jhost + `)|-)` + jws + `(` + jdot + `*)\z`)
	rfc3164 = regexp.MustCompile(`\A<([0-9]{1,3})>(?:([0-9])?` + jws + `?)` +
		`([A-Z][a-z][a-z]` + jws + `{1,2}[0-9]{1,2}` + jws + `[0-9]{2}:[0-9]{2}:[0-9]{2})` +
		jws + `(` + jhost + `)` + jws + `(` + jdot + `*)\z`)
)

// errNoPriority is the error for a datagram that ended before its priority
// did ("<" or nothing): Flume fails to parse it and counts EventReadFail.
var errNoPriority = errors.New("syslog message without a priority")

// smalls are the decimal texts of the facilities and severities.
var smalls = func() (s [125]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func small(n int) string {
	if n >= 0 && n < len(smalls) {
		return smalls[n]
	}
	return strconv.Itoa(n)
}

// Formatter turns the messages of the syslogtcp and syslogudp sources into
// events, byte for byte as Flume's SyslogUtils does (see the package
// documentation).
type Formatter struct {
	Keep KeepFields
	// Location is the time zone of timestamps that carry none (Java's
	// default time zone); nil is time.Local.
	Location *time.Location
	// Now is the clock that supplies the year of RFC 3164 timestamps; nil
	// is time.Now.
	Now func() time.Time
}

func (f *Formatter) loc() *time.Location {
	if f.Location == nil {
		return time.Local
	}
	return f.Location
}

func (f *Formatter) now() time.Time {
	if f.Now == nil {
		return time.Now()
	}
	return f.Now()
}

// Event returns the event of m. Its body does not share memory with m.
func (f *Formatter) Event(m Message) (flume.Event, error) {
	var hb flume.HeaderBuffer
	body, err := f.build(m, &hb)
	e := flume.NewEvent(body)
	if err != nil {
		hb.Discard()
		return e, err
	}
	hb.Attach(&e)
	return e, nil
}

// build adds the headers of m's event to hb's pending event, for the
// caller to add its own (a name added again replaces the parsed value, as
// clientIPHeader does in Flume) and attach, and returns the event's body,
// which does not share memory with m.
func (f *Formatter) build(m Message, hb *flume.HeaderBuffer) ([]byte, error) {
	if m.Bad {
		hb.Add(HeaderFacility, "0")
		hb.Add(HeaderSeverity, "0")
		hb.Add(HeaderStatus, StatusInvalid)
		return append([]byte{}, m.Raw...), nil
	}
	prio := m.priority()
	if len(prio) == 0 {
		return nil, errNoPriority
	}
	pri, _ := digits(string(prio))
	hb.Add(HeaderFacility, small(pri/8))
	hb.Add(HeaderSeverity, small(pri%8))
	body := f.format(hb, javatext.DecodeUTF8(m.Raw))
	if m.Incomplete {
		hb.Add(HeaderStatus, StatusIncomplete)
	}
	if f.Keep.All || body == "" {
		return append([]byte{}, m.Raw...), nil
	}
	return []byte(body), nil
}

// format adds the headers a format yields and returns the body text (""
// when no format matched).
func (f *Formatter) format(hb *flume.HeaderBuffer, text string) string {
	g, decided := match5424(text)
	if !decided {
		g = rfc5424.FindStringSubmatchIndex(text)
	}
	is5424 := true
	if g == nil {
		if g, decided = match3164(text); !decided {
			g = rfc3164.FindStringSubmatchIndex(text)
		}
		if g == nil {
			return ""
		}
		is5424 = false
	}
	group := func(i int) field {
		if g[2*i] < 0 {
			return field{}
		}
		return field{s: text[g[2*i]:g[2*i+1]], ok: true}
	}
	priority, version, stamp, host, msg := group(1), group(2), group(3), group(4), group(5)
	if priority.s != "" {
		hb.Add(headerPriority, priority.s)
	}
	if version.s != "" {
		hb.Add(headerVersion, version.s)
	}
	if stamp.ok {
		var ms int64
		var ok bool
		if is5424 {
			ms, ok = parse5424(stamp.s, f.loc())
		} else {
			ms, ok = parse3164(stamp.s, f.now(), f.loc())
		}
		if ok {
			addInt(hb, HeaderTimestamp, ms)
		}
	}
	if host.s != "" {
		hb.Add(HeaderHost, host.s)
	}
	return f.Keep.body(msg.s, priority.s, version, stamp, host)
}

// addInt adds a header whose value is n in decimal, without allocating
// (Add copies the value).
func addInt(hb *flume.HeaderBuffer, name string, n int64) {
	var buf [20]byte
	b := strconv.AppendInt(buf[:0], n, 10)
	hb.Add(name, unsafe.String(&b[0], len(b)))
}

// parse5424 reads an RFC 5424 timestamp as Flume's SyslogUtils does with
// SimpleDateFormat: a fraction of a second is read as that many
// milliseconds after truncation to three digits (".5" is 5 ms, ".12" 12 ms)
// and then the time zone is ignored: the time is local; without a fraction
// a zone of Z or ±hh:mm (hours ≤ 23, minutes ≤ 59) applies, anything else
// is local time. Fields out of range carry over (lenient parsing).
func parse5424(ts string, loc *time.Location) (int64, bool) {
	num := func(i, j int) int { n, _ := digits(ts[i:j]); return n }
	y, mo, d, h, mi, s := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19)
	rest := ts[19:]
	if strings.HasPrefix(rest, ".") {
		frac := rest[1:]
		n := 0
		for n < len(frac) && frac[n] >= '0' && frac[n] <= '9' {
			n++
		}
		ms, _ := digits(frac[:min(n, 3)])
		return lenientDate(y, mo, d, h, mi, s, ms, loc).UnixMilli(), true
	}
	switch {
	case rest == "Z":
		loc = time.UTC
	case len(rest) == 6:
		hh, mm := num(20, 22), num(23, 25)
		if hh <= 23 && mm <= 59 {
			off := (hh*60 + mm) * 60
			if rest[0] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	return lenientDate(y, mo, d, h, mi, s, 0, loc).UnixMilli(), true
}

// parse3164 reads an RFC 3164 timestamp ("Mmm dd HH:mm:ss") as Flume's
// SyslogUtils does: in local time, in the current UTC year moved into the
// twelve months around now (rollYear). It fails where SimpleDateFormat
// does: a month name it does not know, or white space other than the
// spaces the pattern has (two spaces before a one-digit day are one).
func parse3164(ts string, now time.Time, loc *time.Location) (int64, bool) {
	ts = strings.ReplaceAll(ts, "  ", " ")
	mon, ok := month(ts[:3])
	if !ok || len(ts) < 5 || ts[3] != ' ' {
		return 0, false
	}
	rest := ts[4:]
	// SimpleDateFormat skips spaces and tabs before a number.
	rest = strings.TrimLeft(rest, " \t")
	sp := strings.IndexByte(rest, ' ')
	if sp < 0 {
		return 0, false
	}
	day, ok := digits(rest[:sp])
	clock := rest[sp+1:]
	if !ok || len(clock) != 8 {
		return 0, false
	}
	hh, ok1 := digits(clock[0:2])
	mm, ok2 := digits(clock[3:5])
	ss, ok3 := digits(clock[6:8])
	if !ok1 || !ok2 || !ok3 || clock[2] != ':' || clock[5] != ':' {
		return 0, false
	}
	t := lenientDate(now.UTC().Year(), mon, day, hh, mm, ss, 0, loc)
	return rollYear(t, now).UnixMilli(), true
}
