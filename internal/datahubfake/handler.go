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
	"hash/crc32"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pierrec/lz4/v4"
)

type apiError struct {
	Status  int
	Code    string
	Message string
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(map[string]string{"ErrorCode": e.Code, "ErrorMessage": e.Message, "RequestId": w.Header().Get("x-datahub-request-id")})
	_, _ = w.Write(b)
}

// ServeHTTP implements the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqID++
	id := s.reqID
	s.mu.Unlock()
	w.Header().Set("x-datahub-request-id", fmt.Sprintf("fake%016x", id))
	if e := s.authenticate(r); e != nil {
		s.mu.Lock()
		s.stats.AuthFailures++
		s.mu.Unlock()
		s.writeError(w, e)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 4 || parts[0] != "projects" || parts[2] != "topics" || len(parts) > 6 || (len(parts) >= 5 && parts[4] != "shards") {
		s.writeError(w, &apiError{http.StatusNotFound, "NoSuchResource", "unknown resource " + r.URL.Path})
		return
	}
	project, name := parts[1], parts[3]
	switch {
	case len(parts) == 4 && r.Method == http.MethodGet:
		s.getTopic(w, project, name)
	case len(parts) == 5 && r.Method == http.MethodGet:
		s.listShards(w, project, name)
	case len(parts) == 5 && r.Method == http.MethodPost:
		s.put(w, r, project, name, "")
	case len(parts) == 6 && r.Method == http.MethodPost:
		s.put(w, r, project, name, parts[5])
	default:
		s.writeError(w, &apiError{http.StatusMethodNotAllowed, "InvalidParameter", r.Method + " not supported on " + r.URL.Path})
	}
}

// authenticate checks the DATAHUB signature and the Date header.
func (s *Server) authenticate(r *http.Request) *apiError {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "DATAHUB ")
	id, sig, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return &apiError{http.StatusUnauthorized, "Unauthorized", "Missing or malformed Authorization header."}
	}
	key, known := s.keys[id]
	if !known {
		return &apiError{http.StatusUnauthorized, "Unauthorized", "The AccessId does not exist."}
	}
	date, err := http.ParseTime(r.Header.Get("Date"))
	if err != nil {
		return &apiError{http.StatusUnauthorized, "Unauthorized", "Missing or malformed Date header."}
	}
	skew := s.MaxSkew
	if skew <= 0 {
		skew = 15 * time.Minute
	}
	if d := s.now().Sub(date); d > skew || d < -skew {
		return &apiError{http.StatusUnauthorized, "Unauthorized", "Request time too skewed."}
	}
	var lines []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-datahub-") {
			for _, v := range vs {
				lines = append(lines, lk+":"+v)
			}
		}
	}
	sort.Strings(lines)
	canonical := r.Method + "\n" + r.Header.Get("Content-Type") + "\n" + r.Header.Get("Date") + "\n"
	for _, l := range lines {
		canonical += l + "\n"
	}
	canonical += r.RequestURI
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(canonical))
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return &apiError{http.StatusUnauthorized, "Unauthorized", "Signature does not match."}
	}
	return nil
}

func (s *Server) getTopic(w http.ResponseWriter, project, name string) {
	s.mu.Lock()
	t, e := s.lookup(project, name)
	var out map[string]any
	if e == nil {
		schema := ""
		if t.spec.RecordType == Tuple {
			b, _ := json.Marshal(map[string]any{"fields": t.spec.Fields})
			schema = string(b)
		}
		out = map[string]any{
			"ShardCount": len(t.shards), "LifeCycle": 7, "RecordType": t.spec.RecordType,
			"RecordSchema": schema, "Comment": "datahubfake topic", "CreateTime": t.created,
			"LastModifyTime": t.created, "Status": "on", "ExpandMode": "",
		}
	}
	s.mu.Unlock()
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.writeJSON(w, out)
}

