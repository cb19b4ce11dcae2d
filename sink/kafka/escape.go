package kafka

import (
	"errors"
	"fmt"
	"github.com/flumego/flume"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume/internal/localhost"
)

// topicFormat is kafka.topic parsed for Flume's escapes (BucketPath):
//
//	%{name}                 the event header name, "" when absent
//	%[localhost] %[IP] %[FQDN]  this host's name, address, canonical name
//	%x                      a time field of the event's "timestamp" header
//	                        (epoch ms, required), in the local time zone
//
// The %x fields: %a %A (weekday), %b %B (month name), %c (date and time),
// %d %e (day of month), %D (MM/dd/yy), %H %I %k %l (hour), %j (day of
// year), %m %n (month), %M (minute), %p (AM/PM), %s (epoch seconds), %S
// (second), %t (the timestamp header verbatim), %y %Y (year), %z (zone
// offset), %% (a percent sign; it too needs the header, as in Flume). Any
// other %<word character> becomes "".
type topicFormat struct {
	parts   []topicPart
	literal bool // no escapes: the topic is parts[0].text
}

type topicPart struct {
	kind byte // 0 literal, 'h' header, 's' static, 't' time shorthand
	text string
}

// parseTopic splits s by Flume's tag pattern
// %(\w|%)|%\{([\w.-]+)\}|%\[(\w+)\]. An unknown %[name] is an error, as
// in Flume (where it fails every event).
func parseTopic(s string) (topicFormat, error) {
	var f topicFormat
	lit := func(t string) {
		if t == "" {
			return
		}
		if n := len(f.parts); n > 0 && f.parts[n-1].kind == 0 {
			f.parts[n-1].text += t
			return
		}
		f.parts = append(f.parts, topicPart{text: t})
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
		case strings.HasPrefix(rest, "{"):
			if end := strings.IndexByte(rest, '}'); end > 1 && allChars(rest[1:end], isWordOrDotDash) {
				f.parts = append(f.parts, topicPart{kind: 'h', text: rest[1:end]})
				i += end + 2
				continue
			}
		case strings.HasPrefix(rest, "["):
			if end := strings.IndexByte(rest, ']'); end > 1 && allChars(rest[1:end], isWord) {
				name := rest[1:end]
				switch strings.ToLower(name) {
				case "localhost", "ip", "fqdn":
				default:
					return f, fmt.Errorf("the static escape %%[%s] does not match any of (localhost,IP,FQDN)", name)
				}
				f.parts = append(f.parts, topicPart{kind: 's', text: strings.ToLower(name)})
				i += end + 2
				continue
			}
		case rest != "" && (isWord(rest[0]) || rest[0] == '%'):
			f.parts = append(f.parts, topicPart{kind: 't', text: rest[:1]})
			i += 2
			continue
		}
		lit("%")
		i++
	}
	f.literal = len(f.parts) == 0 || (len(f.parts) == 1 && f.parts[0].kind == 0)
	if len(f.parts) == 0 {
		f.parts = []topicPart{{}}
	}
	return f, nil
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isWordOrDotDash(c byte) bool { return isWord(c) || c == '.' || c == '-' }

func allChars(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// errNoTimestamp is returned for time escapes on an event without a usable
// "timestamp" header.
var errNoTimestamp = errors.New("the topic has time escapes but the event has no timestamp header (epoch milliseconds; add a timestamp interceptor)")

// expand returns the topic for event e (its headers).
func (f *topicFormat) expand(e flume.Event) (string, error) {
	if f.literal {
		return f.parts[0].text, nil
	}
	var b strings.Builder
	for _, p := range f.parts {
		switch p.kind {
		case 0:
			b.WriteString(p.text)
		case 'h':
			v, _ := e.Header(p.text)
			b.WriteString(v)
		case 's':
			b.WriteString(hostInfo(p.text))
		case 't':
			s, err := timeShorthand(p.text[0], e)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		}
	}
	return b.String(), nil
}

func timeShorthand(c byte, e flume.Event) (string, error) {
	raw, ok := e.Header("timestamp")
	if !ok {
		return "", errNoTimestamp
	}
	ms, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return "", fmt.Errorf("the timestamp header %q is not epoch milliseconds, needed by the topic's time escapes", raw)
	}
	t := time.UnixMilli(ms).In(time.Local)
	switch c {
	case '%':
		return "%", nil
	case 'a':
		return t.Format("Mon"), nil
	case 'A':
		return t.Format("Monday"), nil
	case 'b':
		return t.Format("Jan"), nil
	case 'B':
		return t.Format("January"), nil
	case 'c':
		return t.Format("Mon Jan 2 15:04:05 2006"), nil
	case 'd':
		return t.Format("02"), nil
	case 'e':
		return t.Format("2"), nil
	case 'D':
		return t.Format("01/02/06"), nil
	case 'H':
		return t.Format("15"), nil
	case 'I':
		return t.Format("03"), nil
	case 'j':
		return fmt.Sprintf("%03d", t.YearDay()), nil
	case 'k':
		return strconv.Itoa(t.Hour()), nil
	case 'l':
		return t.Format("3"), nil
	case 'm':
		return t.Format("01"), nil
	case 'M':
		return t.Format("04"), nil
	case 'n':
		return strconv.Itoa(int(t.Month())), nil
	case 'p':
		return t.Format("PM"), nil
	case 's':
		return strconv.FormatInt(ms/1000, 10), nil
	case 'S':
		return t.Format("05"), nil
	case 't':
		return raw, nil
	case 'y':
		return t.Format("06"), nil
	case 'Y':
		return t.Format("2006"), nil
	case 'z':
		return t.Format("-0700"), nil
	}
	return "", nil
}

// hostInfo returns this host's name (localhost), address (ip) or
// canonical name (fqdn), looked up once.
func hostInfo(key string) string {
	info := localhost.Get()
	switch key {
	case "localhost":
		return info.Name
	case "ip":
		return info.IP
	}
	return info.CanonicalName
}
