package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		floor       int64
		base        int
		live, roots int64
		want        int
	}{
		{16 * mb, 100, 3 * mb, 1 * mb / 4, 400}, // capped by the runtime's scaled minimum (4 MB × 4 = 16 MB)
		{16 * mb, 100, 6 * mb, 0, 166},          // 6 + 6 × 1.66 ≈ 16 MB
		{16 * mb, 100, 8 * mb, 0, 100},          // the base already reaches the floor
		{16 * mb, 100, 20 * mb, 0, 100},         // above the floor: the base
		{16 * mb, 300, 6 * mb, 0, 300},          // never below the base
		{16 * mb, 100, 0, 0, 400},               // before the first collection
		{1 << 40, 100, 1, 0, maxPercent},        // bounded
	} {
		if got := Percent(c.floor, c.base, c.live, c.roots); got != c.want {
			t.Errorf("Percent(%d, %d, %d, %d) = %d, want %d", c.floor, c.base, c.live, c.roots, got, c.want)
		}
		if got := Percent(c.floor, c.base, c.live, c.roots); got > c.base {
			// The goal the runtime computes from it is about the floor,
			// never much more.
			goal := max(c.live+(c.live+c.roots)*int64(got)/100, runtimeMinimum*int64(got)/100)
			if goal > c.floor+c.floor/100 && got < maxPercent {
				t.Errorf("Percent(%d, %d, %d, %d) = %d gives a goal of %d, above the floor", c.floor, c.base, c.live, c.roots, got, goal)
			}
		}
	}
}

func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func TestStartRaisesTheGoalAndStopRestoresGOGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	const floor = 64 << 20
	runtime.GC()
	if g := heapGoal(); g >= floor/2 {
		t.Skipf("the heap goal is already %d bytes", g)
	}
	f := Start(floor)
	defer f.Stop()
	flumetest.WaitFor(t, 10*time.Second, "a heap goal near the floor after collections", func() bool {
		runtime.GC()
		return heapGoal() >= floor*9/10
	})
	if p := CurrentPercent(); p <= 100 {
		t.Fatalf("GOGC is %d with the floor running, want more than 100", p)
	}
	f.Stop()
	f.Stop()
	if p := CurrentPercent(); p != 100 {
		t.Fatalf("GOGC is %d after Stop, want 100 restored", p)
	}
	runtime.GC()
	runtime.GC()
	if p := CurrentPercent(); p != 100 {
		t.Fatalf("GOGC is %d after Stop and collections, want 100", p)
	}
}

func TestStartDoesNothingWithTheCollectorOff(t *testing.T) {
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	if f := Start(64 << 20); f != nil {
		f.Stop()
		t.Fatal("Start with GOGC=off returned a running floor")
	}
	if p := CurrentPercent(); p >= 0 {
		t.Fatalf("GOGC is %d, want off", p)
	}
	var f *Floor
	f.Stop() // safe on nil
}

// TestGOGCFollowsTheLiveHeap: once the live heap passes the floor the base
// GOGC is back (the floor costs nothing then), and when it shrinks again
// the floor is raised anew.
func TestGOGCFollowsTheLiveHeap(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	const floor = 8 << 20
	f := Start(floor)
	defer f.Stop()
	big := make([]byte, 2*floor) // live, not touched: no resident memory
	flumetest.WaitFor(t, 10*time.Second, "GOGC back at its base with a live heap above the floor", func() bool {
		runtime.GC()
		return CurrentPercent() == 100
	})
	runtime.KeepAlive(big)
	big = nil
	flumetest.WaitFor(t, 10*time.Second, "GOGC raised again once the live heap shrank", func() bool {
		runtime.GC()
		return CurrentPercent() > 100
	})
}

// TestOneFloorAtATime: GOGC is the process's, so a second Start while a
// floor runs does nothing, and GOGC is the original one after both stop.
func TestOneFloorAtATime(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	f := Start(64 << 20)
	if f == nil {
		t.Fatal("the first floor did not start")
	}
	if g := Start(32 << 20); g != nil {
		g.Stop()
		f.Stop()
		t.Fatal("a second floor started while the first ran")
	}
	f.Stop()
	if p := CurrentPercent(); p != 100 {
		t.Fatalf("GOGC is %d after Stop, want 100", p)
	}
	g := Start(32 << 20)
	if g == nil {
		t.Fatal("no floor starts after the first stopped")
	}
	g.Stop()
}
