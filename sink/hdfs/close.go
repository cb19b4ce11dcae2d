package hdfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/flumego/flume/internal/dfs"
)

// Closing a file: write what ends it, close it (retrying while the file
// system asks to, within hdfs.callTimeout), then rename it from its
// in-use name to its final name and drop it from the record. A file that
// cannot be closed or renamed now is retried every hdfs.retryInterval by
// the background goroutine — closing at most hdfs.closeTries times, then
// recovering it (HDFS lease recovery) — and, failing that, at the next
// start.

// closeFile closes f. With discard, what was written since the last
// flush is dropped, so that the file ends at its last committed batch.
func (s *Sink) closeFile(ctx context.Context, f *outFile, discard bool) {
	if !discard && !f.broken {
		err := f.fmt.finish()
		if err == nil {
			err = s.writePending(ctx, f, false)
		}
		if err != nil {
			f.broken = true
			s.log.Warn("could not write the end of the file", "file", f.inUse, "error", err)
		}
	}
	if err := s.closeRetrying(ctx, f); err != nil {
		s.counter.ConnectionFailedCount.Add(1)
		s.log.Warn("closing failed: retrying", "file", f.inUse, "every", s.cfg.RetryInterval, "error", err)
		s.deferRetry(&retry{f: f, fsys: f.fsys, uri: f.uri, inUse: f.inUse, final: f.final, state: stateClose, tries: 1})
		return
	}
	s.counter.ConnectionClosedCount.Add(1)
	s.trimBroken(ctx, f)
	if err := s.finalize(ctx, f.fsys, f.uri, f.inUse, f.final, f.written); err != nil {
		s.counter.ConnectionFailedCount.Add(1)
		s.log.Warn("renaming failed: retrying", "file", f.inUse, "every", s.cfg.RetryInterval, "error", err)
		s.deferRetry(&retry{fsys: f.fsys, uri: f.uri, inUse: f.inUse, final: f.final, written: f.written, state: stateRename})
	}
}

// closeRetrying closes f's file, retrying with backoff while the file
// system answers dfs.ErrRetry (HDFS: the last block's replication is not
// reported yet) or an earlier call that timed out still holds the file,
// for up to hdfs.callTimeout.
func (s *Sink) closeRetrying(ctx context.Context, f *outFile) error {
	var deadline time.Time
	if s.cfg.CallTimeout > 0 {
		deadline = time.Now().Add(s.cfg.CallTimeout)
	}
	wait := 20 * time.Millisecond
	for {
		err := s.call(ctx, "close "+f.inUse, f.do(func(file dfs.File) error { return file.Close() }))
		retry := errors.Is(err, dfs.ErrRetry) || errors.Is(err, errBusy) // busy: a timed-out call may yet return
		if err == nil || !retry || (!deadline.IsZero() && time.Now().Add(wait).After(deadline)) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
		wait = min(2*wait, time.Second)
	}
}

// trimBroken cuts a closed file whose last write failed back to what the
// file system acknowledged, where it can, so that it ends with a whole
// record of its last committed batch.
func (s *Sink) trimBroken(ctx context.Context, f *outFile) {
	t, ok := f.fsys.(dfs.Truncater)
	if !f.broken || !ok || !f.written {
		return
	}
	if err := s.call(ctx, "truncate "+f.inUse, func() error { return t.Truncate(f.inUse, f.size) }); err != nil {
		s.log.Warn("could not cut the file back to its last committed batch: it may end with a partial record", "file", f.inUse, "error", err)
	}
}

// finalize renames a closed file to its final name (or, when nothing
// reached it, removes it) and drops it from the record.
func (s *Sink) finalize(ctx context.Context, fsys dfs.FileSystem, uri, inUse, final string, written bool) error {
	switch {
	case !written:
		err := s.call(ctx, "remove "+inUse, func() error { return fsys.Remove(inUse) })
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the empty %s: %w", inUse, err)
		}
	case inUse != final:
		err := s.call(ctx, "rename "+inUse, func() error { return fsys.Rename(inUse, final) })
		if errors.Is(err, fs.ErrExist) {
			s.log.Error("cannot rename: the final name is taken; the file keeps its in-use name", "file", inUse, "final", final)
			break
		}
		if err != nil {
			return fmt.Errorf("rename %s to %s: %w", inUse, final, err)
		}
		s.log.Info("closed", "file", final)
	}
	return s.rec.remove(uri, inUse)
}

type retryState uint8

