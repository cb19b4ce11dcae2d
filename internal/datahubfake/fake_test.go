package datahubfake

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	id  = "fakeId"
	key = "fakeKey"
)

// sign signs req the documented way, written out again here so the test
// does not trust the code under test.
func sign(req *http.Request, accessKey string) {
	var xs []string
	for k, v := range req.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-datahub-") {
			xs = append(xs, lk+":"+v[0])
		}
	}
	for i := 1; i < len(xs); i++ { // insertion sort, to avoid importing sort for one call
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
	parts := append([]string{req.Method, req.Header.Get("Content-Type"), req.Header.Get("Date")}, xs...)
	parts = append(parts, req.URL.RequestURI())
	m := hmac.New(sha1.New, []byte(accessKey))
	m.Write([]byte(strings.Join(parts, "\n")))
	req.Header.Set("Authorization", "DATAHUB "+id+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

func newServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	s := New(id, key)
	if err := s.CreateTopic("p", "t", TopicSpec{Shards: 2, Fields: []Field{
		{Name: "id", Type: "BIGINT", NotNull: true}, {Name: "msg", Type: "STRING"},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTopic("p", "b", TopicSpec{RecordType: Blob}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

func do(t *testing.T, hs *httptest.Server, method, path, ctype string, body []byte, hdr map[string]string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, hs.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("x-datahub-client-version", "1.1")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if hdr["Authorization"] == "" {
		sign(req, key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// pbRequest builds a framed PutRecordsRequest by hand.
func pbRequest(recs ...[]*string) []byte {
	field := func(b []byte, num int, data []byte) []byte {
		b = binary.AppendUvarint(b, uint64(num<<3|2))
		b = binary.AppendUvarint(b, uint64(len(data)))
		return append(b, data...)
	}
	var msg []byte
	for i, vals := range recs {
		var data []byte
		for _, v := range vals {
			var fd []byte
			if v != nil {
				fd = field(nil, 1, []byte(*v))
			}
			data = field(data, 1, fd)
		}
		entry := field(nil, 1, []byte(strconv.Itoa(i%2)))
		entry = field(entry, 9, data)
		msg = field(msg, 1, entry)
	}
	return frame(msg)
}

func str(s string) *string { return &s }

func TestTopicAndShards(t *testing.T) {
	_, hs := newServer(t)
	code, body, _ := do(t, hs, "GET", "/projects/p/topics/t", "application/json", nil, nil)
	var topic struct {
		RecordType, RecordSchema string
		ShardCount               int
	}
	if err := json.Unmarshal(body, &topic); err != nil || code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if topic.RecordType != "TUPLE" || topic.ShardCount != 2 ||
		topic.RecordSchema != `{"fields":[{"name":"id","type":"BIGINT","notnull":true},{"name":"msg","type":"STRING","notnull":false}]}` {
		t.Fatalf("topic = %+v", topic)
	}
	code, body, _ = do(t, hs, "GET", "/projects/p/topics/t/shards", "application/json", nil, nil)
	var shards struct {
		Shards []struct {
			ShardID string `json:"ShardId"`
			State   string
		}
	}
	if err := json.Unmarshal(body, &shards); err != nil || code != 200 || len(shards.Shards) != 2 ||
		shards.Shards[1].ShardID != "1" || shards.Shards[1].State != "ACTIVE" {
		t.Fatalf("shards: %d %s", code, body)
	}
	for path, want := range map[string]string{"/projects/x/topics/t": "NoSuchProject", "/projects/p/topics/x": "NoSuchTopic", "/nope": "NoSuchResource"} {
		code, body, _ := do(t, hs, "GET", path, "application/json", nil, nil)
		if code != 404 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
}

func TestAuthentication(t *testing.T) {
	s, hs := newServer(t)
	for name, hdr := range map[string]map[string]string{
		"no authorization": {"Authorization": "none"},
		"unknown id":       {"Authorization": "DATAHUB other:abc"},
		"bad signature":    {"Authorization": "DATAHUB " + id + ":abc"},
		"old date":         {"Date": time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)},
	} {
		code, body, _ := do(t, hs, "GET", "/projects/p/topics/t", "application/json", nil, hdr)
		if code != http.StatusUnauthorized || !strings.Contains(string(body), "Unauthorized") {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
	// A header covered by the signature changed after signing.
	req, _ := http.NewRequest("GET", hs.URL+"/projects/p/topics/t", nil)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("x-datahub-request-action", "pub")
	sign(req, key)
	req.Header.Set("x-datahub-request-action", "sub")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tampered header accepted: %d", resp.StatusCode)
	}
	if s.Stats().AuthFailures != 5 {
		t.Errorf("AuthFailures = %d", s.Stats().AuthFailures)
	}
}

func TestPutProtobufAndJSON(t *testing.T) {
	s, hs := newServer(t)
	pbHdr := map[string]string{"x-datahub-request-action": "pub"}
	body := pbRequest([]*string{str("1"), str("a")}, []*string{str("2"), nil}, []*string{str("x"), str("bad id")}, []*string{nil, str("null id")})
	code, resp, hdr := do(t, hs, "POST", "/projects/p/topics/t/shards", "application/x-protobuf", body, pbHdr)
	if code != 200 || hdr.Get("x-datahub-request-id") == "" {
		t.Fatalf("%d %q", code, resp)
	}
	// failed_count 2, failed records at 2 and 3.
	p := pb{resp[12:]}
	var idx []int
	var count uint64
	for len(p.b) > 0 {
		num, _, v, data, err := p.field()
		if err != nil {
			t.Fatal(err)
		}
		if num == 1 {
			count = v
		}
		if num == 2 {
			q := pb{data}
			_, _, i, _, _ := q.field()
			idx = append(idx, int(i))
		}
	}
	if count != 2 || fmt.Sprint(idx) != "[2 3]" {
		t.Fatalf("failed count %d at %v", count, idx)
	}
	js := `{"Action":"pub","Records":[{"ShardId":"1","Data":["3","c"]},{"ShardId":"9","Data":["4","d"]},{"ShardId":"0","Data":["5"]}]}`
	code, resp, _ = do(t, hs, "POST", "/projects/p/topics/t/shards", "application/json", []byte(js), nil)
	var jr struct {
		FailedRecordCount int
		FailedRecords     []failure
	}
	if err := json.Unmarshal(resp, &jr); err != nil || code != 200 {
		t.Fatalf("%d %s", code, resp)
	}
	if jr.FailedRecordCount != 2 || jr.FailedRecords[0].Code != "NoSuchShard" || jr.FailedRecords[1].Code != "MalformedRecord" {
		t.Fatalf("json answer %+v", jr)
	}
	recs := s.Records("p", "t")
	if len(recs) != 3 || recs[0].Values[0].S != "1" || !recs[1].Values[1].Null || recs[2].Shard != "1" || recs[2].Sequence != 1 {
		t.Fatalf("stored %+v", recs)
	}
	st := s.Stats()
	if st.PutRequests != 2 || st.RecordsReceived != 7 || st.RecordsStored != 3 || st.RecordsFailed != 4 {
		t.Fatalf("stats %+v", st)
	}
	// By shard: all or nothing.
	code, _, _ = do(t, hs, "POST", "/projects/p/topics/t/shards/1", "application/x-protobuf", pbRequest([]*string{str("6"), nil}, []*string{str("x"), nil}), pbHdr)
	if code != 400 || len(s.Records("p", "t")) != 3 {
		t.Fatalf("by shard with a bad record: %d, %d stored", code, len(s.Records("p", "t")))
	}
	code, _, _ = do(t, hs, "POST", "/projects/p/topics/t/shards/1", "application/json", []byte(js), nil)
	if code != 400 {
		t.Fatalf("JSON by shard accepted: %d", code)
	}
	// Blob topic through JSON.
	code, _, _ = do(t, hs, "POST", "/projects/p/topics/b/shards", "application/json",
		[]byte(`{"Action":"pub","Records":[{"ShardId":"0","Data":"`+base64.StdEncoding.EncodeToString([]byte("\x00raw"))+`"}]}`), nil)
	if b := s.Records("p", "b"); code != 200 || len(b) != 1 || string(b[0].Blob) != "\x00raw" {
		t.Fatalf("blob: %d %+v", code, b)
	}
}

func TestFaultsAndShards(t *testing.T) {
	s, hs := newServer(t)
	pbHdr := map[string]string{"x-datahub-request-action": "pub"}
	put := func() (int, []byte) {
		code, b, _ := do(t, hs, "POST", "/projects/p/topics/t/shards", "application/x-protobuf",
			pbRequest([]*string{str("1"), nil}, []*string{str("2"), nil}), pbHdr)
		return code, b
	}
	s.FailRequests(2, 503, "ServiceUnavailable", "down")
	for i := 0; i < 2; i++ {
		if code, b := put(); code != 503 || !strings.Contains(string(b), "ServiceUnavailable") {
			t.Fatalf("fault %d: %d %s", i, code, b)
		}
	}
	if code, _ := put(); code != 200 || len(s.Records("p", "t")) != 2 {
		t.Fatalf("after the faults: %d", code)
	}
	s.FailRecords(-1, "LimitExceeded", "slow down", func(r Record) bool { return r.Values[0].S == "2" })
	put()
	put()
	s.ClearFaults()
	put()
	if n := len(s.Records("p", "t")); n != 2+1+1+2 {
		t.Fatalf("stored %d", n)
	}
	if err := s.SetShardState("p", "t", "0", Closed); err != nil {
		t.Fatal(err)
	}
	id, err := s.AddShard("p", "t")
	if err != nil || id != "2" {
		t.Fatal(id, err)
	}
	before := len(s.Records("p", "t"))
	put() // record 0 goes to shard 0 (closed): fails; record 1 to shard 1: stored
	if n := len(s.Records("p", "t")); n != before+1 {
		t.Fatalf("stored %d after closing shard 0", n-before)
	}
	if s.SetShardState("p", "t", "9", Active) == nil || s.SetShardState("p", "x", "0", Active) == nil {
		t.Error("unknown shard or topic accepted")
	}
}

func TestBodies(t *testing.T) {
	s, hs := newServer(t)
	s.MaxBodyBytes = 1024
	pbHdr := map[string]string{"x-datahub-request-action": "pub"}
	big := pbRequest([]*string{str("1"), str(strings.Repeat("x", 2000))})
	if code, _, _ := do(t, hs, "POST", "/projects/p/topics/t/shards", "application/x-protobuf", big, pbHdr); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", code)
	}
	body := pbRequest([]*string{str("1"), str(strings.Repeat("y", 500))})
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(body)
	zw.Close()
	hdr := map[string]string{"x-datahub-request-action": "pub", "Content-Encoding": "deflate", "x-datahub-content-raw-size": strconv.Itoa(len(body)), "Accept-Encoding": "deflate"}
	code, resp, rh := do(t, hs, "POST", "/projects/p/topics/t/shards", "application/x-protobuf", z.Bytes(), hdr)
	if code != 200 || len(s.Records("p", "t")) != 1 || rh.Get("Content-Encoding") != "" && rh.Get("x-datahub-content-raw-size") == "" {
		t.Fatalf("deflate body: %d %q", code, resp)
	}
	hdr["x-datahub-content-raw-size"] = strconv.Itoa(len(body) + 1)
	if code, _, _ := do(t, hs, "POST", "/projects/p/topics/t/shards", "application/x-protobuf", z.Bytes(), hdr); code != 400 {
		t.Errorf("wrong raw size accepted: %d", code)
	}
	hdr["x-datahub-content-raw-size"] = "100000"
	if code, _, _ := do(t, hs, "POST", "/projects/p/topics/t/shards", "application/x-protobuf", z.Bytes(), hdr); code != 400 {
		t.Errorf("raw size above the limit accepted: %d", code)
	}
	bad := pbRequest([]*string{str("1"), nil})
	bad[6] ^= 0xff // CRC
	if code, _, _ := do(t, hs, "POST", "/projects/p/topics/t/shards", "application/x-protobuf", bad, pbHdr); code != 400 {
		t.Errorf("bad CRC accepted: %d", code)
	}
	if code, _, _ := do(t, hs, "POST", "/projects/p/topics/t/shards", "application/x-protobuf", pbRequest(), nil); code != 400 {
		t.Errorf("protobuf put without request action accepted: %d", code)
	}
}

func TestParseSchema(t *testing.T) {
	spec, err := ParseSchema("id:bigint:notnull, msg ,ts:TIMESTAMP")
	if err != nil || len(spec.Fields) != 3 || !spec.Fields[0].NotNull || spec.Fields[0].Type != "BIGINT" || spec.Fields[1].Type != "STRING" {
		t.Fatalf("%+v %v", spec, err)
	}
	spec, err = ParseSchema(`{"fields":[{"name":"a","type":"double"}]}`)
	if err != nil || spec.Fields[0].Type != "DOUBLE" {
		t.Fatalf("%+v %v", spec, err)
	}
	if spec, err := ParseSchema("blob"); err != nil || spec.RecordType != Blob {
		t.Fatalf("%+v %v", spec, err)
	}
	for _, bad := range []string{"a:NOPE", "a,a", "a:STRING:maybe", `{"fields":[]}`, ""} {
		if _, err := ParseSchema(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzDecodePut feeds arbitrary bodies to the request decoders and to the
// whole handler: no panic, and garbage gets a 4xx answer.
func FuzzDecodePut(f *testing.F) {
	f.Add(pbRequest([]*string{str("1"), str("a")}, []*string{nil, nil}), true)
	f.Add([]byte(`{"Action":"pub","Records":[{"ShardId":"0","Data":["1",null]}]}`), false)
	f.Add([]byte(`{"Action":"pub","Records":[{"ShardId":"0","Data":"AAEC"}]}`), false)
	f.Add([]byte("DHUB\x00\x00\x00\x00\x00\x00\x00\x02\x0a\xff"), true)
	s := New(id, key)
	_ = s.CreateTopic("p", "t", TopicSpec{Fields: []Field{{Name: "id", Type: "BIGINT"}, {Name: "m", Type: "STRING"}}})
	f.Fuzz(func(t *testing.T, body []byte, protobuf bool) {
		if len(body) >= 12 && string(body[:4]) == "DHUB" {
			b := append([]byte(nil), body...)
			binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
			recs, err := decodePutPB(frame(b[12:]))
			if err == nil && len(recs) > maxRecords {
				t.Fatal("too many records")
			}
		}
		_, _ = decodePutPB(body)
		_, _ = decodePutJSON(body)
		ctype := "application/json"
		if protobuf {
			ctype = "application/x-protobuf"
		}
		req := httptest.NewRequest("POST", "/projects/p/topics/t/shards", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("x-datahub-request-action", "pub")
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		sign(req, key)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}
