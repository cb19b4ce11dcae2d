package handler

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javatext"
)

func headers(e flume.Event) map[string]string {
	m := map[string]string{}
	for k, v := range e.AllHeaders() {
		m[k] = v
	}
	return m
}

func post(body []byte, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

type ev struct {
	body    string
	headers map[string]string
}

func check(t *testing.T, what string, got []flume.Event, want []ev) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range want {
		if string(got[i].Body) != want[i].body {
			t.Errorf("%s: event %d body %q, want %q", what, i, got[i].Body, want[i].body)
		}
		w := want[i].headers
		if w == nil {
			w = map[string]string{}
		}
		if h := headers(got[i]); !maps.Equal(h, w) {
			t.Errorf("%s: event %d headers %v, want %v", what, i, h, w)
		}
	}
}

// TestJSON: Flume's format, and the leniency of Gson, which Flume parses
// it with.
func TestJSON(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		want      []ev
	}{
		{"two events", `[{"headers":{"a":"b"},"body":"random_body"},{"headers":{"e":"f"},"body":"random_body2"}]`,
			[]ev{{"random_body", map[string]string{"a": "b"}}, {"random_body2", map[string]string{"e": "f"}}}},
		{"empty array", `[]`, nil},
		{"no headers, no body", `[{}]`, []ev{{"", nil}}},
		{"nulls", `[{"headers":null,"body":null}]`, []ev{{"", nil}}},
		{"escapes and UTF-8", `[{"body":"tab\there \"q\" \\ \/ caf\u00e9 é \ud83d\ude00 line\nbreak"}]`,
			[]ev{{"tab\there \"q\" \\ / café é 😀 line\nbreak", nil}}},
		{"unpaired surrogates become ?", `[{"body":"a\ud800b\udc00c\ud800"}]`, []ev{{"a?b?c?", nil}}},
		{"numbers and booleans as strings", `[{"headers":{"n":12,"f":-1.5e3,"b":TRUE,"z":false},"body":007}]`,
			[]ev{{"007", map[string]string{"n": "12", "f": "-1.5e3", "b": "true", "z": "false"}}}},
		{"a null header is left out", `[{"headers":{"a":null,"b":"x"}}]`, []ev{{"", map[string]string{"b": "x"}}}},
		{"unknown members are ignored", `[{"body":"x","charset":"UTF-16","extra":{"nested":[1,{"a":"b"}]}}]`, []ev{{"x", nil}}},
		{"the last body wins", `[{"body":"one","body":"two"}]`, []ev{{"two", nil}}},
		{"Gson's lenient syntax", "// comment\n)]}'\n[ # hash comment\n {headers = {a => 'single', b: unquoted}; body: 'it''s'} ; {'body':\"x\"} /* end */ ]",
			nil},
		{"headers as pairs", `[{"headers":[["a","1"],["b","2"]],"body":"x"}]`, []ev{{"x", map[string]string{"a": "1", "b": "2"}}}},
		{"a byte-order mark", "\ufeff[{\"body\":\"x\"}]", []ev{{"x", nil}}},
		{"raw control characters in a string", "[{\"body\":\"a\tb\nc\"}]", []ev{{"a\tb\nc", nil}}},
	} {
		got, err := JSON{}.Events(post([]byte(c.doc), "application/json"))
		if c.name == "Gson's lenient syntax" {
			// 'it''s' is two strings in a row: Gson stops at the second
			// quote; what follows is not a separator.
			if !errors.Is(err, flume.ErrBadRequest) {
				t.Errorf("%s: %v", c.name, err)
			}
			got, err = JSON{}.Events(post([]byte(strings.Replace(c.doc, "'it''s'", "'it\\'s'", 1)), ""))
			c.want = []ev{{"it's", map[string]string{"a": "single", "b": "unquoted"}}, {"x", nil}}
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		check(t, c.name, got, c.want)
	}
}

