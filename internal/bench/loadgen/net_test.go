package loadgen

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestHTTP: every event reaches a real HTTP server as Flume JSON, with its
// headers; a batch answered 503 is sent again.
func TestHTTP(t *testing.T) {
	var mu sync.Mutex
	events, refused := 0, false
	var second map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var batch []struct {
			Headers map[string]string `json:"headers"`
			Body    string            `json:"body"`
		}
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !refused {
			refused = true
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		for _, e := range batch {
			if len(e.Body) != 40 {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
		}
		if second == nil && len(batch) > 1 {
			second = batch[1].Headers
		}
		events += len(batch)
	}))
	defer srv.Close()
	r, err := HTTP(t.Context(), Params{Addr: srv.Listener.Addr().String(), Connections: 3, Batch: 10, EventSize: 40, Headers: 3, Events: 95})
	if err != nil {
		t.Fatal(err)
	}
	if r.Events != 95 || events != 95 || r.Retries != 1 || len(second) != 3 || second["seq"] == "" {
		t.Fatalf("result %+v, server saw %d events, headers %v", r, events, second)
	}
}

// TestSyslog: every message reaches the server whole.
func TestSyslog(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lines := make(chan int, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			lines <- -1
			return
		}
		defer c.Close()
		n := 0
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			if len(sc.Text()) != 99 || sc.Text()[:4] != "<13>" {
				break
			}
			n++
		}
		_, _ = io.Copy(io.Discard, c)
		lines <- n
	}()
	r, err := Syslog(t.Context(), Params{Addr: ln.Addr().String(), EventSize: 100, Events: 2500})
	if err != nil {
		t.Fatal(err)
	}
	if n := <-lines; n != 2500 || r.Events != 2500 || r.Bytes != 250000 {
		t.Fatalf("the server read %d lines; result %+v", n, r)
	}
	if _, err := Syslog(t.Context(), Params{Addr: ln.Addr().String(), EventSize: 10, Events: 1}); err == nil {
		t.Fatal("an event size too small for the header was accepted")
	}
}
