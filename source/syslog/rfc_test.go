package syslog

import (
	"fmt"
	"maps"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flumego/flume"
)

// pst is a fixed zone standing in for the agent's local time zone, so that
// the fixtures do not depend on the machine's.
var pst = time.FixedZone("PST", -8*3600)

// hdr returns a header's value ("" when absent).
func hdr(e flume.Event, name string) string {
	v, _ := e.Header(name)
	return v
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func headersOf(e flume.Event) map[string]string {
	m := map[string]string{}
	for k, v := range e.AllHeaders() {
		m[k] = v
	}
	return m
}

// formatCase is one message through syslogtcp's parsing: the headers and
// the body Flume's SyslogUtils produces for it.
type formatCase struct {
	name    string
	keep    string
	msg     string
	headers map[string]string
	body    string
}

func runFormat(t *testing.T, now time.Time, cases []formatCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &Formatter{Keep: ParseKeepFields(c.keep), Location: pst, Now: func() time.Time { return now }}
			m, n, ended := scan([]byte(c.msg+"\n"), DefaultEventSize, false)
			if !ended || n != len(c.msg)+1 {
				t.Fatalf("framing: ended %v after %d bytes", ended, n)
			}
			e, err := f.Event(m)
			if err != nil {
				t.Fatal(err)
			}
			if got := headersOf(e); !maps.Equal(got, c.headers) {
				t.Errorf("headers\n got %v\nwant %v", got, c.headers)
			}
			if string(e.Body) != c.body {
				t.Errorf("body\n got %q\nwant %q", e.Body, c.body)
			}
		})
	}
}

