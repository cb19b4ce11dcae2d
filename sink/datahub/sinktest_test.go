package datahub

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/datahubfake"
	"github.com/flumego/flume/sink/sinktest"
)

// datahubDest is the DataHub fake with a BLOB topic; failing answers every
// request with an internal server error.
type datahubDest struct{ srv *datahubfake.Server }

func (d datahubDest) Received(testing.TB) []flume.Event {
	var out []flume.Event
	for _, r := range d.srv.Records("flume_proj", "raw") {
		out = append(out, flume.NewEvent(r.Blob))
	}
	return out
}

func (d datahubDest) Fail(_ testing.TB, failing bool) bool {
	if failing {
		d.srv.FailRequests(1<<30, http.StatusInternalServerError, "InternalServerError", "sinktest")
	} else {
		d.srv.ClearFaults()
	}
	return true
}

func TestSinkTest(t *testing.T) {
	sinktest.Run(t, sinktest.Options{
		BatchSize: 10,
		New: func(t testing.TB, in flume.Channel) (flume.Sink, sinktest.Destination) {
			srv, url, _ := fake(t, "flume_proj", "raw", "BLOB", 1)
			s, _ := newSink(t, props2x(url, map[string]string{
				"datahub.topic": "raw", "datahub.batchSize": "10", "datahub.retryTimes": "0",
				"datahub.dirtyDataFile": filepath.Join(t.TempDir(), "dirty"),
			}), in)
			return s, datahubDest{srv}
		},
	})
}
