package hdfs

import "time"

// clock is the sink's time source: rolls, idle closes, retries and the
// time of events without a timestamp read it. Tests substitute a manual
// clock, so that intervals pass without sleeping.
type clock interface {
	Now() time.Time
	// TimerAt returns a timer firing at t (at once if t has passed).
	TimerAt(t time.Time) timer
}

type timer interface {
	C() <-chan time.Time
	Stop() bool
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) TimerAt(t time.Time) timer { return realTimer{time.NewTimer(time.Until(t))} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }
