package spooldir

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/flumego/flume/internal/avrobin"
	"github.com/flumego/flume/internal/avrofile"
)

// metaFileName is the tracker file in the tracker directory, Flume's name.
const metaFileName = ".flumespool-main.meta"

// trackerSchema is Flume's TransferStateFileMeta as Java's Schema.toString
// writes it into the file.
const trackerSchema = `{"type":"record","name":"TransferStateFileMeta","namespace":"org.apache.flume.serialization","fields":[{"name":"offset","type":"long"}]}`

// compactAt is the size at which the tracker file is rewritten with only
// its last position (Flume lets it grow; each commit adds about 20 bytes).
const compactAt = 1 << 20

// tracker is Flume's DurablePositionTracker: an Avro container file with
// the file being read in metadata entry "file" and one record {offset} per
// commit, the last one holding the position to resume at. The source keeps
// it open while it runs. For each file it starts, the tracker file is
// emptied and written anew (at a position other than 0 through a temporary
// file and a rename, so that a crash leaves the old position or the new
// one); each commit appends one block, in one write; when the file is
// done, it is emptied, which Flume reads as no tracker file. A block cut
// short by a crash is ignored when the file is read back. Positions are not
// fsynced: a crash of the machine may resume at an older position and
// repeat events, never skip them.
type tracker struct {
	path   string // the tracker file
	target string // the spooled file it tracks; "" when it tracks none
	f      *os.File
	w      *avrofile.Writer // writes into buf
	buf    bytes.Buffer     // what the next write puts in f
	size   int64            // f's size
}

// readTracker returns the target and the last position of the tracker
// file at path. A missing or empty file is not an error: ok is false.
func readTracker(path string) (target string, pos int64, ok bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", 0, false, err
	}
	if fi.Size() == 0 {
		return "", 0, false, nil // Flume deletes an empty one
	}
	r, err := avrofile.NewReader(f, fi.Size())
	if err != nil {
		return "", 0, false, fmt.Errorf("tracker file %s: %w", path, err)
	}
	defer r.Close()
	h := r.Header()
	target = string(h.Meta["file"])
	if target == "" {
		return "", 0, false, fmt.Errorf("tracker file %s: no \"file\" metadata", path)
	}
	for {
		b, err := r.Next()
		if err != nil {
			break // io.EOF, or a block a crash cut short: the last complete one counts
		}
		data := b.Data
		for range b.Count {
			v, rest, err := avrobin.ReadLong(data)
			if err != nil {
				break
			}
			pos, data = v, rest
		}
	}
	return target, max(pos, 0), true, nil
}

// newTracker returns the tracker of the tracker file at path, which it
// opens when it first starts a file.
func newTracker(path string) *tracker { return &tracker{path: path} }

// start makes the tracker follow target, from pos.
func (t *tracker) start(target string, pos int64) error {
	t.target = target
	if err := t.rewrite(pos); err != nil {
		t.target = ""
		return fmt.Errorf("tracker file %s: %w", t.path, err)
	}
	return nil
}

// rewrite replaces the tracker file's content by the header and pos.
func (t *tracker) rewrite(pos int64) error {
	t.buf.Reset()
	w, err := avrofile.NewWriter(&t.buf, avrofile.Options{Schema: trackerSchema, Codec: avrofile.CodecNull,
		SyncInterval: avrofile.MinSyncInterval, Meta: map[string]string{"file": t.target}})
	if err != nil {
		return err
	}
	if err := w.WriteHeader(); err != nil {
		return err
	}
	if err := appendPosition(w, pos); err != nil {
		return err
	}
	t.w = w
	if pos == 0 { // in place: a torn file means what no file means
		if t.f == nil {
			f, err := os.OpenFile(t.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return err
			}
			t.f = f
		}
		if err := t.f.Truncate(0); err != nil {
			return err
		}
		t.size = 0
		return t.flush()
	}
	tmp := t.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	old, oldSize := t.f, t.size
	t.f, t.size = f, 0
	err = t.flush()
	if err == nil {
		err = os.Rename(tmp, t.path)
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		t.f, t.size = old, oldSize
		return err
	}
	if old != nil {
		old.Close()
	}
	return nil
}

// store appends pos: the position to resume the target at.
func (t *tracker) store(pos int64) error {
	if t.target == "" || t.f == nil {
		return fmt.Errorf("tracker file %s: not tracking a file", t.path)
	}
	if t.size >= compactAt {
		if err := t.rewrite(pos); err != nil {
			return fmt.Errorf("tracker file %s: %w", t.path, err)
		}
		return nil
	}
	if err := appendPosition(t.w, pos); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return fmt.Errorf("tracker file %s: %w", t.path, err)
	}
	return nil
}

// flush writes what buf holds to the file, in one write.
func (t *tracker) flush() error {
	n, err := t.f.Write(t.buf.Bytes())
	t.size += int64(n)
	t.buf.Reset()
	return err
}

// clear empties the tracker file: its file is done (Flume deletes it, and
// reads an empty one as none).
func (t *tracker) clear() error {
	t.target = ""
	if t.f == nil {
		return nil
	}
	t.size = 0
	if err := t.f.Truncate(0); err != nil {
		return fmt.Errorf("tracker file %s: %w", t.path, err)
	}
	return nil
}

// close closes the tracker file, which stays on disk.
func (t *tracker) close() {
	if t.f != nil {
		t.f.Close()
		t.f, t.w = nil, nil
	}
	t.target = ""
}

// appendPosition writes pos as one block of one record.
func appendPosition(w *avrofile.Writer, pos int64) error {
	if err := w.Append(func(dst []byte) []byte { return avrobin.AppendLong(dst, pos) }); err != nil {
		return err
	}
	return w.Flush()
}

// metaPath returns the tracker file of a tracker directory.
func metaPath(trackerDir string) string { return filepath.Join(trackerDir, metaFileName) }
