package taildir

import (
	"bytes"
	"context"
	"errors"
	"hash/crc64"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/background"
)

// readBufSize is the read buffer's usual size; it grows for a batch or a
// line that does not fit, and shrinks back afterwards.
const readBufSize = 128 << 10

// Flume's retry interval after a channel failure: 1 s, doubling up to 5 s.
const (
	retryFirst = time.Second
	retryMax   = 5 * time.Second
)

// readBuf holds bytes read ahead from one file, so that consecutive
// batches of the same file read it once. Only one buffer exists per
// source, whatever the number of files.
type readBuf struct {
	f   *tailFile
	off int64 // file offset of buf[0]
	buf []byte
	n   int // valid bytes
}

func (rb *readBuf) reset() { rb.f, rb.off, rb.n = nil, 0, 0 }

// line is one line of a batch: its bytes relative to the batch's start,
// without the terminator.
type line struct{ start, end int }

// tail reads f's new lines in batches and commits them, at most
// maxBatchCount batches. flush also delivers a last line without newline
// (as Flume does when it closes an idle file). It returns the number of
// lines committed and whether f still has lines to read now.
func (t *tailer) tail(ctx, abort context.Context, f *tailFile, flush bool) (n int, more bool) {
	if !t.ensureOpen(f) {
		return 0, false
	}
	fi, err := f.fd.Stat()
	if err != nil {
		t.readFailed(f, err)
		return 0, false
	}
	size := fi.Size()
	switch {
	case size < f.pos:
		t.truncated(f, size)
	case f.pos > 0 && f.fpKnown && f.fp.headLen > 0:
		// Truncated and written again past our position since we looked?
		if ok, err := f.fp.matchHead(f.fd); err == nil && !ok {
			t.truncated(f, size)
		}
	}
	f.size = size
	if f.copyOf != nil {
		return 0, false // parked: read once its original is truncated
	}
	if f.fresh && f.pos == 0 && size > 0 {
		if t.mayBeCopy(f, size) {
			t.soon = true
			return 0, true
		}
		f.fresh = false
		if f.copyOf != nil {
			return 0, false
		}
	}
	for batches := int64(0); ; {
		evs, raw, next, err := t.readBatch(f, flush)
		if err != nil {
			t.readFailed(f, err)
			return n, false
		}
		if len(evs) == 0 {
			return n, false
		}
		t.src.counter.EventReceivedCount.Add(int64(len(evs)))
		t.src.counter.AppendBatchReceivedCount.Add(1)
		if !t.deliver(ctx, abort, evs) {
			t.rb.reset() // read again at the next start, or the next round
			return n, true
		}
		t.commit(f, raw, next)
		n += len(evs)
		if len(evs) < t.cfg.BatchSize {
			return n, false
		}
		if batches++; batches >= t.cfg.MaxBatchCount || ctx.Err() != nil {
			return n, true
		}
	}
}

func (t *tailer) readFailed(f *tailFile, err error) {
	t.src.counter.EventReadFail.Add(1)
	t.src.readWarn.Warn(t.log, "cannot read a file", "file", f.path, "error", err)
}

// ensureOpen opens f if it is closed, checking that its path still holds
// the same file and that the file holds the lines read (its fingerprint).
func (t *tailer) ensureOpen(f *tailFile) bool {
	if f.fd != nil {
		return true
	}
	fd, err := os.Open(f.path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			t.readFailed(f, err)
		}
		if ds := t.byDir[parentDir(f.path)]; ds != nil {
			ds.relist = true
		}
		return false
	}
	fi, err := fd.Stat()
	if err != nil {
		fd.Close()
		t.readFailed(f, err)
		return false
	}
	if id, _ := identity(fi); id != f.id {
		fd.Close() // another file is at the path now: the next scan sorts it out
		if ds := t.byDir[parentDir(f.path)]; ds != nil {
			ds.relist = true
			t.reconcile(ds, true)
		}
		return false
	}
	f.fd, f.active = fd, time.Now()
	t.open[f] = struct{}{}
	switch {
	case !f.fpKnown:
		// A position taken from Flume's file: trust the inode, as Flume does.
		if fp, err := computeFingerprint(fd, min(f.pos, fi.Size())); err == nil {
			f.fp, f.fpKnown = fp, true
		}
	case f.fp.known() && f.pos > 0:
		if ok, err := f.fp.match(fd, fi.Size()); err == nil && !ok {
			t.truncated(f, fi.Size())
		}
	}
	return true
}

