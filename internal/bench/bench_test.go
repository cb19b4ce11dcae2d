package bench

import (
	"os"
	"testing"
	"time"
)

func TestStatCPU(t *testing.T) {
	// The command name may hold spaces and parentheses.
	line := "4242 (flume (ng) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 123 45 0 0 20 0 9 0 100 200 300"
	if got := statCPU([]byte(line)); got != 1680*time.Millisecond {
		t.Fatalf("statCPU = %v, want 1.68s", got)
	}
	if statCPU([]byte("garbage")) != 0 {
		t.Fatal("a line without fields gave CPU time")
	}
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	if statCPU(self) < 0 {
		t.Fatal("negative CPU time")
	}
}

func TestMedian(t *testing.T) {
	rs := []Result{
		{Events: 100, Elapsed: 3 * time.Second, CPU: 100 * time.Millisecond},
		{Events: 100, Elapsed: 1 * time.Second, CPU: 900 * time.Millisecond},
		{Events: 100, Elapsed: 2 * time.Second, CPU: 300 * time.Millisecond},
	}
	m := Median(rs)
	if m.Elapsed != 2*time.Second || m.CPUPerEvent() != 3*time.Millisecond {
		t.Fatalf("median %v, %v per event; want 2s, 3ms", m.Elapsed, m.CPUPerEvent())
	}
	if (Result{}).CPUPerEvent() != 0 {
		t.Fatal("CPU per event of no events")
	}
}
