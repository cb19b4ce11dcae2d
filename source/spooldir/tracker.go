package spooldir

import (
	"errors"
	"fmt"
	"io"
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
// commit, the last one holding the position to resume at. The file is
// rewritten (temporary file, rename) when a new file is started and then
// appended to, one block per commit; a block cut short by a crash is
// ignored when it is read back. Positions are not fsynced: a crash of the
// machine may resume at an older position and repeat events, never skip
// them.
type tracker struct {
	path   string // the tracker file
	target string // the spooled file it tracks
	f      *os.File
	w      *avrofile.Writer
	cw     *countingWriter // the file's size so far
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

// openTracker writes a new tracker file for target at pos and keeps it
// open to append positions.
func openTracker(path, target string, pos int64) (*tracker, error) {
	t := &tracker{path: path, target: target}
	if err := t.rewrite(pos); err != nil {
		return nil, err
	}
	return t, nil
}

// rewrite replaces the tracker file by one holding pos only.
func (t *tracker) rewrite(pos int64) error {
	t.close()
	tmp := t.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("tracker file %s: %w", t.path, err)
	}
	cw := &countingWriter{w: f}
	w, err := avrofile.NewWriter(cw, avrofile.Options{Schema: trackerSchema, Codec: avrofile.CodecNull,
		SyncInterval: avrofile.MinSyncInterval, Meta: map[string]string{"file": t.target}})
	if err == nil {
		err = w.WriteHeader()
	}
	if err == nil {
		err = appendPosition(w, pos)
	}
	if err == nil {
		err = os.Rename(tmp, t.path)
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("tracker file %s: %w", t.path, err)
	}
	t.f, t.w, t.cw = f, w, cw
	return nil
}

// store appends pos: the position to resume the target at.
func (t *tracker) store(pos int64) error {
	if t.w == nil {
		return fmt.Errorf("tracker file %s: closed", t.path)
	}
	if t.cw.n >= compactAt {
		return t.rewrite(pos)
	}
	if err := appendPosition(t.w, pos); err != nil {
		return fmt.Errorf("tracker file %s: %w", t.path, err)
	}
	return nil
}

// close closes the tracker file, which stays on disk.
func (t *tracker) close() {
	if t.f != nil {
		t.f.Close()
		t.f, t.w, t.cw = nil, nil, nil
	}
}

// remove closes and deletes the tracker file: its target is done.
func (t *tracker) remove() error {
	t.close()
	if err := os.Remove(t.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// appendPosition writes pos as one block of one record.
func appendPosition(w *avrofile.Writer, pos int64) error {
	if err := w.Append(func(dst []byte) []byte { return avrobin.AppendLong(dst, pos) }); err != nil {
		return err
	}
	return w.Flush()
}

// countingWriter counts what goes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// metaPath returns the tracker file of a tracker directory.
func metaPath(trackerDir string) string { return filepath.Join(trackerDir, metaFileName) }
