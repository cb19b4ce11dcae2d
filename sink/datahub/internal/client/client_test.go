package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume/internal/datahubfake"
	"github.com/flumego/flume/internal/datahubfake/fakeproc"
)

// The golden file holds the requests that the official Go SDK
// (github.com/aliyun/aliyun-datahub-sdk-go v1.1.5) sent to a capturing
// server for fixed records: ListShard, PutRecords in protobuf and JSON for a
// tuple and a blob topic, PutRecordsByShard. It pins the signature algorithm
// and the protobuf encoding to the SDK's.
type sdkRequest struct {
	Method  string            `json:"method"`
	URI     string            `json:"uri"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body_base64"`
}

func loadGolden(t *testing.T) []sdkRequest {
	t.Helper()
	b, err := os.ReadFile("testdata/sdk-go-v1.1.5-requests.json")
	if err != nil {
		t.Fatal(err)
	}
	var reqs []sdkRequest
	if err := json.Unmarshal(b, &reqs); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 6 {
		t.Fatalf("golden file has %d requests, want 6", len(reqs))
	}
	return reqs
}

func goldenRecords() []Record {
	return []Record{
		{ShardID: "0", Values: []Value{{S: "1"}, {S: "héllo, \"world\"\n"}, {S: "1.5"}}},
		{ShardID: "1", Values: []Value{{S: "-42"}, {Null: true}, {S: "1.5"}}},
		{ShardID: "0", Values: []Value{{S: "7"}, {S: ""}, {S: "1.5"}}},
	}
}

func TestSignatureMatchesSDK(t *testing.T) {
	for _, r := range loadGolden(t) {
		h := http.Header{}
		for k, v := range r.Headers {
			h.Set(k, v)
		}
		got := Authorization("LTAIexampleId", "exampleSecretKey0123456789", r.Method, r.URI, h)
		if want := r.Headers["Authorization"]; got != want {
			t.Errorf("%s %s: Authorization %q, SDK sent %q", r.Method, r.URI, got, want)
		}
		if bad := Authorization("LTAIexampleId", "otherKey", r.Method, r.URI, h); bad == r.Headers["Authorization"] {
			t.Errorf("signature does not depend on the key")
		}
	}
}

func TestEncodingMatchesSDK(t *testing.T) {
	reqs := loadGolden(t)
	body := func(i int) []byte {
		b, err := base64.StdEncoding.DecodeString(reqs[i].Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	blob := []Record{{ShardID: "2", IsBlob: true, Blob: []byte("raw\x00line\xff")}}
	if got := appendPutRequestPB(nil, goldenRecords()); !bytes.Equal(got, body(1)) {
		t.Errorf("tuple protobuf body\n got %x\nwant %x", got, body(1))
	}
	if got := appendPutRequestPB(nil, blob); !bytes.Equal(got, body(3)) {
		t.Errorf("blob protobuf body\n got %x\nwant %x", got, body(3))
	}
	if got := appendPutRequestPB(nil, goldenRecords()[:1]); !bytes.Equal(got, body(5)) {
		t.Errorf("by-shard protobuf body\n got %x\nwant %x", got, body(5))
	}
	sameJSON := func(name string, got, want []byte) {
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: our JSON does not parse: %v\n%s", name, err, got)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s JSON body\n got %s\nwant %s", name, got, want)
		}
	}
	sameJSON("tuple", appendPutRequestJSON(nil, goldenRecords()), body(2))
	sameJSON("blob", appendPutRequestJSON(nil, blob), body(4))
}

func TestJSONStringEscaping(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s", "\x00\x1f\x7f", "tab\tnl\ncr\r", "ü€𝄞", "bad\xffutf8\xc3"} {
		var got string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); got != want && !(strings.Contains(s, "\xc3") && got == "bad\uFFFDutf8\uFFFD") {
			t.Errorf("%q round-trips to %q", s, got)
		}
	}
}

const (
	testID  = "testAccessId"
	testKey = "testAccessKey"
)

