package syslog

import (
	"maps"
	"strconv"
	"testing"
	"time"
)

// TestParse5424Strict: multiport_syslogtcp's RFC 5424 timestamps agree with
// an ISO 8601 parser (time.RFC3339Nano), truncated to milliseconds, as
// Flume's unit test holds its parser against Joda's.
func TestParse5424Strict(t *testing.T) {
	for _, ts := range []string{"1985-04-12T23:20:50.52Z", "1985-04-12T19:20:50.52-04:00", "2003-10-11T22:14:15.003Z",
		"2003-08-24T05:14:15.000003-07:00", "2012-04-13T11:11:11-08:00", "2012-04-13T08:08:08.0001+00:00",
		"2012-04-13T08:08:08.251+00:00", "2024-02-29T23:59:59.999999999+14:00"} {
		want, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := parse5424Strict(ts); !ok || got != want.UnixMilli() {
			t.Errorf("%s: %d %v, want %d", ts, got, ok, want.UnixMilli())
		}
	}
	for _, ts := range []string{"2012-04-13T11:11:11", "2012-04-13T11:11:11.123", "2012-04-13T11:11:11.Z",
		"2013-02-29T11:11:11Z", "2012-13-01T00:00:00Z", "2012-04-13T24:00:00Z", "2012-04-13T11:11:11+08",
		"2012-04-13T11:11:11+0800", "2012/04/13T11:11:11Z", "2012-04-13T11:11:11.123456789012345678901Z"} {
		if got, ok := parse5424Strict(ts); ok {
			t.Errorf("%s: accepted as %d", ts, got)
		}
	}
	// Anything but Z or a sign after the time is UTC, and what follows a
	// zone is ignored.
	utc := time.Date(2012, 4, 13, 11, 11, 11, 0, time.UTC).UnixMilli()
	for _, ts := range []string{"2012-04-13T11:11:11X", "2012-04-13T11:11:11Z+05:00", "2012-04-13T11:11:11+00:00junk"} {
		if got, ok := parse5424Strict(ts); !ok || got != utc {
			t.Errorf("%s: %d %v, want %d", ts, got, ok, utc)
		}
	}
}