func (s *Server) listShards(w http.ResponseWriter, project, name string) {
	s.mu.Lock()
	t, e := s.lookup(project, name)
	var shards []map[string]any
	if e == nil {
		for _, sh := range t.shards {
			closed := int64(0)
			if sh.state == Closed {
				closed = t.created
			}
			shards = append(shards, map[string]any{
				"ShardId": sh.id, "State": sh.state, "ClosedTime": closed,
				"BeginHashKey": "00000000000000000000000000000000", "EndHashKey": "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
				"ParentShardIds": []string{}, "LeftShardId": sh.id, "RightShardId": sh.id,
			})
		}
	}
	s.mu.Unlock()
	if e != nil {
		s.writeError(w, e)
		return
	}
	s.writeJSON(w, map[string]any{"Shards": shards, "Protocol": "http1.1", "Interval": 60000})
}

func (s *Server) writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// writeBody writes a successful answer, compressed when the client asked.
func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	if enc := r.Header.Get("Accept-Encoding"); len(body) > 0 && (enc == "deflate" || enc == "lz4") {
		if z := compressBody(enc, body); z != nil {
			w.Header().Set("Content-Encoding", enc)
			w.Header().Set("x-datahub-content-raw-size", strconv.Itoa(len(body)))
			body = z
		}
	}
	_, _ = w.Write(body)
}

func compressBody(enc string, body []byte) []byte {
	switch enc {
	case "deflate":
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		return buf.Bytes()
	case "lz4":
		out := make([]byte, lz4.CompressBlockBound(len(body)))
		n, err := lz4.CompressBlock(body, out, nil)
		if err != nil || n == 0 {
			return nil
		}
		return out[:n]
	}
	return nil
}

func (s *Server) maxBody() int64 {
	if s.MaxBodyBytes > 0 {
		return s.MaxBodyBytes
	}
	return 8 << 20
}

// readBody reads and decompresses a request body within MaxBodyBytes.
func (s *Server) readBody(r *http.Request) ([]byte, *apiError) {
	limit := s.maxBody()
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &apiError{http.StatusBadRequest, "InvalidParameter", "cannot read body: " + err.Error()}
	}
	if int64(len(body)) > limit {
		return nil, &apiError{http.StatusRequestEntityTooLarge, "LimitExceeded", fmt.Sprintf("request body larger than %d bytes", limit)}
	}
	enc := r.Header.Get("Content-Encoding")
	if enc == "" {
		return body, nil
	}
	raw, err := strconv.ParseInt(r.Header.Get("x-datahub-content-raw-size"), 10, 64)
	if err != nil || raw < 0 || raw > limit {
		return nil, &apiError{http.StatusBadRequest, "InvalidParameter", "compressed body needs a valid x-datahub-content-raw-size"}
	}
	var out []byte
	switch enc {
	case "deflate", "zlib":
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err == nil {
			out, err = io.ReadAll(io.LimitReader(zr, raw+1))
		}
		if err != nil {
			return nil, &apiError{http.StatusBadRequest, "InvalidParameter", "bad deflate body: " + err.Error()}
		}
	case "lz4":
		out = make([]byte, raw)
		n, err := lz4.UncompressBlock(body, out)
		if err != nil {
			return nil, &apiError{http.StatusBadRequest, "InvalidParameter", "bad lz4 body: " + err.Error()}
		}
		out = out[:n]
	default:
		return nil, &apiError{http.StatusBadRequest, "InvalidParameter", "unsupported Content-Encoding " + enc}
	}
	if int64(len(out)) != raw {
		return nil, &apiError{http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("body decompresses to %d bytes, %d announced", len(out), raw)}
	}
	return out, nil
}

type failure struct {
	Index   int    `json:"Index"`
	Code    string `json:"ErrorCode"`
	Message string `json:"ErrorMessage"`
}