const (
	stateClose   retryState = iota // close f, then rename
	stateRecover                   // recover the path (a crashed run's, or closeTries spent), then rename
	stateRename                    // rename (or remove, when never written)
)

// retry is a file whose closing is being retried.
type retry struct {
	f                 *outFile // the open file, for stateClose
	fsys              dfs.FileSystem
	uri, inUse, final string
	written           bool
	state             retryState
	tries             int // closes tried
	next              time.Time
}

// deferRetry queues r for the background goroutine, after
// hdfs.retryInterval. Without a retry interval (Flume's retryInterval <= 0)
// the file is left to the next start.
func (s *Sink) deferRetry(r *retry) {
	if s.cfg.RetryInterval <= 0 {
		s.releaseFile(context.Background(), r)
		return
	}
	r.next = s.clock.Now().Add(s.cfg.RetryInterval)
	s.retryMu.Lock()
	s.retries = append(s.retries, r)
	s.retryMu.Unlock()
	s.wake()
}

// releaseFile makes a last attempt at closing the file a retry holds,
// which is left for the next start.
func (s *Sink) releaseFile(ctx context.Context, r *retry) {
	if r.f != nil {
		_ = s.call(ctx, "close "+r.inUse, r.f.do(func(file dfs.File) error { return file.Close() }))
	}
	s.log.Warn("left in use: the next start closes and renames it", "file", r.inUse)
}

// runRetries runs the retries that are due (with calls, until ctx ends).
func (s *Sink) runRetries(ctx, calls context.Context, now time.Time) {
	s.retryMu.Lock()
	var due, later []*retry
	for _, r := range s.retries {
		if now.Before(r.next) {
			later = append(later, r)
		} else {
			due = append(due, r)
		}
	}
	s.retries = later
	s.retryMu.Unlock()
	for _, r := range due {
		if ctx.Err() != nil {
			s.requeue(r, r.next)
			continue
		}
		if !s.attempt(calls, r) {
			s.requeue(r, now.Add(s.retryDelay(r)))
		}
	}
}

func (s *Sink) requeue(r *retry, next time.Time) {
	r.next = next
	s.retryMu.Lock()
	s.retries = append(s.retries, r)
	s.retryMu.Unlock()
}

// retryDelay is hdfs.retryInterval, shortened while a recovery (lease
// recovery takes seconds on HDFS) is in progress.
func (s *Sink) retryDelay(r *retry) time.Duration {
	d := s.cfg.RetryInterval
	if d <= 0 {
		d = 180 * time.Second
	}
	if r.state == stateRecover {
		d = min(d, 5*time.Second)
	}
	return d
}

// attempt moves r on as far as it goes and reports whether it is done.
func (s *Sink) attempt(ctx context.Context, r *retry) bool {
	if r.state == stateClose {
		if err := s.closeRetrying(ctx, r.f); err != nil {
			r.tries++
			s.counter.ConnectionFailedCount.Add(1)
			if s.cfg.CloseTries > 0 && r.tries >= s.cfg.CloseTries {
				s.log.Warn("closing failed hdfs.closeTries times: recovering the file", "file", r.inUse, "tries", r.tries, "error", err)
				r.state = stateRecover
				r.written = r.f.written
				r.f = nil
			} else {
				s.log.Warn("closing failed again", "file", r.inUse, "tries", r.tries, "error", err)
			}
			return false
		}
		s.counter.ConnectionClosedCount.Add(1)
		s.trimBroken(ctx, r.f)
		r.written = r.f.written
		r.f, r.state = nil, stateRename
	}
	if r.state == stateRecover {
		done, err := s.recoverPath(ctx, r)
		if err != nil {
			s.log.Warn("recovering failed: retrying", "file", r.inUse, "error", err)
			return false
		}
		if done {
			return true
		}
		r.state = stateRename
	}
	if err := s.finalize(ctx, r.fsys, r.uri, r.inUse, r.final, r.written); err != nil {
		s.counter.ConnectionFailedCount.Add(1)
		s.log.Warn("renaming failed again", "file", r.inUse, "error", err)
		return false
	}
	return true
}

// recoverPath closes a file left open by a crash or by failed closes
// (dfs.Recover: HDFS lease recovery) and works out whether it holds
// anything. It reports done when the file is gone (finalized already).
func (s *Sink) recoverPath(ctx context.Context, r *retry) (done bool, err error) {
	stat := func() (fs.FileInfo, error) {
		var fi fs.FileInfo
		err := s.call(ctx, "stat "+r.inUse, func() (err error) { fi, err = r.fsys.Stat(r.inUse); return err })
		return fi, err
	}
	if _, err := stat(); errors.Is(err, fs.ErrNotExist) {
		return true, s.rec.remove(r.uri, r.inUse)
	} else if err != nil {
		return false, err
	}
	if err := s.call(ctx, "recover "+r.inUse, func() error { return r.fsys.Recover(r.inUse) }); err != nil {
		return false, err
	}
	fi, err := stat() // the length is known once the file is closed
	if err != nil {
		return false, err
	}
	r.written = fi.Size() > 0
	return false, nil
}