// TestJSONBadRequests: what the handler refuses, each a bad request (400)
// with a message.
func TestJSONBadRequests(t *testing.T) {
	for _, doc := range []string{
		``, `   `, `{"body":"not an array"}`, `[{"a": "b",["d":"e"],"body": "random_body"}]`, `[{"body":"x"}`,
		`[{"body":"x"},]`, `[,{"body":"x"}]`, `[null]`, `[{"body":{"nested":1}}]`, `[{"body":["x"]}]`,
		`[{"headers":{"a":"1","a":"2"}}]`, `[{"headers":"a=b"}]`, `[{"body":"x"}] trailing`, `[{"body":"\x"}]`,
		`[{"body":"\u12"}]`, `[{"body":"unterminated}]`, `[{"headers":[[null,"v"]]}]`, `[{"body" "x"}]`, `/* open`,
		`[{"headers":{"a":"1",}}]`, "[{\"body\":\"x\"}]\f", `[{"deep":` + strings.Repeat("[", 1<<20),
	} {
		_, err := JSON{}.Events(post([]byte(doc), "application/json; charset=UTF-8"))
		if !errors.Is(err, flume.ErrBadRequest) {
			t.Errorf("%q: %v, want a bad request", doc, err)
		}
	}
	_, err := JSON{}.Events(post([]byte(`[]`), "application/json; charset=ISO-8859-1"))
	if !errors.Is(err, flume.ErrBadRequest) || !strings.Contains(err.Error(), "ISO-8859-1") {
		t.Errorf("unsupported charset: %v", err)
	}
}

// TestJSONCharsets: the body's charset is the request's; each event's body
// is its text in that charset, as Java's String.getBytes writes it.
func TestJSONCharsets(t *testing.T) {
	const doc = `[{"headers":{"ключ":"значение"},"body":"random_body é"},{"body":""}]`
	for _, cs := range []javatext.Charset{javatext.UTF8, javatext.UTF16, javatext.UTF32} {
		for _, ct := range []string{"application/json; charset=" + cs.String(), "application/json;charset=\"" + strings.ToLower(cs.String()) + "\""} {
			got, err := JSON{}.Events(post(javatext.Encode(cs, doc), ct))
			if err != nil {
				t.Fatalf("%s: %v", ct, err)
			}
			check(t, ct, got, []ev{{string(javatext.Encode(cs, "random_body é")), map[string]string{"ключ": "значение"}}, {"", nil}})
		}
	}
	// A UTF-16 request in little-endian order with its byte-order mark.
	le := []byte{0xff, 0xfe}
	for _, u := range []byte(`[{"body":"x"}]`) {
		le = append(le, u, 0)
	}
	got, err := JSON{}.Events(post(le, "application/json; charset=utf-16"))
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Body, []byte{0xfe, 0xff, 0, 'x'}) {
		t.Fatalf("UTF-16LE: %v %v", got, err)
	}
	// Malformed UTF-8 is replaced as Java's decoder does.
	got, err = JSON{}.Events(post([]byte("[{\"body\":\"a\xe2\x82b\"}]"), ""))
	if err != nil || string(got[0].Body) != "a\ufffdb" {
		t.Fatalf("malformed UTF-8: %q %v", got, err)
	}
}

// TestBodyLimit: a read error, as the source's size limit makes one,
// reaches the caller wrapped.
func TestBodyLimit(t *testing.T) {
	r := post([]byte(`[{"body":"0123456789"}]`), "")
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 5)
	_, err := JSON{}.Events(r)
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) {
		t.Fatalf("%v", err)
	}
}

// TestBlob: BlobHandler makes one event of the body, truncated at
// maxBlobLength, with the Content-Type and the parameters as headers.
func TestBlob(t *testing.T) {
	h, err := NewBlob(flume.Settings{}, flume.ContextFromMap(map[string]string{"maxBlobLength": "5"}))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/?resourceName=a.avro&x=1&x=2", strings.NewReader("0123456789"))
	r.Header.Set("Content-Type", "application/octet-stream")
	got, err := h.Events(r)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "blob", got, []ev{{"01234", map[string]string{"Content-Type": "application/octet-stream", "resourceName": "a.avro", "x": "1"}}})
	if h.(*Blob).MaxBodySize() != 5 {
		t.Error("MaxBodySize")
	}
	h, _ = NewBlob(flume.Settings{}, flume.ContextFromMap(nil))
	got, _ = h.Events(httptest.NewRequest(http.MethodPost, "/", strings.NewReader("")))
	check(t, "empty", got, []ev{{"", nil}})
	// A URL-encoded form is read as parameters, as a servlet container does.
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("a=1&b=2"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	got, _ = h.Events(r)
	check(t, "form", got, []ev{{"", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "a": "1", "b": "2"}}})
	cfg := flume.ContextFromMap(map[string]string{"maxBlobLength": "0"})
	if _, err := NewBlob(flume.Settings{}, cfg); err == nil {
		t.Error("maxBlobLength 0 accepted")
	}
}