// TestRFC5424 covers the RFC 5424 format as Flume's SyslogUtils reads it,
// with the cases of its unit tests (time zones as ±hh:mm and Z, "-" for an
// absent timestamp or host, fractions) in data of our own.
func TestRFC5424(t *testing.T) {
	local := func(y, mo, d, h, mi, s, milli int) string {
		return ms(time.Date(y, time.Month(mo), d, h, mi, s, milli*1e6, pst))
	}
	zoned := func(y, mo, d, h, mi, s, offMin int) string {
		return ms(time.Date(y, time.Month(mo), d, h, mi, s, 0, time.FixedZone("", offMin*60)))
	}
	h := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	runFormat(t, time.Now(), []formatCase{
		{"zone +hh:mm, no version", "none", "<34>2019-07-01T08:30:00+05:30 web-1.example.org login ok",
			h("Facility", "4", "Severity", "2", "priority", "34", "timestamp", zoned(2019, 7, 1, 8, 30, 0, 330), "host", "web-1.example.org"),
			"login ok"},
		{"version and local time", "none", "<165>1 2021-02-03T04:05:06 db7 started",
			h("Facility", "20", "Severity", "5", "priority", "165", "version", "1", "timestamp", local(2021, 2, 3, 4, 5, 6, 0), "host", "db7"),
			"started"},
		{"zone Z", "none", "<0>1 2000-01-01T00:00:00Z h x",
			h("Facility", "0", "Severity", "0", "priority", "0", "version", "1", "timestamp", zoned(2000, 1, 1, 0, 0, 0, 0), "host", "h"), "x"},
		{"negative zone", "none", "<13>1 2016-11-30T23:59:59-03:00 h x",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "timestamp", zoned(2016, 11, 30, 23, 59, 59, -180), "host", "h"), "x"},
		{"no timestamp", "none", "<13>1 - host7 text with - dashes",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "host", "host7"), "text with - dashes"},
		{"no host", "none", "<13>1 2016-11-30T23:59:59Z - text",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "timestamp", zoned(2016, 11, 30, 23, 59, 59, 0)), "text"},
		// A fraction is read as milliseconds after truncation to three
		// digits, and then the zone is ignored: local time.
		{"fraction of three digits, zone ignored", "none", "<13>1 2014-10-03T17:20:01.123-07:00 h x",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "timestamp", local(2014, 10, 3, 17, 20, 1, 123), "host", "h"), "x"},
		{"microseconds truncated", "none", "<13>1 2014-10-03T17:20:01.123456Z h x",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "timestamp", local(2014, 10, 3, 17, 20, 1, 123), "host", "h"), "x"},
		{"one fraction digit is one millisecond", "none", "<13>1 2014-10-03T17:20:01.5 h x",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "timestamp", local(2014, 10, 3, 17, 20, 1, 5), "host", "h"), "x"},
		{"two fraction digits", "none", "<13>1 2014-10-03T17:20:01.12+01:00 h x",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "timestamp", local(2014, 10, 3, 17, 20, 1, 12), "host", "h"), "x"},
		{"seven fraction digits: not RFC 5424", "none", "<13>1 2014-10-03T17:20:01.1234567Z h x",
			h("Facility", "1", "Severity", "5"), "<13>1 2014-10-03T17:20:01.1234567Z h x"},
		{"fields out of range carry over", "none", "<13>1 2019-02-30T25:00:00Z h x",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "timestamp", zoned(2019, 3, 3, 1, 0, 0, 0), "host", "h"), "x"},
		{"zone hour over 23 is local time", "none", "<13>1 2019-02-03T10:00:00+24:00 h x",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "timestamp", local(2019, 2, 3, 10, 0, 0, 0), "host", "h"), "x"},
		{"structured data stays in the body", "none", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event`,
			h("Facility", "20", "Severity", "5", "priority", "165", "version", "1", "timestamp", local(2003, 10, 11, 22, 14, 15, 3), "host", "mymachine.example.com"),
			`evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event`},
		{"priority over 191 is not checked", "none", "<999>1 - h x",
			h("Facility", "124", "Severity", "7", "priority", "999", "version", "1", "host", "h"), "x"},
		{"a carriage return defeats both formats", "none", "<13>1 - h text\r",
			h("Facility", "1", "Severity", "5"), "<13>1 - h text\r"},
		{"no format: raw message", "none", "<10>Good good good data",
			h("Facility", "1", "Severity", "2"), "<10>Good good good data"},
		{"empty text: raw message", "none", "<13>1 - h ",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "host", "h"), "<13>1 - h "},
		{"malformed UTF-8 is replaced", "none", "<13>1 - h caf\xc3 \xe2\x82",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "host", "h"), "caf\ufffd \ufffd"},
		{"malformed UTF-8 kept raw with all", "all", "<13>1 - h caf\xc3",
			h("Facility", "1", "Severity", "5", "priority", "13", "version", "1", "host", "h"), "<13>1 - h caf\xc3"},
	})
}

// TestKeepFields: what stays in the body with each keepFields setting, in
// Flume's order "<PRI>VERSION TIMESTAMP HOSTNAME MSG", with Java's "null"
// for an absent part.
func TestKeepFields(t *testing.T) {
	const msg5424 = "<34>1 2019-07-01T08:30:00Z web-1 login ok"
	const msg3164 = "<34>Jul  1 08:30:00 web-1 login ok"
	for _, c := range []struct{ keep, msg, body string }{
		{"none", msg5424, "login ok"},
		{"false", msg5424, "login ok"},
		{"all", msg5424, msg5424},
		{"TRUE", msg5424, msg5424},
		{"hostname", msg5424, "web-1 login ok"},
		{"timestamp", msg5424, "2019-07-01T08:30:00Z login ok"},
		{"version", msg5424, "1 login ok"},
		{"priority", msg5424, "<34>login ok"},
		{"priority version timestamp hostname", msg5424, "<34>1 2019-07-01T08:30:00Z web-1 login ok"},
		{"Hostname,Priority", msg5424, "<34>web-1 login ok"},
		{"host", msg5424, "login ok"}, // not a part's name
		{"version", msg3164, "login ok"},
		{"priority version timestamp hostname", msg3164, "<34>Jul  1 08:30:00 web-1 login ok"},
		{"timestamp hostname", "<34>1 - - login ok", "null null login ok"},
		{"all", msg3164, msg3164},
	} {
		f := &Formatter{Keep: ParseKeepFields(c.keep), Location: pst}
		m, _, _ := scan([]byte(c.msg), DefaultEventSize, true)
		e, err := f.Event(m)
		if err != nil || string(e.Body) != c.body {
			t.Errorf("keepFields %q, %q: body %q, %v; want %q", c.keep, c.msg, e.Body, err, c.body)
		}
	}
}

// TestRFC3164Year: an RFC 3164 timestamp has no year; it gets the current
// UTC year, a year less when that puts it more than a month ahead, a year
// more when more than eleven months back.
func TestRFC3164Year(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC) // 2023-12-31 16:30 in PST
	f := &Formatter{Location: pst, Now: func() time.Time { return now }}
	for _, c := range []struct {
		stamp string
		want  time.Time
	}{
		{"Dec 31 16:29:00", time.Date(2023, 12, 31, 16, 29, 0, 0, pst)}, // a minute ago, last year
		{"Jan  1 00:00:00", time.Date(2024, 1, 1, 0, 0, 0, 0, pst)},     // hours ahead: this year
		{"Jan 31 00:00:00", time.Date(2024, 1, 31, 0, 0, 0, 0, pst)},    // just under a month ahead
		{"Jan 31 23:00:00", time.Date(2023, 1, 31, 23, 0, 0, 0, pst)},   // just over: last year
		{"Mar  1 00:00:00", time.Date(2023, 3, 1, 0, 0, 0, 0, pst)},     // two months ahead: last year
		{"Jun 15 12:00:00", time.Date(2023, 6, 15, 12, 0, 0, 0, pst)},
		// Lenient: Feb 30 2024 is Mar 1 2024, more than a month ahead, and
		// a year before that is Mar 1 2023 (not Feb 30 2023).
		{"Feb 30 10:00:00", time.Date(2023, 3, 1, 10, 0, 0, 0, pst)},
	} {
		m, _, _ := scan([]byte("<13>"+c.stamp+" host msg"), DefaultEventSize, true)
		e, _ := f.Event(m)
		if got, _ := e.Header(HeaderTimestamp); got != ms(c.want) {
			t.Errorf("%s: timestamp %s (%v), want %v", c.stamp, got, msTime(got), c.want)
		}
		if host, _ := e.Header(HeaderHost); host != "host" || string(e.Body) != "msg" {
			t.Errorf("%s: host %q body %q", c.stamp, host, e.Body)
		}
	}
	// Eleven months back rolls forward: in March, a January date more than
	// eleven months old does not exist, but December's does.
	now = time.Date(2024, 11, 20, 0, 0, 0, 0, time.UTC)
	m, _, _ := scan([]byte("<13>Dec  5 00:00:00 h m"), DefaultEventSize, true)
	if e, _ := f.Event(m); hdr(e, HeaderTimestamp) != ms(time.Date(2024, 12, 5, 0, 0, 0, 0, pst)) {
		t.Errorf("two weeks ahead: %v", msTime(hdr(e, HeaderTimestamp)))
	}
	now = time.Date(2025, 1, 2, 12, 0, 0, 0, time.UTC)
	m, _, _ = scan([]byte("<13>Jan  1 10:00:00 h m"), DefaultEventSize, true)
	if e, _ := f.Event(m); hdr(e, HeaderTimestamp) != ms(time.Date(2025, 1, 1, 10, 0, 0, 0, pst)) {
		t.Errorf("yesterday: %v", msTime(hdr(e, HeaderTimestamp)))
	}
}

func msTime(s string) time.Time {
	n, _ := strconv.ParseInt(s, 10, 64)
	return time.UnixMilli(n).In(pst)
}

// TestRFC3164 covers the RFC 3164 format: single-digit days with two
// spaces, an optional version digit, what SimpleDateFormat refuses (a tab
// where the pattern has a space, an unknown month), and a message text
// that starts with "-" (which defeats RFC 5424's pattern, not 3164's).
func TestRFC3164(t *testing.T) {
	now := time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)
	at := func(mo, d, h, mi, s int) string { return ms(time.Date(2024, time.Month(mo), d, h, mi, s, 0, pst)) }
	runFormat(t, now, []formatCase{
		{"two-digit day", "none", "<13>Jun 14 22:14:15 mymachine su: 'su root' failed",
			map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "timestamp": at(6, 14, 22, 14, 15), "host": "mymachine"},
			"su: 'su root' failed"},
		{"one-digit day", "none", "<13>Jun  4 22:14:15 mymachine x",
			map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "timestamp": at(6, 4, 22, 14, 15), "host": "mymachine"}, "x"},
		{"version digit", "none", "<13>1 Jun  4 22:14:15 mymachine x",
			map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "version": "1", "timestamp": at(6, 4, 22, 14, 15), "host": "mymachine"}, "x"},
		{"text starting with a dash", "none", "<10>Jun  4 22:14:15 ubuntu-11.cloudera.com - hyphen_null_breaks_5424_pattern [07/Jun/2012:14:46:44 -0600]",
			map[string]string{"Facility": "1", "Severity": "2", "priority": "10", "timestamp": at(6, 4, 22, 14, 15), "host": "ubuntu-11.cloudera.com"},
			"- hyphen_null_breaks_5424_pattern [07/Jun/2012:14:46:44 -0600]"},
		{"tab before the day: no timestamp", "none", "<13>Jun\t4 22:14:15 h x",
			map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "host": "h"}, "x"},
		{"space and tab before the day", "none", "<13>Jun \t4 22:14:15 h x",
			map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "timestamp": at(6, 4, 22, 14, 15), "host": "h"}, "x"},
		{"unknown month: no timestamp", "none", "<13>Mai  4 22:14:15 h x",
			map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "host": "h"}, "x"},
		{"lenient hour", "none", "<13>Jun  4 24:00:00 h x",
			map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "timestamp": at(6, 5, 0, 0, 0), "host": "h"}, "x"},
	})
}

// TestInvalidAndIncomplete: Flume's verdicts on what is not a syslog
// message, from its unit tests' cases in our own data: a non-numeric, an
// empty or a too long priority, a message not starting with '<' (each an
// Invalid event of the raw bytes with Facility and Severity 0), and
// messages cut at eventSize.
func TestInvalidAndIncomplete(t *testing.T) {
	invalid := map[string]string{"Facility": "0", "Severity": "0", "flume.syslog.status": "Invalid"}
	f := &Formatter{Location: pst}
	for _, raw := range []string{"<10F> bad bad data", "hi guys! <10> bad bad data", "<> bad bad data",
		"<1234> four digits", "<123123123123123123123123123123> bad bad data", "\x00\x01\xff binary"} {
		m, _, ended := scan([]byte(raw+"\n"), DefaultEventSize, false)
		e, err := f.Event(m)
		if !ended || err != nil || !maps.Equal(headersOf(e), invalid) || string(e.Body) != raw {
			t.Errorf("%q: %v %v, body %q, headers %v", raw, ended, err, e.Body, headersOf(e))
		}
	}
	// A newline inside the priority is data: the message runs on to the
	// next newline.
	m, n, _ := scan([]byte("<1\nrest\n<13>next\n"), DefaultEventSize, false)
	if string(m.Raw) != "<1\nrest" || !m.Bad || n != 8 {
		t.Errorf("newline in the priority: %q bad %v after %d bytes", m.Raw, m.Bad, n)
	}
	// A message of eventSize bytes is cut there, Incomplete, still parsed;
	// the rest is a new message, Invalid as it does not start with '<'.
	const line = "<13>1 - host the text goes on"
	m, n, _ = scan([]byte(line+"\n"), 20, false)
	e, _ := f.Event(m)
	if string(m.Raw) != line[:20] || n != 20 || !m.Incomplete {
		t.Fatalf("cut at 20: %q after %d bytes, incomplete %v", m.Raw, n, m.Incomplete)
	}
	if want := map[string]string{"Facility": "1", "Severity": "5", "priority": "13", "version": "1", "host": "host",
		"flume.syslog.status": "Incomplete"}; !maps.Equal(headersOf(e), want) || string(e.Body) != "the tex" {
		t.Errorf("incomplete event: %v %q", headersOf(e), e.Body)
	}
	m, _, _ = scan([]byte(line[20:]+"\n"), 20, false)
	if e, _ := f.Event(m); hdr(e, HeaderStatus) != StatusInvalid || string(e.Body) != line[20:] {
		t.Errorf("the rest: %v %q", headersOf(e), e.Body)
	}
	// Exactly eventSize bytes before the newline is Incomplete too (Flume
	// checks the size before it sees the newline); the newline that follows
	// is skipped.
	m, _, _ = scan([]byte(line[:20]+"\n"), 20, false)
	if !m.Incomplete {
		t.Error("a message of exactly eventSize bytes is not Incomplete")
	}
}

func utf8Valid(b []byte) bool { return utf8.Valid(b) }

// TestFastPath: the fast paths agree with the patterns wherever they
// decide, on messages built from the parts senders write and their
// variants, chosen at random.
func TestFastPath(t *testing.T) {
	parts := [][]string{
		{"<13>", "<0>", "<999>", "<1234>", "<>", "<1", "13>"},
		{"", "1 ", "12 ", "1", "1  ", "1\t", "x ", " "},
		{"2024-01-02T03:04:05Z", "Jan  2 03:04:05", "2024-01-02T03:04:05.678Z", "2024-01-02T03:04:05.123456+02:00", "2024-01-02T03:04:05.1234567Z",
			"2024-01-02T03:04:05", "2024-01-02T03:04:05-07:00", "-", "2024-01-02 03:04:05", "2024-01-02T03:04:05+0200", "12024-01-02T03:04:05Z",
			"Feb 12 03:04:05", "Mar 123 03:04:05", "Apr  2 3:04:05", "apr  2 03:04:05", "Dec\t2 03:04:05", "Jan   2 03:04:05"},
		{" ", "  ", "\t", ""},
		{"host", "web-1.example.org", "-", "a@b", "-x", "_", ".x", "h:1"},
		{" ", "", "\t"},
		{"text", "", "caf\u00e9", "a\u0085b", "line\rx", "x\u2028", "- - - msg"},
	}
	rng := rand.New(rand.NewSource(1))
	matched := [2]int{} // decided matches of each fast path
	for range 30000 {
		parts[2][0], parts[2][1] = parts[2][1], parts[2][0] // good RFC 5424 and 3164 stamps by turns
		var sb strings.Builder
		for _, p := range parts {
			// The first variant of each part is a good one: half of the
			// time, so that whole messages match often.
			if rng.Intn(2) == 0 {
				sb.WriteString(p[0])
			} else {
				sb.WriteString(p[rng.Intn(len(p))])
			}
		}
		msg := sb.String()
		for k, p := range []struct {
			fast func(string) ([]int, bool)
			re   func(string) []int
		}{{match5424, rfc5424.FindStringSubmatchIndex}, {match3164, rfc3164.FindStringSubmatchIndex}} {
			if g, decided := p.fast(msg); decided {
				if want := p.re(msg); fmt.Sprint(g) != fmt.Sprint(want) {
					t.Fatalf("%q: fast %v, pattern %v", msg, g, want)
				}
				if g != nil {
					matched[k]++
				}
			}
		}
	}
	if matched[0] < 100 || matched[1] < 100 {
		t.Fatalf("the fast paths decided only %v matches", matched)
	}
}

// FuzzFastPath: the fast paths never disagree with the patterns.
func FuzzFastPath(f *testing.F) {
	f.Add("<13>1 2024-01-02T03:04:05.678Z host app - - - text")
	f.Add("<13>2024-01-02T03:04:05Z - text")
	f.Add("<13>Jan  2 03:04:05 host text")
	f.Fuzz(func(t *testing.T, s string) {
		if g, decided := match5424(s); decided {
			if want := rfc5424.FindStringSubmatchIndex(s); fmt.Sprint(g) != fmt.Sprint(want) {
				t.Fatalf("RFC 5424 %q: fast %v, pattern %v", s, g, want)
			}
		}
		if g, decided := match3164(s); decided {
			if want := rfc3164.FindStringSubmatchIndex(s); fmt.Sprint(g) != fmt.Sprint(want) {
				t.Fatalf("RFC 3164 %q: fast %v, pattern %v", s, g, want)
			}
		}
	})
}
