package live

import (
	"sync"
	"time"
)

// History is a ring of the last samples: bounded, safe for concurrent use.
type History struct {
	mu      sync.Mutex
	ring    []*sample
	start   int // index of the oldest sample
	n       int
	lastSeq uint64
}

// NewHistory returns a ring of at most size samples.
func NewHistory(size int) *History { return &History{ring: make([]*sample, max(size, 2))} }

// add takes a sample of the totals at time at.
func (h *History) add(at time.Time, now map[string]totals) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var prev *sample
	if h.n > 0 {
		prev = h.ring[(h.start+h.n-1)%len(h.ring)]
	}
	h.lastSeq++
	s := next(prev, h.lastSeq, at, now)
	if h.n < len(h.ring) {
		h.ring[(h.start+h.n)%len(h.ring)] = s
		h.n++
		return
	}
	h.ring[h.start] = s
	h.start = (h.start + 1) % len(h.ring)
}

// since returns the samples after sequence number seq, oldest first.
func (h *History) since(seq uint64) []*sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*sample
	for i := range h.n {
		if s := h.ring[(h.start+i)%len(h.ring)]; s.seq > seq {
			out = append(out, s)
		}
	}
	return out
}

// Len returns the number of samples held.
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}
