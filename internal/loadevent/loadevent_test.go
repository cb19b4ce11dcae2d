package loadevent

import (
	"slices"
	"strconv"
	"testing"
)

func TestNames(t *testing.T) {
	for n, want := range map[int][]string{
		0: {},
		1: {"timestamp"},
		3: {"timestamp", "host", "seq"},
		5: {"timestamp", "host", "seq", "h4", "h5"},
	} {
		if got := Names(n); !slices.Equal(got, want) {
			t.Errorf("Names(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBatch(t *testing.T) {
	body := Body(200)
	evs := Batch(4, body, 4, 10)
	if len(evs) != 4 {
		t.Fatalf("%d events", len(evs))
	}
	for i, e := range evs {
		if len(e.Body) != 200 || e.Body[25] != 'z' || e.HeaderCount() != 4 {
			t.Fatalf("event %d: %d body bytes, %d headers", i, len(e.Body), e.HeaderCount())
		}
		ts, _ := e.Header("timestamp")
		host, _ := e.Header("host")
		seq, _ := e.Header("seq")
		h4, _ := e.Header("h4")
		if len(ts) != 13 || host != Host || seq != strconv.Itoa(10+i) || len(h4) != 16 {
			t.Fatalf("event %d: timestamp %q host %q seq %q h4 %q", i, ts, host, seq, h4)
		}
	}
	if e := Batch(1, body, 0, 1)[0]; e.HeaderCount() != 0 {
		t.Fatalf("headers 0: %d headers", e.HeaderCount())
	}
}
