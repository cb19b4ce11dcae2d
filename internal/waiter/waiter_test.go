package waiter

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestBroadcastTimerAndContext(t *testing.T) {
	var mu sync.Mutex
	var c Cond
	ready := false
	woke := make(chan bool)
	for range 3 {
		go func() {
			mu.Lock()
			defer mu.Unlock()
			timer := time.NewTimer(time.Hour)
			defer timer.Stop()
			for !ready {
				if ok, err := c.Wait(&mu, context.Background(), timer); !ok || err != nil {
					woke <- false
					return
				}
			}
			woke <- true
		}()
	}
	for {
		mu.Lock()
		n := c.waiters
		mu.Unlock()
		if n == 3 {
			break
		}
		time.Sleep(time.Millisecond) // the waiters have no signal of their own to give
	}
	mu.Lock()
	ready = true
	c.Broadcast()
	c.Broadcast() // again before the woken waiters run: a no-op
	mu.Unlock()
	for range 3 {
		if !<-woke {
			t.Fatal("a waiter was not woken by Broadcast")
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if ok, err := c.Wait(&mu, context.Background(), time.NewTimer(time.Millisecond)); ok || err != nil {
		t.Fatalf("timer: %v %v", ok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := c.Wait(&mu, ctx, time.NewTimer(time.Hour)); ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("context: %v %v", ok, err)
	}
	if c.waiters != 0 {
		t.Fatalf("%d waiters left", c.waiters)
	}
}

func TestWaitUntil(t *testing.T) {
	var mu sync.Mutex
	var c Cond
	ready := false
	mu.Lock()
	if ok, err := c.WaitUntil(&mu, context.Background(), 0, func() bool { return ready }); ok || err != nil {
		t.Fatalf("keep-alive 0: %v %v, want false without waiting", ok, err)
	}
	if ok, err := c.WaitUntil(&mu, context.Background(), 20*time.Millisecond, func() bool { return ready }); ok || err != nil {
		t.Fatalf("nothing changed: %v %v, want false after the keep-alive", ok, err)
	}
	go func() {
		mu.Lock()
		ready = true
		c.Broadcast()
		mu.Unlock()
	}()
	if ok, err := c.WaitUntil(&mu, context.Background(), time.Minute, func() bool { return ready }); !ok || err != nil {
		t.Fatalf("after a broadcast: %v %v, want true", ok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := c.WaitUntil(&mu, ctx, time.Minute, func() bool { return false }); ok || err == nil {
		t.Fatalf("cancelled context: %v %v, want its error", ok, err)
	}
	mu.Unlock()
}
