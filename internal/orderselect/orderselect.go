package orderselect

import (
	"math/rand/v2"
	"time"
)

// DefaultMaxTimeOut is Flume's selector.maxTimeOut default: the longest a
// failed member is left out.
const DefaultMaxTimeOut = 30 * time.Second

// Flume's OrderSelector constants: the exponent of the backoff stops
// growing at 16, and a failure counts as "sequential" (doubling the
// exclusion) when it comes within the previous exclusion plus one hour.
const (
	maxSequentialFails = 16
	sequentialWindow   = time.Hour
)

// Backoff is Flume's exponential penalty after n sequential failures:
// min(limit, 1 s << n).
func Backoff(n int, limit time.Duration) time.Duration {
	if n > 30 {
		n = 30
	}
	return min(limit, time.Duration(1<<n)*time.Second)
}

// Selector orders n members. It implements flume.SinkSelector. It is not
// safe for concurrent use, and the slice Order returns is reused by the
// next call.
type Selector struct {
	random     bool
	backoff    bool
	maxTimeOut time.Duration
	now        func() time.Time
	state      []failureState
	nextHead   int
	buf, order []int     // reused between calls
	until      time.Time // the latest restore time of any member; zero when none is excluded
}

type failureState struct {
	lastFail, restore time.Time
	fails             int
}

// New returns a selector for n members: round robin, or a random
// permutation per call; with backoff, failed members are left out for at
// most maxTimeOut (DefaultMaxTimeOut when ≤ 0). now is the clock (time.Now
// when nil).
func New(n int, random, backoff bool, maxTimeOut time.Duration, now func() time.Time) *Selector {
	if maxTimeOut <= 0 {
		maxTimeOut = DefaultMaxTimeOut
	}
	if now == nil {
		now = time.Now
	}
	return &Selector{random: random, backoff: backoff, maxTimeOut: maxTimeOut, now: now, state: make([]failureState, n)}
}

// Order returns the eligible members among the first n, in the order to
// try them: round robin starts one further on each call.
func (s *Selector) Order(n int) []int {
	active := s.buf[:0]
	// Read the clock only while some member may still be excluded (reading
	// it costs more than the rest of this call on some machines).
	var now time.Time
	filter := false
	if s.backoff && !s.until.IsZero() {
		now = s.now()
		if s.until.Before(now) {
			s.until = time.Time{}
		} else {
			filter = true
		}
	}
	for i := 0; i < n && i < len(s.state); i++ {
		if !filter || s.state[i].restore.Before(now) {
			active = append(active, i)
		}
	}
	s.buf = active
	if len(active) == 0 {
		return nil
	}
	if s.random {
		rand.Shuffle(len(active), func(a, b int) { active[a], active[b] = active[b], active[a] })
		return active
	}
	if s.nextHead >= len(active) {
		s.nextHead = 0
	}
	begin := s.nextHead
	s.nextHead = (s.nextHead + 1) % len(active)
	order := s.order[:0]
	for i := range active {
		order = append(order, active[(begin+i)%len(active)])
	}
	s.order = order
	return order
}

// Failed records a failure of member i and, with backoff, excludes it.
func (s *Selector) Failed(i int) {
	if !s.backoff || i < 0 || i >= len(s.state) {
		return
	}
	st := &s.state[i]
	now := s.now()
	last := Backoff(st.fails, s.maxTimeOut)
	if now.Sub(st.lastFail) < last+sequentialWindow {
		if st.fails < maxSequentialFails {
			st.fails++
		}
	} else {
		st.fails = 1
	}
	st.lastFail = now
	st.restore = now.Add(Backoff(st.fails, s.maxTimeOut))
	if st.restore.After(s.until) {
		s.until = st.restore
	}
}

// Excluded returns until when member i is left out after its failures
// (zero when it is not, or without backoff), for a report of the members'
// states. Like Order and Failed, it is called from the selector's
// goroutine.
func (s *Selector) Excluded(i int) time.Time {
	if !s.backoff || i < 0 || i >= len(s.state) {
		return time.Time{}
	}
	return s.state[i].restore
}
