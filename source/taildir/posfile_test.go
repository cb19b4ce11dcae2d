package taildir

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestEncodePositionsLikeGson checks Gson's escaping of the file name (its
// default HTML-safe JsonWriter), which Flume uses to write the file.
func TestEncodePositionsLikeGson(t *testing.T) {
	got := string(EncodePositions([]Position{
		{Inode: 1, Pos: 0, File: "/a/b.log"},
		{Inode: -2, Pos: 9, File: "/x/<a>&'b'=\"c\"\\d\te\nf\x01g\u2028h é"},
		{Inode: 3, Pos: 4, File: "/bad/\xff"},
	}))
	want := `[{"inode":1,"pos":0,"file":"/a/b.log"},` +
		`{"inode":-2,"pos":9,"file":"/x/\u003ca\u003e\u0026\u0027b\u0027\u003d\"c\"\\d\te\nf\u0001g\u2028h é"},` +
		`{"inode":3,"pos":4,"file":"/bad/` + "\ufffd" + `"}]`
	if got != want {
		t.Fatalf("encoded\n%s\nwant\n%s", got, want)
	}
	if got := string(EncodePositions(nil)); got != "[]" {
		t.Fatalf("no positions: %s", got)
	}
}

func TestDecodePositions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Position
		err  string
	}{
		{"", nil, ""},
		{" \n", nil, ""},
		{"[]", []Position{}, ""},
		{`[{"inode":5,"pos":"7","file":"/a\u003cb"}]`, []Position{{5, 7, "/a<b"}}, ""},
		{`[{"file":"/a","pos":1,"inode":2,"extra":[1,2]}]`, []Position{{2, 1, "/a"}}, ""},
		{`[{"inode":5,"pos":7}]`, nil, `missing "file"`},
		{`[{"inode":5,"pos":-1,"file":"/a"}]`, nil, "negative pos"},
		{`[{"inode":5.5,"pos":1,"file":"/a"}]`, nil, "not a long"},
		{`{"inode":5}`, nil, "not a JSON array"},
		{`[{"inode":5,"pos":1,"file":"/a"}`, nil, "not a JSON array"},
	} {
		got, err := DecodePositions([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzDecodePositions: any input is decoded or refused, and what decodes
// survives a round trip through the encoder (for valid UTF-8 names).
func FuzzDecodePositions(f *testing.F) {
	f.Add([]byte(`[{"inode":9986222,"pos":3893,"file":"/var/log/app/a.log"},{"inode":9986227,"pos":1892,"file":"/var/log/app/b.log"}]`))
	f.Add([]byte(`[{"inode":"1","pos":"2","file":"\u003c"}]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := DecodePositions(data)
		if err != nil {
			return
		}
		for _, p := range ps {
			if !isUTF8(p.File) {
				return
			}
		}
		again, err := DecodePositions(EncodePositions(ps))
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if len(ps) != len(again) || (len(ps) > 0 && !reflect.DeepEqual(ps, again)) {
			t.Fatalf("round trip: %+v != %+v", ps, again)
		}
	})
}

func isUTF8(s string) bool { return utf8.ValidString(s) }
