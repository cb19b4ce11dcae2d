package syslog

import (
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone of TestAgainstJDK, whatever the machine has

	"github.com/flumego/flume/internal/jdktest"
)

// The patterns of Flume's SyslogUtils, in Java's syntax: the reference the
// RE2 spellings in rfc.go are held against.
const (
	java5424 = `(?:\<(\d{1,3})\>)(?:(\d?)\s?)(?:(\d{4}[-]\d{2}[-]\d{2}[T]\d{2}[:]\d{2}[:]\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}[:]\d{2}|Z)?)|-)\s(?:([\w][\w\d\.@\-]*)|-)\s(.*)$`
	java3164 = `(?:\<(\d{1,3})\>)(?:(\d)?\s?)([A-Z][a-z][a-z]\s{1,2}\d{1,2}\s\d{2}[:]\d{2}[:]\d{2})\s([\w][\w\d\.@-]*)\s(.*)$`
)

// TestAgainstJDK holds the syslogtcp parsing against the JDK: the regular
// expressions (match and groups) on random messages, and the timestamp
// readings on random timestamps, where the test spells out Flume's
// procedure (String.replaceAll, SimpleDateFormat, Calendar.add) from JDK
// calls.
func TestAgainstJDK(t *testing.T) {
	jdk := jdktest.Start(t)
	rng := rand.New(rand.NewSource(7))
	pick := func(s ...string) string { return s[rng.Intn(len(s))] }
	ws := func() string { return pick(" ", " ", " ", "\t", "\v", "\f", "\r", "  ", "") }
	digitsN := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.Intn(10)))
		}
		return b.String()
	}
	stamp5424 := func() string {
		s := fmt.Sprintf("%s-%s-%sT%s:%s:%s", digitsN(4), digitsN(2), digitsN(2), digitsN(2), digitsN(2), digitsN(2))
		if rng.Intn(2) == 0 {
			s += "." + digitsN(1+rng.Intn(7))
		}
		return s + pick("", "Z", "+"+digitsN(2)+":"+digitsN(2), "-"+digitsN(2)+":"+digitsN(2), "+0800", "z")
	}
	stamp3164 := func() string {
		return pick("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Mai", "Abc", "JAN", "jan") +
			pick(" ", "  ", " \t", "\t", "\t ") + digitsN(1+rng.Intn(2)) + pick(" ", " ", "\t") +
			digitsN(2) + ":" + digitsN(2) + ":" + digitsN(2)
	}
	message := func() string {
		return "<" + digitsN(rng.Intn(5)) + ">" + pick("", "1", "12", digitsN(1)) + ws() +
			pick(stamp5424(), stamp3164(), "-", "") + ws() + pick("host", "web-1.example.org", "-", "a@b", "-x", "_h", "h:1", "") + ws() +
			pick("text", "", "- dash", "caf\u00e9", "a\u0085b", "a\u2028", "cr\r", "tab\there", "\U0001F600")
	}

	// The patterns.
	for range 1000 {
		msg := message()
		for _, p := range []struct {
			name, java string
			match      func(string) []int
		}{{"RFC 5424", java5424, rfc5424.FindStringSubmatchIndex}, {"RFC 3164", java3164, rfc3164.FindStringSubmatchIndex}} {
			want, err := jdk.Call("MATCH", p.java, msg)
			if err != nil {
				t.Fatal(err)
			}
			g := p.match(msg)
			got := []string{"0"}
			if g != nil {
				got = []string{"1"}
				for i := 1; i < len(g)/2; i++ {
					if g[2*i] < 0 {
						got = append(got, "-")
					} else {
						got = append(got, "+"+msg[g[2*i]:g[2*i+1]])
					}
				}
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("%s on %q: %q, Java %q", p.name, msg, got, want)
			}
		}
	}

	const zone = "America/Los_Angeles"
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	call := func(op string, args ...string) (string, bool) {
		r, err := jdk.Call(op, args...)
		if errors.Is(err, jdktest.ErrJava) {
			return "", false
		}
		if err != nil {
			t.Fatal(err)
		}
		return r[0], true
	}
	// RFC 5424 timestamps: Flume's replacements, then the four formats in
	// turn, the first that parses wins.
	fixed5424 := []string{"2025-11-02T01:40:27", "2025-11-02T01:40:27.5", "2026-03-08T02:30:00", "2026-03-08T03:00:00",
		"2026-03-08T01:59:59", "2025-11-02T00:59:59", "2025-11-02T02:00:00"} // around changes of offset
	for i := range 600 {
		ts := stamp5424()
		if i < len(fixed5424) {
			ts = fixed5424[i]
		}
		if ts[:4] < "1901" || ts[:4] > "2036" || !rfc5424.MatchString("<1>1 "+ts+" h m") {
			// Java reads dates before 1583 in the Julian calendar, its
			// time zones have no local mean time before standard time
			// (1883 in Los Angeles) and their rules may end in 2037: no
			// syslog timestamp is there.
			continue
		}
		v, _ := call("REPLACE", "Z", "+0000", ts)
		v, _ = call("REPLACE", `([+-])(\d{2})[:](\d{2})`, "$1$2$3", v)
		v, _ = call("REPLACE", `(T\d{2}:\d{2}:\d{2}\.\d{3})(\d*)`, "$1", v)
		want, ok := "", false
		for _, f := range []string{"yyyy-MM-dd'T'HH:mm:ss.S", "yyyy-MM-dd'T'HH:mm:ss.SZ", "yyyy-MM-dd'T'HH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ss"} {
			if want, ok = call("SDF", f, zone, v); ok {
				break
			}
		}
		got, gok := parse5424(ts, loc)
		if gok != ok || (ok && strconv.FormatInt(got, 10) != want) {
			t.Fatalf("RFC 5424 %q: %d %v, Java %s %v", ts, got, gok, want, ok)
		}
	}
	// RFC 3164 timestamps, with the year of a random now and Flume's
	// rolling by Calendar arithmetic.
	for i := range 600 {
		ts := stamp3164()
		if i < 2 {
			ts = []string{"Nov  2 01:40:27", "Mar  8 02:30:00"}[i] // around changes of offset
		}
		if !rfc3164.MatchString("<1>" + ts + " h m") {
			continue
		}
		now := time.Date(2020+rng.Intn(10), time.Month(1+rng.Intn(12)), 1+rng.Intn(28), rng.Intn(24), 0, 0, 0, time.UTC)
		nowMs := now.UnixMilli()
		v, _ := call("REPLACE", "  ", " ", ts)
		want, ok := call("SDF", "yyyyMMM d HH:mm:ss", zone, strconv.Itoa(now.Year())+v)
		if ok {
			d, _ := strconv.ParseInt(want, 10, 64)
			minus1, _ := call("ADD", zone, want, "MONTH", "-1")
			plus11, _ := call("ADD", zone, want, "MONTH", "11")
			m1, _ := strconv.ParseInt(minus1, 10, 64)
			p11, _ := strconv.ParseInt(plus11, 10, 64)
			switch {
			case d > nowMs && m1 > nowMs:
				want, _ = call("ADD", zone, want, "YEAR", "-1")
			case d < nowMs && p11 < nowMs:
				want, _ = call("ADD", zone, want, "YEAR", "1")
			}
		}
		got, gok := parse3164(ts, now, loc)
		if gok != ok || (ok && strconv.FormatInt(got, 10) != want) {
			t.Fatalf("RFC 3164 %q at %v: %d %v, Java %s %v", ts, now, got, gok, want, ok)
		}
	}
}
