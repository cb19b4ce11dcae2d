package demo

import (
	"bufio"
	"fmt"
	"os"
	"sync"
	"time"
)

// LogWriter appends numbered lines to a file, as a web server appends to
// its access log: line number i (from 1) is Line(i). It writes in bursts
// (Write) or steadily in the background (Start/Stop).
type LogWriter struct {
	Path string
	Line func(seq int64) string

	mu      sync.Mutex
	f       *os.File
	written int64
	stop    chan struct{}
	stopped chan error
}

// NewLogWriter creates (or empties) the file at path.
func NewLogWriter(path string, line func(seq int64) string) (*LogWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &LogWriter{Path: path, Line: line, f: f}, nil
}

// Write appends the next n lines.
func (w *LogWriter) Write(n int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("%s: writer closed", w.Path)
	}
	b := bufio.NewWriterSize(w.f, 64<<10)
	for range n {
		w.written++
		b.WriteString(w.Line(w.written))
		b.WriteByte('\n')
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("append to %s: %w", w.Path, err)
	}
	return nil
}

// Written returns how many lines were appended so far.
func (w *LogWriter) Written() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written
}

// Start appends lines in the background at about perSecond lines a second
// (in bursts every 20 ms) until Stop.
func (w *LogWriter) Start(perSecond int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop != nil {
		return
	}
	w.stop, w.stopped = make(chan struct{}), make(chan error, 1)
	go func(stop <-chan struct{}, stopped chan<- error) {
		const tick = 20 * time.Millisecond
		t := time.NewTicker(tick)
		defer t.Stop()
		start, sent := time.Now(), int64(0)
		for {
			select {
			case <-stop:
				stopped <- nil
				return
			case now := <-t.C:
				due := int64(now.Sub(start).Seconds()*float64(perSecond)) - sent
				if due <= 0 {
					continue
				}
				if err := w.Write(int(due)); err != nil {
					stopped <- err
					return
				}
				sent += due
			}
		}
	}(w.stop, w.stopped)
}

// Stop ends the background writing started by Start and returns its
// error, if any.
func (w *LogWriter) Stop() error {
	w.mu.Lock()
	stop, stopped := w.stop, w.stopped
	w.stop, w.stopped = nil, nil
	w.mu.Unlock()
	if stop == nil {
		return nil
	}
	close(stop)
	return <-stopped
}

// Close stops the writer and closes the file.
func (w *LogWriter) Close() error {
	err := w.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
		w.f = nil
	}
	return err
}
