package loadevent

import (
	"strconv"
	"time"

	"github.com/flumego/flume"
)

// Host is the value of the host header: a fully qualified host name of a
// typical length.
const Host = "web-042.dc1.example.com"

// Names returns the names of the first n headers of a load event:
// timestamp, host, seq, then h4, h5, ...
func Names(n int) []string {
	names := []string{"timestamp", "host", "seq"}
	for i := len(names) + 1; i <= n; i++ {
		names = append(names, "h"+strconv.Itoa(i))
	}
	return names[:min(n, len(names))]
}

// Body returns a body of size bytes (lower-case letters).
func Body(size int) []byte {
	body := make([]byte, size)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	return body
}

// Batch returns n events sharing body, each with headers headers (see
// Names): timestamp is now in epoch milliseconds (13 digits), host is Host,
// seq counts from first, and h4... carry 16-character values.
func Batch(n int, body []byte, headers int, first int64) []flume.Event {
	stamp := strconv.FormatInt(time.Now().UnixMilli(), 10)
	names := Names(headers)
	evs := make([]flume.Event, n)
	for i := range evs {
		e := flume.Event{Body: body}
		for j, name := range names {
			var v string
			switch j {
			case 0:
				v = stamp
			case 1:
				v = Host
			case 2:
				v = strconv.FormatInt(first+int64(i), 10)
			default:
				v = "value-" + strconv.Itoa(j+1) + "-abcdefgh"
			}
			e.SetHeader(name, v)
		}
		evs[i] = e
	}
	return evs
}
