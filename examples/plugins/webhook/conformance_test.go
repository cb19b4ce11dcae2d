package webhook_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/componenttest"
	"github.com/flumego/flume/examples/plugins/webhook"
	"github.com/flumego/flume/sink/sinktest"
)

// endpoint is an HTTP endpoint on loopback that keeps the events posted
// to it and answers 503 while failing.
type endpoint struct {
	mu      sync.Mutex
	got     []flume.Event
	failing bool
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.failing {
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	var batch []struct {
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, b := range batch {
		ev := flume.NewEvent([]byte(b.Body))
		for k, v := range b.Headers {
			ev.SetHeader(k, v)
		}
		e.got = append(e.got, ev)
	}
}

func (e *endpoint) Received(testing.TB) []flume.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]flume.Event(nil), e.got...)
}

func (e *endpoint) Fail(_ testing.TB, failing bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failing = failing
	return true
}

func serve(t testing.TB) (*endpoint, string) {
	e := &endpoint{}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return e, srv.URL
}

// TestConformance runs flumego's lifecycle suite on every type the plugin
// registers, as docs/plugins.md tells plugin authors to.
func TestConformance(t *testing.T) {
	r := flume.NewRegistry()
	if err := webhook.Register(r); err != nil {
		t.Fatal(err)
	}
	componenttest.Registry(t, r, []componenttest.Case{{
		Kind: flume.KindSink, Type: webhook.Type,
		Setup: func(t testing.TB) map[string]string {
			_, url := serve(t)
			return map[string]string{"endpoint": url}
		},
	}})
}

// TestDelivery runs flumego's sink delivery suite on the webhook sink.
func TestDelivery(t *testing.T) {
	sinktest.Run(t, sinktest.Options{
		BatchSize: 10,
		Headers:   true,
		New: func(t testing.TB, in flume.Channel) (flume.Sink, sinktest.Destination) {
			e, url := serve(t)
			s, err := webhook.Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(map[string]string{
				"endpoint": url, "batchSize": "10", "maxRetries": "0"}), in)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			return s, e
		},
	})
}
