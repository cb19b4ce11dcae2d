package demo

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Tally counts deliveries by stream (a web server, an application) and
// sequence number, to tell what was lost and what was delivered twice.
type Tally struct {
	mu   sync.Mutex
	seen map[string]map[int64]int
}

// NewTally returns an empty tally.
func NewTally() *Tally { return &Tally{seen: map[string]map[int64]int{}} }

// Add counts one delivery of seq of stream.
func (t *Tally) Add(stream string, seq int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.seen[stream]
	if m == nil {
		m = map[int64]int{}
		t.seen[stream] = m
	}
	m[seq]++
}

// Distinct returns how many distinct numbers of stream were delivered.
func (t *Tally) Distinct(stream string) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return int64(len(t.seen[stream]))
}

// Report is what a Tally says about one stream whose numbers 1..Want were
// sent.
type Report struct {
	Stream     string
	Want       int64   // numbers sent: 1..Want
	Delivered  int64   // deliveries counted, duplicates included
	Missing    []int64 // numbers of 1..Want never delivered
	Duplicates int64   // deliveries beyond the first of a number
	Unexpected []int64 // numbers outside 1..Want
}

// Report returns the report for stream.
func (t *Tally) Report(stream string, want int64) Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := Report{Stream: stream, Want: want}
	m := t.seen[stream]
	for seq, n := range m {
		r.Delivered += int64(n)
		r.Duplicates += int64(n - 1)
		if seq < 1 || seq > want {
			r.Unexpected = append(r.Unexpected, seq)
		}
	}
	for seq := int64(1); seq <= want; seq++ {
		if m[seq] == 0 {
			r.Missing = append(r.Missing, seq)
		}
	}
	sort.Slice(r.Unexpected, func(i, j int) bool { return r.Unexpected[i] < r.Unexpected[j] })
	return r
}

// Complete reports whether every number was delivered and none unexpected.
func (r Report) Complete() bool { return len(r.Missing) == 0 && len(r.Unexpected) == 0 }

// String summarises the report in one line.
func (r Report) String() string {
	s := fmt.Sprintf("%s: %d of %d arrived, %d missing, %d duplicates", r.Stream,
		r.Want-int64(len(r.Missing)), r.Want, len(r.Missing), r.Duplicates)
	if len(r.Missing) > 0 {
		s += " (missing " + ranges(r.Missing) + ")"
	}
	if len(r.Unexpected) > 0 {
		s += fmt.Sprintf(", %d unexpected numbers (%s)", len(r.Unexpected), ranges(r.Unexpected))
	}
	return s
}

// ranges renders sorted numbers as "3-7, 9, 12-13", at most 10 runs.
func ranges(nums []int64) string {
	var parts []string
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if len(parts) == 10 {
			parts = append(parts, "...")
			break
		}
		if i == j {
			parts = append(parts, fmt.Sprint(nums[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", nums[i], nums[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
