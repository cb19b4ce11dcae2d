package taildir

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func sampleEntries() []*stateEntry {
	return []*stateEntry{
		{id: fileID{1, 10}, pos: 100, fp: fingerprint{headLen: 100, head: 7, markEnd: 100, markLen: 100, mark: 8}, group: "f1", path: "/a/x.log"},
		{id: fileID{1, 11}, pos: 0, group: "", path: "/a/y.log"},
	}
}

// TestStateJournal: a compaction writes both files; positions appended
// afterwards are read back; a torn or damaged tail is ignored.
func TestStateJournal(t *testing.T) {
	dir := t.TempDir()
	j := newJournal(filepath.Join(dir, "pos.json"))
	defer j.close()
	posFile := EncodePositions([]Position{{10, 100, "/a/x.log"}, {11, 0, "/a/y.log"}})
	if err := j.compact(posFile, sampleEntries()); err != nil {
		t.Fatal(err)
	}
	fp := fingerprint{headLen: 100, head: 7, markEnd: 150, markLen: 50, mark: 9}
	if err := j.append(appendPosition(nil, fileID{1, 10}, 150, fp)); err != nil {
		t.Fatal(err)
	}
	if err := j.append(appendDrop(nil, fileID{1, 11})); err != nil {
		t.Fatal(err)
	}
	if err := j.append(appendEntry(nil, &stateEntry{id: fileID{2, 12}, pos: 5, path: "/b/z.log", group: "f2"})); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(j.statePath)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(j.posPath); string(got) != string(posFile) {
		t.Fatalf("position file %s", got)
	}
	check := func(data []byte, wantIDs []fileID) *savedState {
		t.Helper()
		st, err := decodeState(data)
		if err != nil {
			t.Fatal(err)
		}
		if st.posFileHash != sha256.Sum256(posFile) {
			t.Fatal("the header does not hold the position file's hash")
		}
		if !reflect.DeepEqual(st.order, wantIDs) {
			t.Fatalf("entries %v, want %v", st.order, wantIDs)
		}
		return st
	}
	st := check(data, []fileID{{1, 10}, {2, 12}})
	if e := st.entries[fileID{1, 10}]; e.pos != 150 || e.fp != fp || e.path != "/a/x.log" || e.group != "f1" {
		t.Fatalf("entry after the journal: %+v", e)
	}
	// A torn last record is ignored; so is everything after a damaged one.
	check(data[:len(data)-3], []fileID{{1, 10}})
	bad := append([]byte(nil), data...)
	bad[len(bad)-40] ^= 0xff
	check(bad, []fileID{{1, 10}})
	if _, err := decodeState(data[:5]); err == nil {
		t.Fatal("a state file without a complete header was accepted")
	}
}

// FuzzDecodeState: any input decodes or is refused, without panicking.
func FuzzDecodeState(f *testing.F) {
	b := appendHeader(nil, sha256.Sum256(nil))
	for _, e := range sampleEntries() {
		b = appendEntry(b, e)
	}
	b = appendPosition(b, fileID{1, 10}, 200, fingerprint{headLen: 10, markEnd: 200, markLen: 20})
	b = appendDrop(b, fileID{1, 11})
	f.Add(b)
	f.Add(b[:20])
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeState(data)
		if err != nil {
			return
		}
		for _, id := range st.order {
			e := st.entries[id]
			if e == nil || e.fp.headLen > headMax || e.fp.markLen > markMax {
				t.Fatalf("bad entry %v: %+v", id, e)
			}
		}
	})
}
