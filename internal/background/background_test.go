package background

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestStartStop(t *testing.T) {
	var task Task
	started := make(chan struct{})
	ended := false
	if !task.Start(func(ctx context.Context) { close(started); <-ctx.Done(); ended = true }) {
		t.Fatal("first Start refused")
	}
	<-started
	if task.Start(func(context.Context) {}) {
		t.Fatal("Start of a running task accepted")
	}
	if !task.Stop() || !ended {
		t.Fatal("Stop did not wait for the goroutine")
	}
	if task.Stop() {
		t.Fatal("second Stop reported a running task")
	}
	if !task.Start(func(context.Context) {}) {
		t.Fatal("restart refused")
	}
	task.Stop()
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Fatalf("Sleep on an ended context = %v after %v", err, time.Since(start))
	}
}