// mayBeCopy tells whether the new file f, not read yet, is (or is being
// made) a copy of a tracked file of its directory whose content was read
// in part: logrotate's copytruncate copies a file, then truncates it. A
// complete copy is parked (copyOf set) until its original is truncated; it
// returns true while f may still be a copy in progress, until f has not
// grown for copyGrace.
func (t *tailer) mayBeCopy(f *tailFile, size int64) bool {
	dir := parentDir(f.path)
	var heads map[int]uint64 // checksums of f's first bytes, by length
	headCRC := func(n int) (uint64, bool) {
		if v, ok := heads[n]; ok {
			return v, true
		}
		b, err := readAt(f.fd, 0, n)
		if err != nil || len(b) != n {
			return 0, false
		}
		if heads == nil {
			heads = map[int]uint64{}
		}
		heads[n] = crc64.Checksum(b, crcTable)
		return heads[n], true
	}
	inProgress := false
	reads := 0 // bytes of other files compared: bounded
	for _, o := range t.files {
		if o == f || o.pos == 0 || !o.fpKnown || !o.fp.known() || o.copyOf != nil || o.fresh || parentDir(o.path) != dir {
			continue
		}
		if int64(o.fp.headLen) <= size {
			if v, ok := headCRC(o.fp.headLen); !ok || v != o.fp.head {
				continue
			}
			if size >= o.pos {
				if ok, _ := o.fp.match(f.fd, size); ok {
					t.log.Info("new file is a copy of a tracked file (copytruncate?); it is read from where that file stands once that file is truncated",
						"file", f.path, "copy of", o.path, "pos", o.pos)
					f.copyOf, f.fresh = o, false
					t.parked[f] = struct{}{}
					return false
				}
				continue
			}
			inProgress = true // the same first bytes, shorter than what was read of o
			continue
		}
		// f is shorter than o's head: compare with o's first bytes, if o is
		// open (a file being copied is usually being written).
		if o.fd == nil || reads > 64*headMax {
			continue
		}
		k := int(size)
		a, err1 := readAt(f.fd, 0, k)
		b, err2 := readAt(o.fd, 0, k)
		reads += k
		if err1 == nil && err2 == nil && len(a) == k && bytes.Equal(a, b) {
			inProgress = true
		}
	}
	if !inProgress {
		return false
	}
	now := time.Now()
	if f.freshFirst.IsZero() {
		f.freshFirst = now
	}
	if size != f.freshSize || f.freshSince.IsZero() {
		f.freshSize, f.freshSince = size, now
	}
	return now.Sub(f.freshSince) < copyGrace && now.Sub(f.freshFirst) < copyWaitMax
}