// TestBLOB: the core BLOBHandler's mandatory parameters.
func TestBLOB(t *testing.T) {
	h, _ := NewBLOB(flume.Settings{}, flume.ContextFromMap(map[string]string{"mandatoryParameters": "param1,param2"}))
	got, err := h.Events(httptest.NewRequest(http.MethodPost, "/?param1=value1&param2=value2", strings.NewReader("a,b,c")))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "csv", got, []ev{{"a,b,c", map[string]string{"param1": "value1", "param2": "value2"}}})
	if _, err := h.Events(httptest.NewRequest(http.MethodPost, "/?param1=v", strings.NewReader("x"))); !errors.Is(err, flume.ErrBadRequest) {
		t.Errorf("a missing parameter: %v", err)
	}
	h, _ = NewBLOB(flume.Settings{}, flume.ContextFromMap(nil))
	if got, err := h.Events(httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x"))); err != nil || string(got[0].Body) != "x" {
		t.Errorf("no mandatory parameters: %v %v", got, err)
	}
}

// strictEvents reads doc with encoding/json, the reference for standard
// JSON, when it is an array of objects whose body is a string or null and
// whose headers an object of strings and nulls (a null header is left out,
// as the handler leaves it out); ok is false for any other document, and
// for one with escaped surrogates, which the handler replaces as Java's
// charset does.
func strictEvents(doc []byte) (want []ev, ok bool) {
	if !utf8.Valid(doc) || bytes.Contains(bytes.ToLower(doc), []byte(`\ud`)) {
		return nil, false
	}
	var raw []map[string]json.RawMessage
	if json.Unmarshal(doc, &raw) != nil {
		return nil, false
	}
	for _, m := range raw {
		if m == nil {
			return nil, false // a null element, which the handler refuses
		}
		var e ev
		if b, ok := m["body"]; ok && json.Unmarshal(b, new(*string)) != nil {
			return nil, false
		} else if ok {
			var s *string
			_ = json.Unmarshal(b, &s)
			if s != nil {
				e.body = *s
			}
		}
		if h, ok := m["headers"]; ok {
			var hs map[string]*string
			if json.Unmarshal(h, &hs) != nil {
				return nil, false
			}
			e.headers = map[string]string{}
			for k, v := range hs {
				if v != nil {
					e.headers[k] = *v
				}
			}
		}
		want = append(want, e)
	}
	return want, true
}

// FuzzJSON: any body is events or a bad request, never a panic; the
// bodies of a UTF-8 request are UTF-8; a standard JSON document of Flume's
// shape gives the events encoding/json reads from it (or is refused only
// for a header name given twice or values nested too deep).
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`[{"headers":{"a":"b"},"body":"x"}]`, `[{headers:[["a",1]],body:'y'}]`, "#c\n[{}]", `[{"body":"\ud83d\ude00"}]`,
		`[{"x":[{"y":{}},2,"z"]}]`, `)]}'` + "\n[]", `[{"body":null,"headers":{"k\u00e9":"v\n","n":null,"a":"1"}},{},{"body":"\"\\/"}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := parseEvents(doc, javatext.UTF8)
		want, strict := strictEvents(doc)
		if err != nil {
			if !errors.Is(err, flume.ErrBadRequest) {
				t.Fatalf("%v is not a bad request", err)
			}
			if strict && !strings.Contains(err.Error(), "given twice") && !strings.Contains(err.Error(), "nested more than") {
				t.Fatalf("standard JSON refused: %v", err)
			}
			return
		}
		if strict {
			check(t, "standard JSON", got, want)
		}
		for _, e := range got {
			if !utf8.Valid(e.Body) {
				t.Fatalf("a UTF-8 request gave the body %q", e.Body)
			}
		}
	})
}
