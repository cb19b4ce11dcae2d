package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
)

// receiver is a real HTTP server on loopback that records posted batches
// and fails the first failures requests with 503.
type receiver struct {
	mu       sync.Mutex
	bodies   []string
	headers  []http.Header
	failures int
	requests int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.failures > 0 {
		r.failures--
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	data, _ := io.ReadAll(req.Body)
	var batch []jsonEvent
	if err := json.Unmarshal(data, &batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, e := range batch {
		r.bodies = append(r.bodies, e.Body)
	}
	r.headers = append(r.headers, req.Header.Clone())
}

func setup(t *testing.T, props map[string]string, n int) (*Sink, *memory.Channel, *receiver) {
	t.Helper()
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	ch, _ := memory.New(flume.Settings{}, memory.Config{Capacity: 1000, TransactionCapacity: 100})
	_ = ch.Start(context.Background())
	for i := 0; i < n; i += 10 {
		var evs []flume.Event
		for j := i; j < min(i+10, n); j++ {
			evs = append(evs, flumetest.EventWithHeaders([]byte("event "+strconv.Itoa(j)), map[string]string{"seq": strconv.Itoa(j)}))
		}
		_ = flume.Do(context.Background(), ch, func(tx flume.Transaction) error { return tx.Put(context.Background(), evs...) })
	}
	props["endpoint"] = srv.URL + "/events"
	s, err := Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(props), ch)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Sink), ch, rcv
}

func TestPostsBatchesInOrder(t *testing.T) {
	s, ch, rcv := setup(t, map[string]string{"batchSize": "25", "header.Authorization": "Bearer x"}, 60)
	for ch.Len() > 0 {
		if _, err := s.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(rcv.bodies) != 60 || rcv.bodies[0] != "event 0" || rcv.bodies[59] != "event 59" || rcv.requests != 3 {
		t.Fatalf("%d events in %d requests", len(rcv.bodies), rcv.requests)
	}
	if rcv.headers[0].Get("Authorization") != "Bearer x" {
		t.Fatal("configured header not sent")
	}
}

func TestRetriesThenDelivers(t *testing.T) {
	s, ch, rcv := setup(t, map[string]string{"retryBackoff": "1", "maxRetries": "3"}, 5)
	rcv.failures = 2
	if st, err := s.Process(context.Background()); err != nil || st != flume.Ready {
		t.Fatalf("%v %v", st, err)
	}
	if len(rcv.bodies) != 5 || ch.Len() != 0 || rcv.requests != 3 {
		t.Fatalf("delivered %d after %d requests; channel holds %d", len(rcv.bodies), rcv.requests, ch.Len())
	}
}

func TestGivesUpAndRollsBack(t *testing.T) {
	s, ch, rcv := setup(t, map[string]string{"retryBackoff": "1", "maxRetries": "1"}, 5)
	rcv.failures = 100
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Process(ctx); err == nil {
		t.Fatal("a failing endpoint was reported as delivered")
	}
	if ch.Len() != 5 || len(rcv.bodies) != 0 {
		t.Fatalf("after giving up the channel holds %d (want 5)", ch.Len())
	}
	rcv.failures = 0
	if _, err := s.Process(ctx); err != nil || len(rcv.bodies) != 5 {
		t.Fatalf("retry after recovery: %v, %d delivered", err, len(rcv.bodies))
	}
}

func TestConfig(t *testing.T) {
	for _, props := range []map[string]string{{}, {"endpoint": "ftp://x"}, {"endpoint": "http://x", "batchSize": "0"}} {
		if _, err := Factory(flume.Settings{}, flume.ContextFromMap(props), nil); err == nil {
			t.Errorf("%v accepted", props)
		}
	}
}
