package heapfloor

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// runtimeMinimum is the runtime's smallest heap goal at GOGC=100; it
// scales with GOGC.
const runtimeMinimum = 4 << 20

// maxPercent bounds the GOGC a floor sets.
const maxPercent = 10000

// While collections come often, each new cycle is seen within busyPoll;
// after quietPolls polls without one, polling stops until a collection's
// cleanup wakes it.
const (
	busyPoll   = time.Millisecond
	quietPolls = 100
)

// Floor is a running heap floor; Stop ends it.
type Floor struct {
	floor int64
	base  int // the GOGC to restore, and the least one to set

	samples []metrics.Sample // read by the polling goroutine only
	cycles  uint64           // the last cycle adjusted for
	percent int              // the GOGC set last

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
	wake     chan struct{} // a collection happened
}

// running is set while a floor runs: GOGC is the process's, so one floor
// at a time owns it.
var running atomic.Bool

// Start keeps the heap goal at about floor bytes or more until Stop, on top
// of the current GOGC, which it never lowers and restores when stopped. It
// returns nil, doing nothing, when floor ≤ 0, the garbage collector is off
// (GOGC=off), or another floor is running in the process (two agents in one
// test binary).
//
// A goroutine reads the runtime's count of collections every millisecond
// while they come often and sets GOGC for the live heap of each new one.
// When they stop coming it sleeps until a collection's cleanup wakes it,
// so an idle agent does not poll. The cleanups alone would be too late:
// cleanups and finalizers, the runtime's only hooks into a collection, run
// once the sweeper has reached their object, which on a busy machine is
// tens of milliseconds after the cycle, and a GOGC raised for a small live
// heap and still in force for a larger one let the heap overshoot the
// floor by as much (with cleanups alone and a 16 MB floor, the TAILDIR
// scenario's peak RSS was 52 to 64 MB instead of about 40).
func Start(floor int64) *Floor {
	if floor <= 0 || !running.CompareAndSwap(false, true) {
		return nil
	}
	base := CurrentPercent()
	if base < 0 {
		running.Store(false)
		return nil
	}
	f := &Floor{floor: floor, base: base, percent: base, cycles: math.MaxUint64, samples: []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/scan/stack:bytes"},
		{Name: "/gc/scan/globals:bytes"},
	}, stop: make(chan struct{}), done: make(chan struct{}), wake: make(chan struct{}, 1)}
	f.adjust()
	f.arm()
	go f.poll()
	return f
}

// sentinel is allocated anew after every collection; its cleanup runs
// once a later collection has found it unreachable.
type sentinel struct{ _ [32]byte }

func (f *Floor) arm() {
	runtime.AddCleanup(new(sentinel), func(f *Floor) {
		select {
		case f.wake <- struct{}{}:
		default:
		}
		select {
		case <-f.stop:
		default:
			f.arm()
		}
	}, f)
}

// Stop ends the floor and restores the GOGC in force before Start; the
// polling goroutine has ended when it returns. It is safe on a nil Floor
// and idempotent.
func (f *Floor) Stop() {
	if f == nil {
		return
	}
	f.stopOnce.Do(func() {
		close(f.stop)
		<-f.done
		debug.SetGCPercent(f.base)
		running.Store(false)
	})
}

func (f *Floor) poll() {
	defer close(f.done)
	t := time.NewTimer(busyPoll)
	defer t.Stop()
	tick := t.C
	quiet := 0
	for {
		select {
		case <-f.stop:
			return
		case <-f.wake:
		case <-tick:
		}
		if f.adjust() {
			quiet = 0
		} else {
			quiet++
		}
		if quiet <= quietPolls {
			t.Reset(busyPoll)
			tick = t.C
		} else {
			tick = nil // until a cleanup wakes it
		}
	}
}

// adjust sets GOGC for the live heap the last collection found, if it is
// one it has not seen, and reports whether it was.
func (f *Floor) adjust() bool {
	metrics.Read(f.samples)
	c := uint64(value(f.samples[0]))
	if c == f.cycles {
		return false
	}
	f.cycles = c
	live, roots := value(f.samples[1]), value(f.samples[2])+value(f.samples[3])
	if p := Percent(f.floor, f.base, live, roots); p != f.percent {
		f.percent = p
		debug.SetGCPercent(p)
	}
	return true
}

func value(s metrics.Sample) int64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(min(s.Value.Uint64(), math.MaxInt64))
}

// Percent returns the GOGC, at least base, that makes the runtime's next
// heap goal about floor for a live heap of live bytes and roots bytes of
// stacks and globals to scan. The runtime's goal is the larger of
// live + (live + roots) × GOGC/100 and 4 MB × GOGC/100.
func Percent(floor int64, base int, live, roots int64) int {
	if live >= floor {
		return base
	}
	p := min((floor-live)*100/max(live+roots, 1), floor*100/runtimeMinimum, maxPercent)
	return int(max(p, int64(base)))
}

// CurrentPercent returns the GOGC in force (negative when the collector is
// off).
func CurrentPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 100
	}
	v := s[0].Value.Uint64()
	if v > math.MaxInt32 {
		return -1
	}
	return int(v)
}