// put handles PutRecords (shardID "") and PutRecordsByShard.
func (s *Server) put(w http.ResponseWriter, r *http.Request, project, name, shardID string) {
	body, e := s.readBody(r)
	if e != nil {
		s.countFailedRequest(0)
		s.writeError(w, e)
		return
	}
	pb := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-protobuf")
	if pb && r.Header.Get("x-datahub-request-action") != "pub" {
		s.countFailedRequest(0)
		s.writeError(w, &apiError{http.StatusBadRequest, "InvalidParameter", "protobuf put needs x-datahub-request-action: pub"})
		return
	}
	if shardID != "" && !pb {
		s.countFailedRequest(0)
		s.writeError(w, &apiError{http.StatusBadRequest, "InvalidParameter", "PutRecordsByShard supports protobuf only"})
		return
	}
	var recs []Record
	var err error
	if pb {
		recs, err = decodePutPB(body)
	} else {
		recs, err = decodePutJSON(body)
	}
	if err != nil {
		s.countFailedRequest(0)
		s.writeError(w, &apiError{http.StatusBadRequest, "InvalidParameter", "cannot decode request: " + err.Error()})
		return
	}

	s.mu.Lock()
	s.stats.PutRequests++
	s.stats.RecordsReceived += int64(len(recs))
	t, e := s.lookup(project, name)
	if e == nil {
		e = s.takeRequestFault()
	}
	var byShard *shard
	if e == nil && shardID != "" {
		byShard, e = route(t, &Record{Shard: shardID})
	}
	if e != nil {
		s.stats.FailedRequests++
		s.mu.Unlock()
		s.writeError(w, e)
		return
	}
	now := s.now().UnixMilli()
	var failed []failure
	var stored []Record
	for i := range recs {
		rec := &recs[i]
		if byShard != nil {
			rec.Shard = byShard.id
		}
		fe := checkRecord(t, rec)
		if fe == nil {
			fe = s.takeRecordFault(rec)
		}
		var sh *shard
		if fe == nil {
			sh, fe = route(t, rec)
		}
		if fe != nil {
			if byShard != nil { // by shard: all or nothing
				s.stats.FailedRequests++
				s.mu.Unlock()
				s.writeError(w, fe)
				return
			}
			failed = append(failed, failure{i, fe.Code, fe.Message})
			continue
		}
		rec.Shard = sh.id
		rec.Sequence = sh.seq
		rec.SystemTime = now
		sh.seq++
		stored = append(stored, *rec)
	}
	if !s.DiscardRecords {
		t.records = append(t.records, stored...)
	}
	s.stats.RecordsStored += int64(len(stored))
	s.stats.RecordsFailed += int64(len(failed))
	onStore := s.OnStore
	s.storeMu.Lock() // taken before releasing mu so OnStore sees stores in order
	s.mu.Unlock()
	if onStore != nil && len(stored) > 0 {
		onStore(project, name, stored)
	}
	s.storeMu.Unlock()

	switch {
	case byShard != nil:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	case pb:
		s.writeBody(w, r, "application/x-protobuf", frame(encodePutResponsePB(failed)))
	default:
		if failed == nil {
			failed = []failure{}
		}
		b, _ := json.Marshal(map[string]any{"FailedRecordCount": len(failed), "FailedRecords": failed})
		s.writeBody(w, r, "application/json", b)
	}
}

func (s *Server) countFailedRequest(records int) {
	s.mu.Lock()
	s.stats.PutRequests++
	s.stats.FailedRequests++
	s.stats.RecordsReceived += int64(records)
	s.mu.Unlock()
}

// takeRequestFault consumes one injected whole-request failure (mu held).
func (s *Server) takeRequestFault() *apiError {
	f := s.reqFault
	if f == nil {
		return nil
	}
	if f.remaining > 0 {
		f.remaining--
		if f.remaining == 0 {
			s.reqFault = nil
		}
	}
	return &apiError{f.status, f.code, f.msg}
}

// takeRecordFault consumes one injected record failure if rec matches.
func (s *Server) takeRecordFault(rec *Record) *apiError {
	f := s.recFault
	if f == nil || (f.match != nil && !f.match(*rec)) {
		return nil
	}
	if f.remaining > 0 {
		f.remaining--
		if f.remaining == 0 {
			s.recFault = nil
		}
	}
	return &apiError{http.StatusInternalServerError, f.code, f.msg}
}

// frame wraps a protobuf message: "DHUB", CRC-32C, length, message.
func frame(msg []byte) []byte {
	out := make([]byte, 12, 12+len(msg))
	copy(out, "DHUB")
	binary.BigEndian.PutUint32(out[4:], crc32.Checksum(msg, crc32.MakeTable(crc32.Castagnoli)))
	binary.BigEndian.PutUint32(out[8:], uint32(len(msg)))
	return append(out, msg...)
}
