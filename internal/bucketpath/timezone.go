package bucketpath

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // hdfs.timeZone names work where the system has no zoneinfo
)

// javaShortIDs are the three-letter zone IDs java.util.TimeZone still
// accepts (ZoneId.SHORT_IDS); EST, MST and HST are fixed offsets there.
var javaShortIDs = map[string]string{
	"ACT": "Australia/Darwin", "AET": "Australia/Sydney", "AGT": "America/Argentina/Buenos_Aires",
	"ART": "Africa/Cairo", "AST": "America/Anchorage", "BET": "America/Sao_Paulo", "BST": "Asia/Dhaka",
	"CAT": "Africa/Harare", "CNT": "America/St_Johns", "CST": "America/Chicago", "CTT": "Asia/Shanghai",
	"EAT": "Africa/Addis_Ababa", "ECT": "Europe/Paris", "IET": "America/Indiana/Indianapolis",
	"IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "MIT": "Pacific/Apia", "NET": "Asia/Yerevan",
	"NST": "Pacific/Auckland", "PLT": "Asia/Karachi", "PNT": "America/Phoenix", "PRT": "America/Puerto_Rico",
	"PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal", "VST": "Asia/Ho_Chi_Minh",
	"EST": "-05:00", "MST": "-07:00", "HST": "-10:00",
}

// JavaLocation returns the time zone java.util.TimeZone.getTimeZone(id)
// returns: a tz database name (America/Chicago), UTC or GMT, a custom
// GMT offset (GMT+8, GMT-05:30, GMT+0530) or one of Java's three-letter
// IDs (PST, CST, ...). Java silently reads any other ID as GMT: so does
// JavaLocation, with ok false so that the caller can warn.
func JavaLocation(id string) (loc *time.Location, ok bool) {
	if off, ok := customOffset(id); ok {
		return time.FixedZone(id, off), true
	}
	if name, ok := javaShortIDs[id]; ok {
		if off, ok := customOffset("GMT" + name); ok {
			return time.FixedZone(id, off), true
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, true
		}
	}
	if id != "" && id != "Local" && !strings.HasPrefix(id, "/") && !strings.Contains(id, "..") {
		if loc, err := time.LoadLocation(id); err == nil {
			return loc, true
		}
	}
	return time.FixedZone("GMT", 0), false
}

// customOffset parses Java's custom zone IDs, GMT followed by a sign and
// hours (one or two digits), optionally minutes (":mm" or "mm").
func customOffset(id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, "GMT")
	if !ok || len(rest) < 2 || (rest[0] != '+' && rest[0] != '-') {
		return 0, false
	}
	sign := 1
	if rest[0] == '-' {
		sign = -1
	}
	rest = rest[1:]
	var hh, mm string
	switch {
	case strings.Contains(rest, ":"):
		hh, mm, _ = strings.Cut(rest, ":")
		if len(mm) != 2 {
			return 0, false
		}
	case len(rest) <= 2:
		hh = rest
	case len(rest) == 4:
		hh, mm = rest[:2], rest[2:]
	default:
		return 0, false
	}
	if len(hh) == 0 || len(hh) > 2 {
		return 0, false
	}
	h, err := strconv.Atoi(hh)
	if err != nil || h > 23 {
		return 0, false
	}
	m := 0
	if mm != "" {
		if m, err = strconv.Atoi(mm); err != nil || m > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}

// ParseUnit reads hdfs.roundUnit: second, minute or hour in any case.
func ParseUnit(s string) (Unit, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "second":
		return Second, nil
	case "minute":
		return Minute, nil
	case "hour":
		return Hour, nil
	}
	return NoRounding, fmt.Errorf("not a rounding unit (second, minute or hour)")
}
