package syslog

import (
	"strings"
	"time"
)

// The date arithmetic of the JDK that Flume's syslog parsers rely on, on
// Go's proleptic Gregorian calendar (Java switches to the Julian calendar
// before October 1582, which no syslog timestamp reaches).

// lenientDate is what a lenient java.util.Calendar makes of fields that may
// be out of range (month 13, day 0, hour 99): they carry into the next
// field, as time.Date normalizes them; the wall-clock time is then placed
// in loc as Java does (wallTime).
func lenientDate(year, month, day, hour, min, sec, milli int, loc *time.Location) time.Time {
	return wallTime(time.Date(year, time.Month(month), day, hour, min, sec, milli*int(time.Millisecond), time.UTC), loc)
}

// wallTime returns the instant at which the clocks of loc show the wall
// time w (given in UTC's fields), choosing as the JDK's calendar does
// where time.Date leaves the choice open: around a change of offset, the
// later offset applies from the moment its clocks show the change's time
// on. A wall time that occurs twice (clocks turned back) is read in the
// later offset; one that does not occur (clocks turned forward) in the
// earlier one, which puts it after the change.
func wallTime(w time.Time, loc *time.Location) time.Time {
	if loc == time.UTC {
		return w
	}
	offset := func(t time.Time) time.Duration {
		_, off := t.In(loc).Zone()
		return time.Duration(off) * time.Second
	}
	before, after := offset(w.Add(-26*time.Hour)), offset(w.Add(26*time.Hour))
	if before == after {
		return w.Add(-before).In(loc)
	}
	// The change is between: find its instant.
	lo, hi := w.Add(-26*time.Hour), w.Add(26*time.Hour)
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if offset(mid) == before {
			lo = mid
		} else {
			hi = mid
		}
	}
	change := hi.Truncate(time.Second)
	if !w.Before(change.Add(after)) {
		return w.Add(-after).In(loc)
	}
	return w.Add(-before).In(loc)
}

// addMonths is Calendar.add(MONTH, n) (and add(YEAR, n) for n a multiple
// of 12): the month moves, the day of the month is pinned to the new
// month's length, the wall-clock time stays.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	total := int(m) - 1 + n
	y += floorDiv(total, 12)
	m = time.Month(total - 12*floorDiv(total, 12) + 1)
	d = min(d, daysIn(y, m))
	return wallTime(time.Date(y, m, d, hh, mm, ss, t.Nanosecond(), time.UTC), t.Location())
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// rollYear puts a timestamp that came without a year (RFC 3164) in the
// twelve months around now, as Flume's SyslogUtils does: a date more than
// a month ahead is last year's, a date more than eleven months back is next
// year's.
func rollYear(t, now time.Time) time.Time {
	switch {
	case t.After(now) && addMonths(t, -1).After(now):
		return addMonths(t, -12)
	case t.Before(now) && addMonths(t, 11).Before(now):
		return addMonths(t, 12)
	}
	return t
}

var shortMonths = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// month returns the month named by an English short month name, ignoring
// case, as SimpleDateFormat's and Joda's "MMM" parse it.
func month(name string) (int, bool) {
	for i, m := range shortMonths {
		if strings.EqualFold(name, m) {
			return i + 1, true
		}
	}
	return 0, false
}

// digits returns s as a number when it is made of ASCII digits only.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = 10*n + int(c-'0')
	}
	return n, true
}
