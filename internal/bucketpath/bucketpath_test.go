package bucketpath

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func expand(t *testing.T, pattern string, h map[string]string, o Options) (string, error) {
	t.Helper()
	p, err := Parse(pattern)
	if err != nil {
		t.Fatalf("%q: %v", pattern, err)
	}
	var tm *Time
	if p.NeedsTime() {
		v, ok := h["timestamp"]
		at, err := o.At(v, ok, 0)
		if err != nil {
			return "", err
		}
		tm = &at
	}
	return string(Expand(nil, p, MapHeaders(h), tm)), nil
}

func TestEscapes(t *testing.T) {
	ts := time.Date(2021, 3, 4, 5, 6, 7, 890e6, time.Local)
	ms := strconv.FormatInt(ts.UnixMilli(), 10)
	h := map[string]string{"app": "web", "timestamp": ms, "a.b-c": "x"}
	for in, want := range map[string]string{
		"":                     "",
		"plain":                "plain",
		"logs-%{app}":          "logs-web",
		"%{missing}x":          "x",
		"%{a.b-c}":             "x",
		"%{bad name}":          "%{bad name}",
		"%{}":                  "%{}",
		"%[]":                  "%[]",
		"%Y%m%d-%H%M%S":        "20210304-050607",
		"%y %e %k %l %n %j %p": "21 4 5 5 3 063 AM",
		"%a %A %b %B":          "Thu Thursday Mar March",
		"%c":                   "Thu Mar 4 05:06:07 2021",
		"%D %I":                "03/04/21 05",
		"%t":                   ms,
		"%s":                   strconv.FormatInt(ts.Unix(), 10),
		"100%%":                "100%",
		"%Q":                   "",
		"%é":                   "%é",
		"trailing%":            "trailing%",
		"%[localhost]":         Host("localhost"),
		"%[IP]/%[fqdn]":        Host("ip") + "/" + Host("FQDN"),
		"/a/%{app}/%Y/%{app}":  "/a/web/2021/web",
	} {
		got, err := expand(t, in, h, Options{})
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := Parse("%[nowhere]"); err == nil {
		t.Error("%[nowhere] accepted")
	}
}

func TestLiteralAndNeeds(t *testing.T) {
	for in, lit := range map[string]bool{"": true, "/a/b": true, "a%": true, "%{h}": false, "%Y": false, "%[ip]": false} {
		p, _ := Parse(in)
		if _, ok := p.Literal(); ok != lit {
			t.Errorf("%q: literal %v", in, ok)
		}
	}
	p, _ := Parse("/x/%{a}/%{b}/%%")
	if !p.NeedsTime() || len(p.Headers()) != 2 || p.String() != "/x/%{a}/%{b}/%%" {
		t.Errorf("needs time %v, headers %v", p.NeedsTime(), p.Headers())
	}
	p, _ = Parse("/x/%{a}")
	if p.NeedsTime() {
		t.Error("a header escape needs no time")
	}
}

func TestTimestampErrors(t *testing.T) {
	if _, err := expand(t, "t-%d", map[string]string{}, Options{}); !errors.Is(err, ErrNoTimestamp) {
		t.Errorf("missing header: %v", err)
	}
	if _, err := expand(t, "t-%d", map[string]string{"timestamp": "soon"}, Options{}); !errors.Is(err, ErrBadTimestamp) {
		t.Errorf("bad header: %v", err)
	}
	// %% needs the header too, as in Flume.
	if _, err := expand(t, "100%%", nil, Options{}); !errors.Is(err, ErrNoTimestamp) {
		t.Errorf("%%%% without a timestamp: %v", err)
	}
	// Headers alone need none.
	if got, err := expand(t, "%{a}", map[string]string{"a": "1"}, Options{}); err != nil || got != "1" {
		t.Errorf("%q %v", got, err)
	}
}

func TestLocalTimeStamp(t *testing.T) {
	p, _ := Parse("%Y-%m-%d %H:%M %t")
	o := Options{UseLocalTimeStamp: true, Location: time.UTC}
	now := time.Date(2024, 2, 29, 23, 59, 1, 0, time.UTC).UnixMilli()
	at, err := o.At("12345", true, now) // the header is ignored
	if err != nil {
		t.Fatal(err)
	}
	want := "2024-02-29 23:59 " + strconv.FormatInt(now, 10)
	if got := string(Expand(nil, p, MapHeaders(nil), &at)); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestRounding(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2012, 6, 23, 13, 46, 33, 234e6, chicago).UnixMilli()
	for _, tc := range []struct {
		unit  Unit
		value int
		want  string
	}{
		{Second, 5, "13:46:30"},
		{Minute, 5, "13:45:00"},
		{Minute, 10, "13:40:00"},
		{Hour, 12, "12:00:00"},
		{Hour, 1, "13:00:00"},
		{NoRounding, 10, "13:46:33"},
	} {
		o := Options{Location: chicago, Round: tc.unit, RoundValue: tc.value}
		at := o.AtMillis(ts)
		p, _ := Parse("%H:%M:%S %t")
		want := tc.want + " " + strconv.FormatInt(ts, 10) // %t stays unrounded
		if got := string(Expand(nil, p, MapHeaders(nil), &at)); got != want {
			t.Errorf("%v by %d: %q, want %q", tc.unit, tc.value, got, want)
		}
	}
	// Rounding happens on the clock of the zone: 10:30 in India is 05:00 UTC.
	kolkata, _ := JavaLocation("Asia/Kolkata")
	o := Options{Location: kolkata, Round: Hour, RoundValue: 1}
	at := o.AtMillis(time.Date(2020, 1, 1, 5, 10, 0, 0, time.UTC).UnixMilli())
	if got := time.UnixMilli(at.Millis()).UTC().Format("15:04"); got != "04:30" {
		t.Errorf("rounded to %s UTC, want 04:30 (10:00 in Kolkata)", got)
	}
}

func TestJavaLocation(t *testing.T) {
	ref := time.Date(2021, 7, 1, 12, 0, 0, 0, time.UTC)
	for id, wantOffset := range map[string]int{
		"UTC": 0, "GMT": 0, "America/Chicago": -5 * 3600, "GMT+8": 8 * 3600, "GMT-05:30": -(5*3600 + 1800),
		"GMT+0530": 5*3600 + 1800, "PST": -7 * 3600, "EST": -5 * 3600, "CTT": 8 * 3600,
	} {
		loc, ok := JavaLocation(id)
		if !ok {
			t.Errorf("%s: not recognised", id)
			continue
		}
		if _, off := ref.In(loc).Zone(); off != wantOffset {
			t.Errorf("%s: offset %d, want %d", id, off, wantOffset)
		}
	}
	for _, id := range []string{"Mars/Olympus", "UTC+8", "GMT+25", "Local", "", "../etc/passwd"} {
		loc, ok := JavaLocation(id)
		if _, off := ref.In(loc).Zone(); ok || off != 0 {
			t.Errorf("%q: ok %v, offset %d; Java reads it as GMT", id, ok, off)
		}
	}
	for s, want := range map[string]Unit{"second": Second, "MINUTE": Minute, "Hour": Hour} {
		if u, err := ParseUnit(s); err != nil || u != want {
			t.Errorf("%s: %v %v", s, u, err)
		}
	}
	if _, err := ParseUnit("day"); err == nil {
		t.Error("day accepted")
	}
}

// AtCached gives what At gives, for every escape, whatever the order of
// the seconds asked.
func TestAtCached(t *testing.T) {
	p, _ := Parse("%a %A %b %B %c %d %e %D %H %I %j %k %l %m %n %M %p %s %S %t %y %Y %z %%")
	chicago, _ := JavaLocation("America/Chicago")
	for _, o := range []Options{{}, {Location: chicago, Round: Minute, RoundValue: 10}, {Round: Hour, RoundValue: 5}} {
		var c Cache
		for _, ms := range []int64{1_600_000_000_000, 1_600_000_000_999, 1_600_000_001_000, 1_600_000_000_500, 7, -1500, 1_636_270_200_123} {
			v := strconv.FormatInt(ms, 10)
			want, _ := o.At(v, true, 0)
			got, err := o.AtCached(&c, v, true, 0)
			if err != nil {
				t.Fatal(err)
			}
			if w, g := string(Expand(nil, p, MapHeaders(nil), &want)), string(Expand(nil, p, MapHeaders(nil), &got)); w != g {
				t.Errorf("%d (%+v): cached %q, want %q", ms, o, g, w)
			}
		}
		if _, err := o.AtCached(&c, "x", true, 0); !errors.Is(err, ErrBadTimestamp) {
			t.Errorf("bad timestamp: %v", err)
		}
		if _, err := o.AtCached(&c, "", false, 0); !errors.Is(err, ErrNoTimestamp) {
			t.Errorf("no timestamp: %v", err)
		}
	}
}

// Expanding a parsed pattern never panics and parsing is linear.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"%{a}/%Y%m%d/%H", "%[localhost]", "%", "%%", "%{", "%[x", "a%{b.c-d}e%[IP]%z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		o := Options{Round: Minute, RoundValue: 7}
		at := o.AtMillis(1_600_000_000_000)
		out := Expand(nil, p, MapHeaders{"a": "A"}, &at)
		if lit, ok := p.Literal(); ok && string(out) != lit {
			t.Fatalf("literal %q expanded to %q", lit, out)
		}
	})
}

func BenchmarkExpand(b *testing.B) {
	p, _ := Parse("/data/%{host}/%Y%m%d/%H")
	o := Options{Round: Minute, RoundValue: 10}
	h := MapHeaders{"host": "web-1", "timestamp": "1600000000000"}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		v, ok := h.Header("timestamp")
		at, _ := o.At(v, ok, 0)
		buf = Expand(buf[:0], p, h, &at)
	}
}
