package fileroll

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/sink/sinktest"
)

// fileDest reads back the TEXT files of a file_roll sink. Running as root
// ignores file permissions, so it cannot be made to fail.
type fileDest struct{ dir string }

func (d fileDest) Received(t testing.TB) []flume.Event {
	t.Helper()
	var out []flume.Event
	names, err := filepath.Glob(filepath.Join(d.dir, "*")) // sorted; one file without roll
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for line := range bytes.Lines(data) {
			out = append(out, flume.NewEvent(bytes.TrimSuffix(line, []byte("\n"))))
		}
	}
	return out
}

func (fileDest) Fail(testing.TB, bool) bool { return false }

func TestSinkTest(t *testing.T) {
	sinktest.Run(t, sinktest.Options{
		BatchSize: 10,
		New: func(t testing.TB, in flume.Channel) (flume.Sink, sinktest.Destination) {
			dir := t.TempDir()
			s, err := Factory(settings(t), flume.ContextFromMap(map[string]string{
				"sink.directory": dir, "sink.rollInterval": "0", "sink.batchSize": "10"}), in)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			return s, fileDest{dir}
		},
	})
}
