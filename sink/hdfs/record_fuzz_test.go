package hdfs

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzRecord feeds arbitrary content as an in-use record: opening it
// never fails on content (torn or foreign lines are skipped), and the
// rewritten record reads back to the same entries.
func FuzzRecord(f *testing.F) {
	f.Add([]byte("+ \"file://\" \"/a/b.tmp\" \"/a/b\"\n- \"file://\" \"/a/b.tmp\"\n"))
	f.Add([]byte("+ \"hdfs://nn:8020\" \"/x/\\\"q\\\".tmp\" \"/x/\\\"q\\\"\"\n+ \"file://\" \"torn"))
	f.Add([]byte("garbage\n\x00\xff\n- \"file://\"\n+ 1 2 3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "k.inuse"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := openRecord(dir, "k")
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		first := r.entries()
		r.close()
		again, err := openRecord(dir, "k")
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer again.close()
		if second := again.entries(); !reflect.DeepEqual(first, second) && (len(first) > 0 || len(second) > 0) {
			t.Fatalf("entries changed on rewrite:\n%q\n%q", first, second)
		}
	})
}