// readBatch reads up to batchSize complete lines of f from its committed
// position. It returns the events, the bytes they were read from (for the
// fingerprint) and the position after them.
func (t *tailer) readBatch(f *tailFile, flush bool) ([]flume.Event, []byte, int64, error) {
	rb := &t.rb
	if rb.f != f || f.pos < rb.off || f.pos > rb.off+int64(rb.n) {
		rb.f, rb.off, rb.n = f, f.pos, 0
	}
	if rb.buf == nil {
		rb.buf = make([]byte, readBufSize)
	}
	start := int(f.pos - rb.off)
	if len(rb.buf) > 4*readBufSize && rb.n-start <= readBufSize/2 {
		nb := make([]byte, readBufSize) // the long line or batch is past
		rb.n = copy(nb, rb.buf[start:rb.n])
		rb.buf, rb.off, start = nb, f.pos, 0
	}
	scan := start
	lines := t.lines[:0]
	defer func() { t.lines = lines[:0] }()
	eof := false
	for len(lines) < t.cfg.BatchSize {
		if i := bytes.IndexByte(rb.buf[scan:rb.n], '\n'); i >= 0 {
			lines = append(lines, line{scan - start, scan + i - start})
			scan += i + 1
			continue
		}
		if eof {
			break
		}
		if rb.n == len(rb.buf) {
			if start > 0 {
				copy(rb.buf, rb.buf[start:rb.n])
				rb.n -= start
				rb.off += int64(start)
				scan -= start
				start = 0
			} else {
				nb := make([]byte, 2*len(rb.buf))
				copy(nb, rb.buf[:rb.n])
				rb.buf = nb
			}
		}
		m, err := f.fd.ReadAt(rb.buf[rb.n:], rb.off+int64(rb.n))
		rb.n += m
		if err != nil && err != io.EOF {
			rb.reset()
			return nil, nil, 0, err
		}
		if m == 0 || err == io.EOF {
			eof = true
		}
	}
	partial := false
	if flush && eof && scan < rb.n && len(lines) < t.cfg.BatchSize {
		lines = append(lines, line{scan - start, rb.n - start})
		scan = rb.n
		partial = true
	}
	if len(lines) == 0 {
		return nil, nil, 0, nil
	}
	raw := rb.buf[start:scan]
	own := bytes.Clone(raw)
	base := rb.off + int64(start)
	evs := make([]flume.Event, len(lines))
	// About the bytes of one event's headers, to reserve the batch's at once.
	perEvent := 0
	if t.cfg.ByteOffsetHeader {
		perEvent += len(byteOffsetHeaderKey) + 16
	}
	if f.group != nil {
		for k, v := range f.group.Headers {
			perEvent += len(k) + len(v) + 4
		}
	}
	if t.cfg.FileHeader {
		perEvent += len(t.cfg.FileHeaderKey) + len(f.path) + 4
	}
	headers := perEvent > 0
	if headers {
		t.headers.Grow(len(lines) * perEvent)
	}
	var num [20]byte
	for i, l := range lines {
		end := l.end
		// Flume strips one \r before the \n; a last line without newline is
		// delivered as it is.
		if end > l.start && own[end-1] == '\r' && !(partial && i == len(lines)-1) {
			end--
		}
		e := &evs[i]
		e.Body = own[l.start:end:end]
		if !headers {
			continue
		}
		// Flume's order: the offset, the group's headers, the file's path
		// (a name given twice keeps the last value).
		hb := &t.headers
		if t.cfg.ByteOffsetHeader {
			hb.Add(byteOffsetHeaderKey, string(strconv.AppendInt(num[:0], base+int64(l.start), 10)))
		}
		if f.group != nil {
			for k, v := range f.group.Headers {
				hb.Add(k, v)
			}
		}
		if t.cfg.FileHeader {
			hb.Add(t.cfg.FileHeaderKey, f.path)
		}
		hb.Attach(e)
	}
	return evs, raw, rb.off + int64(scan), nil
}

// deliver hands a batch to the channels, retrying as Flume does (after 1 s,
// doubling up to 5 s) while they refuse it. The commit in flight when Stop
// is called finishes (abort bounds it); no retry follows. It returns
// whether the batch was committed.
func (t *tailer) deliver(ctx, abort context.Context, evs []flume.Event) bool {
	retry := retryFirst
	for {
		err := t.src.out.Process(abort, evs)
		if err == nil {
			t.src.counter.EventAcceptedCount.Add(int64(len(evs)))
			t.src.counter.AppendBatchAcceptedCount.Add(1)
			return true
		}
		if flume.IsChannelError(err) {
			t.src.counter.ChannelWriteFail.Add(1)
		} else {
			t.src.counter.GenericProcessingFail.Add(1)
		}
		if ctx.Err() != nil {
			return false
		}
		t.src.writeWarn.Warn(t.log, "the channels refused a batch; retrying it", "events", len(evs), "retry", retry, "error", err)
		if background.Sleep(ctx, retry) != nil {
			return false
		}
		retry = min(2*retry, retryMax)
	}
}

// commit records that the lines read from raw, up to next, are committed.
func (t *tailer) commit(f *tailFile, raw []byte, next int64) {
	if f.fpKnown {
		f.fp.extend(f.pos, raw)
	}
	f.pos = next
	f.active = time.Now()
	t.rec = appendPosition(t.rec[:0], f.id, f.pos, f.fp)
	t.appendJournal(t.rec)
}
