package interceptor

import (
	"strings"
	"testing"
	"time"
)

func TestJodaPatterns(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		pattern, value string
		want           time.Time
	}{
		{"yyyy-MM-dd HH:mm:ss", "2012-10-17 14:34:44", time.Date(2012, 10, 17, 14, 34, 44, 0, time.UTC)},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2012-10-17T14:34:44.123+0200", time.Date(2012, 10, 17, 12, 34, 44, 123e6, time.UTC)},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2012-10-17T14:34:44.123Z", time.Date(2012, 10, 17, 14, 34, 44, 123e6, time.UTC)},
		{"dd/MMM/yyyy:HH:mm:ss Z", "10/Oct/2000:13:55:36 -0700", time.Date(2000, 10, 10, 20, 55, 36, 0, time.UTC)},
		{"d/M/yyyy H:m:s", "5/3/2001 7:8:9", time.Date(2001, 3, 5, 7, 8, 9, 0, time.UTC)},
		{"yyyy-MM-dd HH:mm:ss,SSS", "2001-03-05 07:08:09,5", time.Date(2001, 3, 5, 7, 8, 9, 500e6, time.UTC)},
		{"MMM d HH:mm:ss", "Oct 5 01:02:03", time.Date(1970, 10, 5, 1, 2, 3, 0, time.UTC)}, // no year: 1970
		{"yy-MM-dd", "45-01-01", time.Date(1945, 1, 1, 0, 0, 0, 0, time.UTC)},              // pivot 1995: 1945..2044
		{"yy-MM-dd", "44-01-01", time.Date(2044, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"yy-MM-dd", "99-12-31", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"EEE, d MMM yyyy HH:mm:ss ZZ", "Tue, 3 Jun 2008 11:05:30 +01:00", time.Date(2008, 6, 3, 10, 5, 30, 0, time.UTC)},
		{"EEEE d MMMM yyyy", "tuesday 3 june 2008", time.Date(2008, 6, 3, 0, 0, 0, 0, time.UTC)},
		{"hh:mm a", "07:15 PM", time.Date(1970, 1, 1, 19, 15, 0, 0, time.UTC)},
		{"yyyyMMddHHmmss", "20121017143444", time.Date(2012, 10, 17, 14, 34, 44, 0, time.UTC)},
		{"yyyy.DDD", "2012.291", time.Date(2012, 10, 17, 0, 0, 0, 0, time.UTC)},
		{"''yyyy'' 'at' HH", "'2012' at 14", time.Date(2012, 1, 1, 14, 0, 0, 0, time.UTC)},
	} {
		j, err := translateJoda(tc.pattern)
		if err != nil {
			t.Errorf("%q: %v", tc.pattern, err)
			continue
		}
		got, err := j.parse(tc.value, time.UTC, now)
		if err != nil {
			t.Errorf("%q on %q: %v (layout %q)", tc.pattern, tc.value, err, j.layout)
			continue
		}
		if !got.Equal(tc.want) {
			t.Errorf("%q on %q = %v, want %v", tc.pattern, tc.value, got.UTC(), tc.want)
		}
	}
	// Without a zone in the pattern, the given location applies.
	j, _ := translateJoda("yyyy-MM-dd HH:mm")
	ny, err := time.LoadLocation("America/New_York")
	if err == nil {
		got, _ := j.parse("2020-07-01 12:00", ny, now)
		if got.UnixMilli() != time.Date(2020, 7, 1, 16, 0, 0, 0, time.UTC).UnixMilli() {
			t.Errorf("local zone: %v", got.UTC())
		}
	}
	for _, bad := range []string{"2012-13-01", "2012-10-17x", "17/10/2012"} {
		j, _ := translateJoda("yyyy-MM-dd")
		if _, err := j.parse(bad, time.UTC, now); err == nil {
			t.Errorf("%q parsed with yyyy-MM-dd", bad)
		}
	}
}

func TestJodaPatternsRejected(t *testing.T) {
	for _, tc := range []struct{ pattern, want string }{
		{"yyyy-MM-dd HH:mm:ss z", "time zone names"},
		{"yyyy ZZZ", "time zone ids"},
		{"kk:mm", "hour field k"},
		{"xxxx-ww", "week-based"},
		{"G yyyy", "era"},
		{"yyyy qq", "illegal pattern letter q"},
		{"HHmmssSSS", "fraction of second"},
		{"yyyy-D", "day of year"},
		{"'Jan' yyyy", "literal text"},
		{"yyyy1MM", "literal text"},
		{"'T", "unterminated"},
		{"Ms", "run together"},
		{"", "empty"},
	} {
		if _, err := translateJoda(tc.pattern); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.pattern, err, tc.want)
		}
	}
}
