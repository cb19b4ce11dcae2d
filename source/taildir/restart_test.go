package taildir

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// TestDeviceNumberChanged: device numbers may change across a reboot; a
// file is still recognised by its inode and fingerprint.
func TestDeviceNumberChanged(t *testing.T) {
	h := newHarness(t, nil)
	app := filepath.Join(h.dir, "app.log")
	write(t, app, lines(1, 100))
	h.start()
	h.waitEvents(100)
	h.stop()
	st, err := readState(h.pos + stateSuffix)
	if err != nil || st == nil || len(st.order) != 1 {
		t.Fatalf("state %+v, %v", st, err)
	}
	b := appendHeader(nil, st.posFileHash)
	for _, id := range st.order {
		e := *st.entries[id]
		e.id.dev += 7
		b = appendEntry(b, &e)
	}
	if err := os.WriteFile(h.pos+stateSuffix, b, 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, app, lines(101, 110))
	h.start()
	h.waitEvents(110)
	h.settle(`app\.log`)
	numbers(t, h.bodies(), 110)
}

// TestFlumeRanMeanwhile: when the position file is not the one written with
// the state file (Flume ran in between), its positions win.
func TestFlumeRanMeanwhile(t *testing.T) {
	h := newHarness(t, nil)
	app := filepath.Join(h.dir, "app.log")
	write(t, app, lines(1, 100))
	h.start()
	h.waitEvents(100)
	h.stop()
	// Flume read 50 more lines and wrote its position file.
	write(t, app, lines(101, 150))
	ps := h.positions()
	ps[0].Pos += int64(len(lines(101, 150)))
	if err := os.WriteFile(h.pos, EncodePositions(ps), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, app, lines(151, 160))
	h.got = nil
	h.start()
	h.waitEvents(10)
	h.settle(`app\.log`)
	if got := strings.Join(h.bodies(), ","); got != strings.TrimSuffix(strings.ReplaceAll(lines(151, 160), "\n", ","), ",") {
		t.Fatalf("after Flume's positions: %s", got)
	}
}

// TestDamagedPositionFile: a position file that does not parse is
// reported, and every file is read from its start, skipToEnd or not:
// nothing is skipped.
func TestDamagedPositionFile(t *testing.T) {
	h := newHarness(t, map[string]string{"skipToEnd": "true"})
	write(t, filepath.Join(h.dir, "app.log"), lines(1, 20))
	if err := os.MkdirAll(filepath.Dir(h.pos), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.pos, []byte(`[{"inode":1,"pos":`), 0o644); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.waitEvents(20)
	numbers(t, h.bodies(), 20)
	if !strings.Contains(h.logs.String(), "the position file is damaged") {
		t.Fatalf("the damaged position file was not reported:\n%s", h.logs.String())
	}
}

// TestOwnFilesNotTailed: a group matching everything in the directory that
// also holds the position file does not tail the position and state files
// (which change with every commit).
func TestOwnFilesNotTailed(t *testing.T) {
	h := newHarness(t, map[string]string{"filegroups.f1": "$DIR/.*", "positionFile": "$DIR/taildir_position.json", "writePosInterval": "20"})
	h.pos = filepath.Join(h.dir, "taildir_position.json")
	write(t, filepath.Join(h.dir, "app.log"), lines(1, 10))
	h.start()
	h.waitEvents(10)
	h.settle(`app\.log`)
	for range 3 {
		h.waitRound()
	}
	h.collect()
	if len(h.got) != 10 {
		t.Fatalf("%d events; the 11th: %.80q", len(h.got), h.got[10].Body)
	}
	if st := h.src.Stats(); st.Tracked != 1 {
		t.Fatalf("tracking %d files", st.Tracked)
	}
}

// TestPositionFileInUse: two sources cannot share a position file (they
// would overwrite each other's positions); the second is refused at Start
// with a clear error, and starts once the first has stopped.
func TestPositionFileInUse(t *testing.T) {
	h := newHarness(t, nil)
	h.start()
	cfg := flume.ContextFromMap(h.props)
	other, err := Factory(flume.Settings{Name: "r2"}, cfg, flumetest.Processor(h.ch))
	if err != nil {
		t.Fatal(err)
	}
	err = other.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "in use by another TAILDIR source") {
		t.Fatalf("second source on the same position file: %v", err)
	}
	h.stop()
	if err := other.Start(context.Background()); err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	stopSource(t, other.(*Source))
}
