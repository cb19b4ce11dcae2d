package file

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/durable"
)

// logFile is one data log file, log-<id> in one of the data directories.
// The file descriptor serves positional reads (takes, replay) and, for the
// active file, positional writes.
type logFile struct {
	id   uint32
	path string
	f    *os.File
}

// logSet holds the open log files of every data directory. File ids are
// global: file id lives in dataDirs[id % len(dataDirs)], so consecutive
// files rotate over the directories.
type logSet struct {
	dirs  []string
	mu    sync.RWMutex
	files map[uint32]*logFile
}

const logPrefix = "log-"

// headerRecordSize is the size of the header record that starts every file.
var headerRecordSize = func() uint32 { _, n := appendHeader(nil, 0); return n }()

// parseLogName returns the id of a file named log-<id>.
func parseLogName(name string) (uint32, bool) {
	digits, ok := strings.CutPrefix(name, logPrefix)
	if !ok || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseUint(digits, 10, 32)
	return uint32(id), err == nil && id > 0
}

// openLogSet opens every log file found in dirs. Files that are not
// flumego log files are an error: the channel never writes over data it does
// not understand (a Java Flume data directory, for instance).
func openLogSet(dirs []string) (*logSet, error) {
	s := &logSet{dirs: dirs, files: make(map[uint32]*logFile)}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			s.close()
			return nil, err
		}
		for _, de := range entries {
			id, ok := parseLogName(de.Name())
			if !ok || de.IsDir() {
				continue
			}
			path := filepath.Join(dir, de.Name())
			if old, dup := s.files[id]; dup {
				s.close()
				return nil, fmt.Errorf("log file id %d exists twice: %s and %s", id, old.path, path)
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				s.close()
				return nil, err
			}
			lf := &logFile{id: id, path: path, f: f}
			s.files[id] = lf
			if err := checkHeader(lf); err != nil {
				s.close()
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return s, nil
}

// checkHeader verifies that lf starts with its header record. An empty file,
// or one whose first bytes are zero (created just before a crash), is
// accepted as holding no records.
func checkHeader(lf *logFile) error {
	hdr := make([]byte, headerRecordSize)
	n, err := lf.f.ReadAt(hdr, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if allZero(hdr[:n]) {
		return nil
	}
	r, err := parseRecord(hdr[:n])
	if err != nil {
		return errors.New("not a flumego log file (is this a Java Flume data directory? flumego cannot read those)")
	}
	id, err := decodeHeader(r)
	if err != nil {
		return err
	}
	if id != lf.id {
		return fmt.Errorf("header names log file %d", id)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// ids returns the ids of the open files in increasing order.
func (s *logSet) ids() []uint32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]uint32, 0, len(s.files))
	for id := range s.files {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func (s *logSet) get(id uint32) *logFile {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.files[id]
}

func (s *logSet) count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.files)
}

// create makes log file id with its header record and makes the new
// directory entry durable.
func (s *logSet) create(id uint32) (*logFile, error) {
	dir := s.dirs[int(id)%len(s.dirs)]
	path := filepath.Join(dir, logPrefix+strconv.FormatUint(uint64(id), 10))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	hdr, _ := appendHeader(nil, id)
	if _, err := f.WriteAt(hdr, 0); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if err := durable.SyncDir(dir); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	lf := &logFile{id: id, path: path, f: f}
	s.mu.Lock()
	s.files[id] = lf
	s.mu.Unlock()
	return lf, nil
}

// remove closes and deletes log file id.
func (s *logSet) remove(id uint32) error {
	s.mu.Lock()
	lf := s.files[id]
	delete(s.files, id)
	s.mu.Unlock()
	if lf == nil {
		return nil
	}
	lf.f.Close()
	return os.Remove(lf.path)
}

func (s *logSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, lf := range s.files {
		lf.f.Close()
		delete(s.files, id)
	}
}

// maxRead bounds one coalesced read of consecutive records.
const maxRead = 4 << 20

// readEvents reads the events ps point to into out (appending) and returns
// the indexes in ps of records that could not be read or failed their
// check. Runs of records that follow each other in one file are read with a
// single pread; the returned events' bodies alias the read buffers, and
// their headers share storage.
func (s *logSet) readEvents(ps []ptr, out []flume.Event) ([]flume.Event, []int, []error) {
	var bad []int
	var errs []error
	var hb flume.HeaderBuffer
	start := len(out)
	for i := 0; i < len(ps); {
		j, total := i+1, uint64(ps[i].size)
		for j < len(ps) && ps[j].file == ps[i].file && ps[j].off == ps[j-1].off+ps[j-1].size && total+uint64(ps[j].size) <= maxRead {
			total += uint64(ps[j].size)
			j++
		}
		lf := s.get(ps[i].file)
		var err error
		buf := make([]byte, total)
		if lf == nil {
			err = fmt.Errorf("log file %d is missing", ps[i].file)
		} else if _, err = lf.f.ReadAt(buf, int64(ps[i].off)); err != nil {
			err = fmt.Errorf("%s: read %d bytes at %d: %w", lf.path, total, ps[i].off, err)
		}
		for k := i; k < j; k++ {
			if err != nil {
				bad, errs = append(bad, k), append(errs, err)
				continue
			}
			b := buf[:ps[k].size]
			buf = buf[ps[k].size:]
			e, rerr := decodePut(b, &hb)
			if rerr != nil {
				bad, errs = append(bad, k), append(errs, fmt.Errorf("%s at offset %d: %w", lf.path, ps[k].off, rerr))
				continue
			}
			if len(out) == start {
				// Room for the headers of all in one allocation, if the
				// events carry about as many as the first.
				items, _ := e.EncodedHeaders()
				hb.Grow(len(items) * (len(ps) - k - 1))
			}
			out = append(out, e)
		}
		i = j
	}
	return out, bad, errs
}

// decodePut decodes a whole recPut record (see decodeEvent).
func decodePut(b []byte, hb *flume.HeaderBuffer) (flume.Event, error) {
	r, err := parseRecord(b)
	if err != nil {
		return flume.Event{}, err
	}
	if r.typ != recPut || r.size != uint32(len(b)) {
		return flume.Event{}, fmt.Errorf("%w: not an event record", errBadRecord)
	}
	return decodeEvent(r.body, hb)
}

// scan reads the records of lf from offset start and calls fn for each. It
// stops at the end of the file or at the first invalid record; torn reports
// bytes left over that do not form a valid record (a torn tail), and end is
// the offset after the last valid record.
func (lf *logFile) scan(start uint32, fn func(off uint32, r record) error) (end uint32, torn bool, err error) {
	buf := make([]byte, 1<<20)
	pos := int64(start) // file offset of buf[0]
	have, at := 0, 0    // valid bytes in buf, parse position in buf
	eof := false
	fill := func(need int) error {
		if at > 0 {
			copy(buf, buf[at:have])
			pos += int64(at)
			have -= at
			at = 0
		}
		if need > len(buf) {
			nb := make([]byte, need)
			copy(nb, buf[:have])
			buf = nb
		}
		for have < need && !eof {
			n, err := lf.f.ReadAt(buf[have:], pos+int64(have))
			have += n
			if errors.Is(err, io.EOF) {
				eof = true
			} else if err != nil {
				return err
			}
		}
		return nil
	}
	for {
		if have-at < recordHeaderSize {
			if err := fill(recordHeaderSize); err != nil {
				return uint32(pos) + uint32(at), false, err
			}
			if have-at < recordHeaderSize {
				return uint32(pos) + uint32(at), have > at, nil
			}
		}
		size, lerr := recordLen(buf[at:have])
		if lerr != nil {
			// Zeros are the preallocated space after the last record.
			return uint32(pos) + uint32(at), !allZero(buf[at : at+recordHeaderSize]), nil
		}
		if have-at < int(size) {
			if err := fill(int(size)); err != nil {
				return uint32(pos) + uint32(at), false, err
			}
			if have-at < int(size) {
				return uint32(pos) + uint32(at), true, nil
			}
		}
		r, perr := parseRecord(buf[at : at+int(size)])
		if perr != nil {
			return uint32(pos) + uint32(at), true, nil
		}
		off := uint32(pos) + uint32(at)
		if uint64(off)+uint64(size) > 1<<32-1 {
			return off, true, nil
		}
		if err := fn(off, r); err != nil {
			return off, false, err
		}
		at += int(size)
	}
}