// TestLineParser covers multiport_syslogtcp's parsing (Flume's
// SyslogParser): the RFC 3164 and 5424 examples Flume's tests use, the
// headers it sets, keepFields, and the lines it refuses as Invalid.
func TestLineParser(t *testing.T) {
	now := time.Date(2024, 10, 20, 12, 0, 0, 0, time.UTC)
	utf8cs, _ := lookupCharset("UTF-8")
	p := &lineParser{loc: pst, now: func() time.Time { return now }}
	utcMs := func(y, mo, d, h, mi, s int) string {
		return strconv.FormatInt(time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC).UnixMilli(), 10)
	}
	for _, c := range []struct {
		line    string
		headers map[string]string
		body    string
	}{
		{"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
			map[string]string{"Priority": "34", "Facility": "4", "Severity": "2", "timestamp": utcMs(2024, 10, 11, 22, 14, 15), "host": "mymachine"},
			"su: 'su root' failed for lonvick on /dev/pts/8"},
		{"<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!", // eight months back: this year
			map[string]string{"Priority": "13", "Facility": "1", "Severity": "5", "timestamp": utcMs(2024, 2, 5, 17, 32, 18), "host": "10.0.0.99"},
			"Use the BFG!"},
		{"<13>Nov 25 00:00:00 h more than a month ahead",
			map[string]string{"Priority": "13", "Facility": "1", "Severity": "5", "timestamp": utcMs(2023, 11, 25, 0, 0, 0), "host": "h"},
			"more than a month ahead"},
		{"<13>Oct 32 10:00:00 h strict: no such day",
			map[string]string{"Priority": "13", "Facility": "1", "Severity": "5", "timestamp": "0", "host": "h"}, "strict: no such day"},
		{"<13>Oct 1 10:00:00 host one space: the fifteen characters end in the host",
			map[string]string{"Priority": "13", "Facility": "1", "Severity": "5", "timestamp": "0", "host": "ost"},
			"one space: the fifteen characters end in the host"},
		{"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM'su root' failed",
			map[string]string{"Priority": "34", "Version": "1", "Facility": "4", "Severity": "2",
				"timestamp": strconv.FormatInt(time.Date(2003, 10, 11, 22, 14, 15, 3e6, time.UTC).UnixMilli(), 10), "host": "mymachine.example.com"},
			"su - ID47 - BOM'su root' failed"},
		{"<13>2012-08-16T14:34:03-08:00 127.0.0.1 test shnap!",
			map[string]string{"Priority": "13", "Facility": "1", "Severity": "5", "timestamp": utcMs(2012, 8, 16, 22, 34, 3), "host": "127.0.0.1"},
			"test shnap!"},
		{"<+13>2012-08-16T14:34:03Z h Java's parseInt takes a sign",
			map[string]string{"Priority": "+13", "Facility": "1", "Severity": "5", "timestamp": utcMs(2012, 8, 16, 14, 34, 3), "host": "h"},
			"Java's parseInt takes a sign"},
		{"<13>2012-08-16T14:34:03Z h ",
			map[string]string{"Priority": "13", "Facility": "1", "Severity": "5", "timestamp": utcMs(2012, 8, 16, 14, 34, 3), "host": "h"},
			"<13>2012-08-16T14:34:03Z h "}, // no text: the whole line
	} {
		e, invalid, ok := p.event([]byte(c.line), utf8cs, false)
		if !ok || invalid || !maps.Equal(headersOf(e), c.headers) || string(e.Body) != c.body {
			t.Errorf("%q:\n got %v %q (invalid %v)\nwant %v %q", c.line, headersOf(e), e.Body, invalid, c.headers, c.body)
		}
	}
	// "-" is the time of arrival.
	e, _, _ := p.event([]byte("<13>1 - host text"), utf8cs, true)
	if hdr(e, "timestamp") != strconv.FormatInt(now.UnixMilli(), 10) || hdr(e, "Version") != "1" ||
		hdr(e, HeaderStatus) != StatusIncomplete || string(e.Body) != "text" {
		t.Errorf("nil timestamp, incomplete: %v %q", headersOf(e), e.Body)
	}
	// keepFields.
	for keep, body := range map[string]string{
		"all":                                 "<34>1 2003-10-11T22:14:15.003Z host text",
		"hostname":                            "host text",
		"priority version timestamp hostname": "<34>1 2003-10-11T22:14:15.003Z host text",
		"timestamp":                           "2003-10-11T22:14:15.003Z text",
	} {
		p := &lineParser{keep: ParseKeepFields(keep)}
		e, _, _ := p.event([]byte("<34>1 2003-10-11T22:14:15.003Z host text"), utf8cs, false)
		if string(e.Body) != body {
			t.Errorf("keepFields %q: %q, want %q", keep, e.Body, body)
		}
	}
	// Invalid lines: the line itself, flume.syslog.status = Invalid only.
	for _, line := range []string{"no priority", "<13 no end", "<123456>Oct 11 22:14:15 h seven", "<1x>Oct 11 22:14:15 h x",
		"<13>", "<13>Oct 11 22:14:15", "<13>Oct 11 22:14:15 hostnospace", "<13>2012-04-13T11:11:11 h no zone",
		"<13>2012-04-13T11:11:11.123", "<13>-", "<13>1 -", "\xff\xfe not UTF-8"} {
		e, invalid, ok := p.event([]byte(line), utf8cs, true)
		if !ok || !invalid || !maps.Equal(headersOf(e), map[string]string{HeaderStatus: StatusInvalid}) || string(e.Body) != line {
			t.Errorf("%q: %v %q invalid %v", line, headersOf(e), e.Body, invalid)
		}
	}
	if _, _, ok := p.event(nil, utf8cs, false); ok {
		t.Error("an empty line made an event")
	}
}