// queueRecovery queues the files on m's file system that a previous run
// left in use, for closing and renaming.
func (s *Sink) queueRecovery(m *mounted, left []entry) {
	var n int
	for _, e := range left {
		if e.uri != m.uri {
			s.log.Warn("the in-use record lists a file of another file system: left alone", "file", e.uri+e.inUse)
			continue
		}
		n++
		s.requeue(&retry{fsys: m.fs, uri: e.uri, inUse: e.inUse, final: e.final, state: stateRecover}, time.Time{})
	}
	if n > 0 {
		s.log.Info("closing and renaming the files a previous run left in use", "files", n)
	}
}

// background closes files on time (hdfs.rollInterval, hdfs.idleTimeout),
// runs the retries, and first recovers the files a previous run left in
// use.
func (s *Sink) background(ctx context.Context, done chan<- struct{}, left []entry) {
	defer close(done)
	recovered := false
	calls := context.WithoutCancel(ctx) // Stop waits for the call under way, bounded by hdfs.callTimeout
	for {
		now := s.clock.Now()
		if !recovered {
			if m, err := s.mount(); err == nil {
				s.queueRecovery(m, left)
				recovered = true
			} else {
				s.noFS.Warn(s.log, "the file system is not available yet: files left in use by an earlier run are renamed once it is", "error", err)
			}
		}
		s.closeDue(ctx, calls, now)
		s.runRetries(ctx, calls, now)
		limit := time.Duration(forever)
		if !recovered {
			limit = 3 * time.Second
		}
		wait := s.nextWake(now, limit)
		var t timer
		var fire <-chan time.Time
		if wait != forever {
			t = s.clock.TimerAt(now.Add(wait))
			fire = t.C()
		}
		select {
		case <-ctx.Done():
		case <-s.kick:
		case <-fire:
		}
		if t != nil {
			t.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// forever is nextWake's answer when nothing is due.
const forever = time.Duration(1<<63 - 1)

// closeDue detaches the files whose roll or idle time passed, and closes
// them (with calls, until ctx ends).
func (s *Sink) closeDue(ctx, calls context.Context, now time.Time) {
	var due []*outFile
	s.lock()
	for e := s.lru.Front(); e != nil; {
		b := e.Value.(*bucket)
		e = e.Next()
		f := b.f
		if f == nil {
			continue
		}
		if (!f.rollAt.IsZero() && !now.Before(f.rollAt)) || (!f.idleAt.IsZero() && !now.Before(f.idleAt)) {
			b.f = nil
			s.removeBucket(b)
			due = append(due, f)
		}
	}
	s.unlock()
	for _, f := range due {
		s.log.Debug("closing on time", "file", f.inUse)
		s.closeFile(calls, f, false)
	}
}

// nextWake returns how long until the next roll, idle close or retry (at
// most limit), and notes when the background goroutine wakes, so that
// Process knows whether a deadline it sets needs a wake-up.
func (s *Sink) nextWake(now time.Time, limit time.Duration) time.Duration {
	var next time.Time
	earlier := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	s.retryMu.Lock()
	for _, r := range s.retries {
		earlier(r.next)
		if r.next.IsZero() {
			next = now
		}
	}
	s.retryMu.Unlock()
	s.lock()
	defer s.unlock()
	for e := s.lru.Front(); e != nil; e = e.Next() {
		if f := e.Value.(*bucket).f; f != nil {
			earlier(f.rollAt)
			earlier(f.idleAt)
		}
	}
	wait := limit
	if !next.IsZero() {
		wait = min(max(next.Sub(now), 0), limit)
	}
	s.wakeAt = time.Time{}
	if wait != forever {
		s.wakeAt = now.Add(wait)
	}
	return wait
}

// deadlineSet tells the background goroutine about a deadline Process
// set, if it would otherwise sleep past it. s.mu is held.
func (s *Sink) deadlineSet(t time.Time) {
	if s.wakeAt.IsZero() || t.Before(s.wakeAt) {
		s.wakeAt = t // until the goroutine works out its next wake
		s.wake()
	}
}
