package hdfs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/dfs"
	"github.com/flumego/flume/internal/dfs/dfstest"
	"github.com/flumego/flume/sink/sinktest"
)

// textDest reads back the HDFS sink's text files, in use or closed, in
// creation order, and fails writes on demand.
type textDest struct {
	dir string
	fs  *dfstest.Faulty
}

func (d textDest) Received(t testing.TB) []flume.Event {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(d.dir, "FlumeData.*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []flume.Event
	for _, name := range names { // the counter orders them; ".tmp" sorts after its final name, never beside it
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines(data) {
			out = append(out, flume.NewEvent([]byte(l)))
		}
	}
	return out
}

func (d textDest) Fail(_ testing.TB, failing bool) bool {
	if failing {
		d.fs.Fail(dfstest.Write, -1, nil)
	} else {
		d.fs.Heal(dfstest.Write)
	}
	return true
}

func TestSinkTest(t *testing.T) {
	sinktest.Run(t, sinktest.Options{
		BatchSize: 10,
		New: func(t testing.TB, in flume.Channel) (flume.Sink, sinktest.Destination) {
			dir := t.(*testing.T).TempDir()
			s, err := Factory(settings(t), flume.ContextFromMap(map[string]string{
				"hdfs.path": "file://" + filepath.Join(dir, "out"), "hdfs.recoveryDir": filepath.Join(dir, "rec"),
				"hdfs.fileType": "DataStream", "hdfs.batchSize": "10", "hdfs.rollCount": "7", "hdfs.rollSize": "0",
			}), in)
			if err != nil {
				t.Fatal(err)
			}
			faulty := dfstest.NewFaulty(dfs.Local{})
			hs := s.(*Sink)
			open := hs.openFS
			hs.openFS = func() (*mounted, error) {
				m, err := open()
				if err == nil {
					m.fs = faulty
				}
				return m, err
			}
			if err := s.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			return s, textDest{filepath.Join(dir, "out"), faulty}
		},
	})
}