// TestCharsets: multiport_syslogtcp decodes each port's lines in its
// charset and encodes the body back in it; what does not decode is an
// Invalid event of the raw bytes.
func TestCharsets(t *testing.T) {
	p := &lineParser{}
	latin1, err := lookupCharset("iso-8859-1")
	if err != nil {
		t.Fatal(err)
	}
	e, invalid, _ := p.event([]byte("<13>1 - h caf\xe9"), latin1, false)
	if invalid || string(e.Body) != "caf\xe9" {
		t.Errorf("ISO-8859-1: %q invalid %v", e.Body, invalid)
	}
	ascii, _ := lookupCharset("US-ASCII")
	if e, invalid, _ := p.event([]byte("<13>1 - h caf\xe9"), ascii, false); !invalid || string(e.Body) != "<13>1 - h caf\xe9" {
		t.Errorf("US-ASCII: %q invalid %v", e.Body, invalid)
	}
	u16, _ := lookupCharset("UTF-16")
	line := []byte{0xfe, 0xff, 0, '<', 0, '1', 0, '>', 0, '1', 0, ' ', 0, '-', 0, ' ', 0, 'h', 0, ' ', 0, 'x'}
	if e, invalid, _ := p.event(line, u16, false); invalid || string(e.Body) != "\xfe\xff\x00x" {
		t.Errorf("UTF-16: %q invalid %v", e.Body, invalid)
	}
	for _, name := range []string{"utf8", "UTF-16LE", "windows-1252", "Shift_JIS"} {
		if _, err := lookupCharset(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := lookupCharset("no-such-charset"); err == nil {
		t.Error("an unknown charset was accepted")
	}
}

// FuzzLineParser: any line makes an event or none, without panicking, and
// a line that is valid UTF-8 and does not parse keeps its bytes.
func FuzzLineParser(f *testing.F) {
	for _, s := range []string{"<34>1 2003-10-11T22:14:15.003Z h x", "<13>Oct 11 22:14:15 h x", "<13>-", "<", "<1>2012-04-13T11:11:11.9",
		"<13>\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600 h x"} {
		f.Add([]byte(s))
	}
	cs, _ := lookupCharset("UTF-8")
	f.Fuzz(func(t *testing.T, line []byte) {
		p := &lineParser{keep: ParseKeepFields("priority hostname")}
		e, invalid, ok := p.event(line, cs, false)
		if ok != (len(line) > 0) {
			t.Fatalf("ok %v for %d bytes", ok, len(line))
		}
		if invalid && string(e.Body) != string(line) {
			t.Fatalf("an invalid line's body %q is not the line %q", e.Body, line)
		}
	})
}

// FuzzFormatter: any message makes an event (or the datagram error) without
// panicking; the body is the raw message or valid UTF-8.
func FuzzFormatter(f *testing.F) {
	for _, s := range []string{"<13>1 2014-10-03T17:20:01.5+01:00 h x", "<13>Feb  5 17:32:18 h x", "<1\nx", "<", "", "<999>1 - - -"} {
		f.Add([]byte(s), "priority version timestamp hostname")
	}
	f.Fuzz(func(t *testing.T, b []byte, keep string) {
		fm := &Formatter{Keep: ParseKeepFields(keep), Location: pst}
		m, _, _ := scan(b, DefaultEventSize, false)
		e, err := fm.Event(m)
		if err != nil {
			if len(m.priority()) != 0 || m.Bad {
				t.Fatalf("error %v for a message with a priority", err)
			}
			return
		}
		if _, ok := e.Header(HeaderFacility); !ok {
			t.Fatal("no Facility header")
		}
		if string(e.Body) != string(m.Raw) && !utf8Valid(e.Body) {
			t.Fatalf("body %q is neither the message nor UTF-8", e.Body)
		}
	})
}
