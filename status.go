package flume

import "strconv"

// Status is what a sink (or a sink processor) reports after one Process call.
type Status int

const (
	// Ready means the sink did useful work and should be called again at once.
	Ready Status = iota
	// Backoff means there was nothing to do (typically the channel was
	// empty); the sink runner sleeps before calling again, 1 s more after
	// each consecutive Backoff up to 5 s, as Flume's SinkRunner does.
	Backoff
)

// String returns "READY" or "BACKOFF", Flume's names for the two states.
func (s Status) String() string {
	switch s {
	case Ready:
		return "READY"
	case Backoff:
		return "BACKOFF"
	default:
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
}