func startFake(t *testing.T) (*datahubfake.Server, string) {
	t.Helper()
	srv := datahubfake.New(testID, testKey)
	if err := srv.CreateTopic("proj", "tuple", datahubfake.TopicSpec{Shards: 2, Fields: []datahubfake.Field{
		{Name: "id", Type: "BIGINT", NotNull: true}, {Name: "msg", Type: "STRING"}, {Name: "score", Type: "DOUBLE"},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateTopic("proj", "blob", datahubfake.TopicSpec{RecordType: datahubfake.Blob}); err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, url
}

func newClient(t *testing.T, url string, pb bool, compress string) *Client {
	t.Helper()
	c, err := New(Config{Endpoint: url, AccessID: testID, AccessKey: testKey, Protobuf: pb, Compress: compress, UserAgent: "flumego-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestAgainstFake(t *testing.T) {
	for _, pb := range []bool{true, false} {
		for _, comp := range []string{"", "deflate", "lz4"} {
			t.Run(fmt.Sprintf("pb=%v,compress=%q", pb, comp), func(t *testing.T) {
				srv, url := startFake(t)
				c := newClient(t, url, pb, comp)
				ctx := context.Background()
				topic, err := c.GetTopic(ctx, "proj", "tuple")
				if err != nil {
					t.Fatal(err)
				}
				want := []Field{{Name: "id", Type: "BIGINT", NotNull: true}, {Name: "msg", Type: "STRING"}, {Name: "score", Type: "DOUBLE"}}
				if topic.RecordType != Tuple || !reflect.DeepEqual(topic.Fields, want) {
					t.Fatalf("GetTopic = %+v", topic)
				}
				shards, err := c.ListShards(ctx, "proj", "tuple")
				if err != nil || len(shards) != 2 || shards[1].ID != "1" || shards[1].State != ShardActive {
					t.Fatalf("ListShards = %+v, %v", shards, err)
				}
				// Large enough for compression to pay off.
				var recs []Record
				for i := 0; i < 300; i++ {
					recs = append(recs, Record{ShardID: fmt.Sprint(i % 2), Values: []Value{{S: fmt.Sprint(i)}, {S: strings.Repeat("message ", 10)}, {Null: true}}})
				}
				recs[5].Values[2] = Value{S: "not a double"} // fails alone
				recs[9].ShardID = "7"                        // no such shard
				failed, err := c.PutRecords(ctx, "proj", "tuple", recs)
				if err != nil {
					t.Fatal(err)
				}
				if len(failed) != 2 || failed[0].Index != 5 || failed[0].Code != CodeMalformedRecord ||
					failed[1].Index != 9 || failed[1].Code != CodeNoSuchShard {
					t.Fatalf("failed = %+v", failed)
				}
				stored := srv.Records("proj", "tuple")
				if len(stored) != 298 || stored[0].Values[1].S != strings.Repeat("message ", 10) || !stored[0].Values[2].Null {
					t.Fatalf("stored %d records, first %+v", len(stored), stored[0])
				}
				if pb {
					if err := c.PutRecordsByShard(ctx, "proj", "tuple", "1", recs[:3]); err != nil {
						t.Fatal(err)
					}
					if got := srv.Records("proj", "tuple"); len(got) != 301 || got[300].Shard != "1" {
						t.Fatalf("by shard: %d records", len(got))
					}
				}
				blob := []Record{{ShardID: "0", IsBlob: true, Blob: []byte("raw\x00\xffbytes")}}
				if failed, err := c.PutRecords(ctx, "proj", "blob", blob); err != nil || len(failed) != 0 {
					t.Fatalf("blob put: %v %v", failed, err)
				}
				if got := srv.Records("proj", "blob"); len(got) != 1 || string(got[0].Blob) != "raw\x00\xffbytes" {
					t.Fatalf("blob stored %+v", got)
				}
			})
		}
	}
}

func TestErrors(t *testing.T) {
	srv, url := startFake(t)
	ctx := context.Background()
	c := newClient(t, url, true, "")

	_, err := c.GetTopic(ctx, "proj", "missing")
	if ErrorCode(err) != "NoSuchTopic" || !Permanent(err) {
		t.Fatalf("missing topic: %v", err)
	}
	bad, _ := New(Config{Endpoint: url, AccessID: testID, AccessKey: "wrong"})
	_, err = bad.ListShards(ctx, "proj", "tuple")
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized || !Permanent(err) || e.RequestID == "" {
		t.Fatalf("wrong key: %v", err)
	}
	skewed, _ := New(Config{Endpoint: url, AccessID: testID, AccessKey: testKey, Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	if _, err = skewed.ListShards(ctx, "proj", "tuple"); ErrorCode(err) != "Unauthorized" {
		t.Fatalf("skewed clock: %v", err)
	}

	srv.FailRequests(1, http.StatusServiceUnavailable, "ServiceUnavailable", "try later")
	rec := []Record{{ShardID: "0", Values: []Value{{S: "1"}, {S: "x"}, {S: "2.5"}}}}
	_, err = c.PutRecords(ctx, "proj", "tuple", rec)
	if ErrorCode(err) != "ServiceUnavailable" || Permanent(err) {
		t.Fatalf("injected 503: %v", err)
	}
	if failed, err := c.PutRecords(ctx, "proj", "tuple", rec); err != nil || len(failed) != 0 {
		t.Fatalf("after the fault: %v %v", failed, err)
	}
	if err := srv.SetShardState("proj", "tuple", "0", datahubfake.Closed); err != nil {
		t.Fatal(err)
	}
	failed, err := c.PutRecords(ctx, "proj", "tuple", rec)
	if err != nil || len(failed) != 1 || !IsShardError(failed[0].Code) {
		t.Fatalf("closed shard: %+v %v", failed, err)
	}
	err = c.PutRecordsByShard(ctx, "proj", "tuple", "0", rec)
	if !IsShardError(ErrorCode(err)) || Permanent(err) {
		t.Fatalf("closed shard by shard: %v", err)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.PutRecords(cctx, "proj", "tuple", rec); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	if _, err := New(Config{Endpoint: "ftp://x"}); err == nil {
		t.Fatal("bad endpoint accepted")
	}
	if _, err := New(Config{Endpoint: url, Compress: "zstd"}); err == nil {
		t.Fatal("unknown compression accepted")
	}
}

func pbFrame(msg []byte) []byte {
	b := append(make([]byte, frameHeader), msg...)
	sealFrame(b)
	return b
}

func TestDecodeResponses(t *testing.T) {
	ok := pbFrame([]byte{0x08, 0x01, 0x12, 0x09, 0x08, 0x02, 0x12, 0x01, 'X', 0x1a, 0x02, 'h', 'i'})
	failed, err := decodePutResponsePB(ok, 3)
	if err != nil || len(failed) != 1 || failed[0] != (FailedRecord{Index: 2, Code: "X", Message: "hi"}) {
		t.Fatalf("decode = %+v, %v", failed, err)
	}
	badCRC := pbFrame([]byte{0x08, 0x00})
	badCRC[5] ^= 1
	for name, body := range map[string][]byte{
		"index out of range": pbFrame([]byte{0x08, 0x01, 0x12, 0x02, 0x08, 0x05}),
		"repeated index":     pbFrame([]byte{0x08, 0x02, 0x12, 0x02, 0x08, 0x01, 0x12, 0x02, 0x08, 0x01}),
		"count mismatch":     pbFrame([]byte{0x08, 0x02, 0x12, 0x02, 0x08, 0x00}),
		"truncated":          pbFrame([]byte{0x12, 0x05, 0x08}),
		"no header":          []byte("HUBD00000000"),
		"bad crc":            badCRC,
		"bad length":         append(pbFrame([]byte{0x08, 0x00}), 0),
	} {
		if _, err := decodePutResponsePB(body, 3); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := decodePutResponseJSON([]byte(`{"FailedRecordCount":1,"FailedRecords":[{"Index":3}]}`), 3); err == nil {
		t.Error("JSON index out of range accepted")
	}
	if f, err := decodePutResponseJSON([]byte(`{"FailedRecordCount":0,"FailedRecords":[]}`), 3); err != nil || len(f) != 0 {
		t.Errorf("JSON success: %v %v", f, err)
	}
}

// FuzzDecodePutResponse feeds arbitrary answers to both decoders: they must
// never panic, and what they accept must be consistent with what was sent.
func FuzzDecodePutResponse(f *testing.F) {
	f.Add([]byte{0x08, 0x01, 0x12, 0x09, 0x08, 0x02, 0x12, 0x01, 'X', 0x1a, 0x02, 'h', 'i'}, uint8(3))
	f.Add([]byte{0x08, 0x00}, uint8(1))
	f.Add([]byte(`{"FailedRecordCount":1,"FailedRecords":[{"Index":0,"ErrorCode":"LimitExceeded"}]}`), uint8(2))
	f.Fuzz(func(t *testing.T, msg []byte, sent uint8) {
		n := int(sent)
		check := func(failed []FailedRecord, err error) {
			if err != nil {
				return
			}
			if len(failed) > n {
				t.Fatalf("%d failed of %d sent", len(failed), n)
			}
			for _, fr := range failed {
				if fr.Index < 0 || fr.Index >= n {
					t.Fatalf("index %d of %d", fr.Index, n)
				}
			}
		}
		check(decodePutResponsePB(pbFrame(msg), n))
		check(decodePutResponsePB(msg, n))
		check(decodePutResponseJSON(msg, n))
	})
}

// BenchmarkPutRecords measures one PutRecords of 1000 three-column records
// against the fake running in its own process (so only the client's
// allocations are counted). The same measurement with the official Go SDK
// is recorded in the sink's package documentation.
func BenchmarkPutRecords(b *testing.B) {
	url := fakeproc.Start(b, "-access-id", testID, "-access-key", testKey, "-project", "proj", "-topic", "tuple",
		"-schema", "id:BIGINT,msg:STRING,score:DOUBLE", "-print", "none")
	for _, pb := range []bool{true, false} {
		b.Run(fmt.Sprintf("protobuf=%v", pb), func(b *testing.B) {
			c, err := New(Config{Endpoint: url, AccessID: testID, AccessKey: testKey, Protobuf: pb})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			recs := make([]Record, 1000)
			for i := range recs {
				recs[i] = Record{ShardID: "0", Values: []Value{{S: fmt.Sprint(1000000 + i)}, {S: strings.Repeat("x", 70)}, {S: "3.25"}}}
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if failed, err := c.PutRecords(ctx, "proj", "tuple", recs); err != nil || len(failed) > 0 {
					b.Fatal(failed, err)
				}
			}
			b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
		})
	}
}
