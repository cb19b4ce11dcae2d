package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record types of a topic.
const (
	Tuple = "TUPLE"
	Blob  = "BLOB"
)

// Shard states; only ACTIVE shards accept writes.
const (
	ShardActive = "ACTIVE"
)

// Error codes the sink reacts to.
const (
	CodeInvalidShardOperation = "InvalidShardOperation"
	CodeNoSuchShard           = "NoSuchShard"
	CodeMalformedRecord       = "MalformedRecord"
	CodeLimitExceeded         = "LimitExceeded"
)

// Field is one column of a tuple topic's schema.
type Field struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	NotNull bool   `json:"notnull"`
	Comment string `json:"comment,omitempty"`
}

// Topic is what GetTopic reports.
type Topic struct {
	// RecordType is Tuple or Blob.
	RecordType string
	// Fields is the schema of a tuple topic, in column order.
	Fields     []Field
	ShardCount int
}

// Shard is one entry of ListShard.
type Shard struct {
	ID    string `json:"ShardId"`
	State string `json:"State"`
}

// Value is one tuple column: a string, or null.
type Value struct {
	S    string
	Null bool
}

// Record is one record to put. A tuple record has one Value per schema
// column; a blob record has Blob set and no Values.
type Record struct {
	ShardID string
	Values  []Value
	Blob    []byte
	IsBlob  bool
}

// FailedRecord is a record that a PutRecords call did not store.
type FailedRecord struct {
	Index   int    `json:"Index"`
	Code    string `json:"ErrorCode"`
	Message string `json:"ErrorMessage"`
}

// Error is an error answer of the DataHub service.
type Error struct {
	StatusCode int
	Code       string
	Message    string
	RequestID  string
}

// Error formats the answer with its HTTP status, code and request id.
func (e *Error) Error() string {
	s := fmt.Sprintf("datahub: HTTP %d %s: %s", e.StatusCode, e.Code, e.Message)
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// ErrorCode returns the DataHub error code of err, or "" when err is not an
// answer of the service (a network failure, a cancelled context).
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsShardError reports whether err says the shard written to is not (or no
// longer) writable, so the shard list must be refreshed.
func IsShardError(code string) bool {
	return code == CodeInvalidShardOperation || code == CodeNoSuchShard
}

// Permanent reports whether err is an answer that retrying the same request
// cannot change: bad credentials or permissions, a missing project or topic,
// an invalid request. Network failures, throttling and server errors are not
// permanent.
func Permanent(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case "Unauthorized", "NoPermission", "NoSuchProject", "NoSuchTopic", "ResourceNotFound",
		"InvalidParameter", "OperationDenied", "InvalidSchema", "MalformedRecord":
		return true
	}
	return e.StatusCode >= 400 && e.StatusCode < 500 && e.StatusCode != http.StatusTooManyRequests &&
		e.StatusCode != http.StatusRequestTimeout && e.Code != CodeLimitExceeded && !IsShardError(e.Code)
}

// Config configures a Client.
type Config struct {
	// Endpoint is the service address, e.g. "https://dh-cn-hangzhou.aliyuncs.com".
	Endpoint  string
	AccessID  string
	AccessKey string
	// UserAgent is sent with every request.
	UserAgent string
	// Protobuf selects the protobuf encoding of PutRecords (the Java
	// plugin's datahub.enablePb, true by default); JSON otherwise.
	Protobuf bool
	// Compress is "", "deflate" or "lz4".
	Compress string
	// HTTPClient defaults to a client with a 10 s dial timeout and a 30 s
	// limit per request.
	HTTPClient *http.Client
	// MaxResponseBytes bounds response bodies (default 16 MiB).
	MaxResponseBytes int64
	// Now returns the time for the Date header (tests); defaults to time.Now.
	Now func() time.Time
}

// Client talks to one DataHub endpoint.
type Client struct {
	cfg  Config
	base string
	http *http.Client
	own  *http.Transport
	bufs sync.Pool
}

// New checks cfg and returns a client. It does no I/O.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("datahub endpoint %q: expected http://host[:port] or https://host[:port]", cfg.Endpoint)
	}
	switch cfg.Compress {
	case "", "deflate", "lz4":
	default:
		return nil, fmt.Errorf("datahub compression %q: expected deflate or lz4", cfg.Compress)
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = 16 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, base: strings.TrimSuffix(cfg.Endpoint, "/")}
	c.http = cfg.HTTPClient
	if c.http == nil {
		c.own = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: 10 * time.Second,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		}
		c.http = &http.Client{Transport: c.own, Timeout: 30 * time.Second}
	}
	return c, nil
}

// Close releases idle connections.
func (c *Client) Close() {
	if c.own != nil {
		c.own.CloseIdleConnections()
	}
}

func topicPath(project, topic string) string {
	return "/projects/" + url.PathEscape(project) + "/topics/" + url.PathEscape(topic)
}

// GetTopic returns the topic's record type and schema.
func (c *Client) GetTopic(ctx context.Context, project, topic string) (*Topic, error) {
	body, err := c.do(ctx, http.MethodGet, topicPath(project, topic), contentJSON, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("get topic %s/%s: %w", project, topic, err)
	}
	var raw struct {
		RecordType   string `json:"RecordType"`
		RecordSchema string `json:"RecordSchema"`
		ShardCount   int    `json:"ShardCount"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("get topic %s/%s: bad answer: %w", project, topic, err)
	}
	t := &Topic{RecordType: strings.ToUpper(raw.RecordType), ShardCount: raw.ShardCount}
	switch t.RecordType {
	case Blob:
	case Tuple:
		var schema struct {
			Fields []Field `json:"fields"`
		}
		if err := json.Unmarshal([]byte(raw.RecordSchema), &schema); err != nil {
			return nil, fmt.Errorf("get topic %s/%s: bad record schema: %w", project, topic, err)
		}
		if len(schema.Fields) == 0 {
			return nil, fmt.Errorf("get topic %s/%s: tuple topic without fields", project, topic)
		}
		for i := range schema.Fields {
			schema.Fields[i].Type = strings.ToUpper(schema.Fields[i].Type)
		}
		t.Fields = schema.Fields
	default:
		return nil, fmt.Errorf("get topic %s/%s: unknown record type %q", project, topic, raw.RecordType)
	}
	return t, nil
}

// ListShards returns the topic's shards with their states.
func (c *Client) ListShards(ctx context.Context, project, topic string) ([]Shard, error) {
	body, err := c.do(ctx, http.MethodGet, topicPath(project, topic)+"/shards", contentJSON, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("list shards of %s/%s: %w", project, topic, err)
	}
	var raw struct {
		Shards []Shard `json:"Shards"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("list shards of %s/%s: bad answer: %w", project, topic, err)
	}
	return raw.Shards, nil
}

// PutRecords writes records, each to its ShardID, and returns the records
// the service did not store (by index into records). A non-nil error means
// the whole request failed and nothing is known to be stored.
func (c *Client) PutRecords(ctx context.Context, project, topic string, records []Record) ([]FailedRecord, error) {
	if len(records) == 0 {
		return nil, nil
	}
	bp := c.buffer()
	defer c.bufs.Put(bp)
	var (
		ctype  string
		extra  map[string]string
		failed []FailedRecord
	)
	if c.cfg.Protobuf {
		*bp = appendPutRequestPB((*bp)[:0], records)
		ctype, extra = contentPB, map[string]string{headerAction: "pub"}
	} else {
		*bp = appendPutRequestJSON((*bp)[:0], records)
		ctype = contentJSON
	}
	body, err := c.do(ctx, http.MethodPost, topicPath(project, topic)+"/shards", ctype, extra, *bp)
	if err != nil {
		return nil, fmt.Errorf("put %d records to %s/%s: %w", len(records), project, topic, err)
	}
	if c.cfg.Protobuf {
		failed, err = decodePutResponsePB(body, len(records))
	} else {
		failed, err = decodePutResponseJSON(body, len(records))
	}
	if err != nil {
		return nil, fmt.Errorf("put %d records to %s/%s: bad answer: %w", len(records), project, topic, err)
	}
	return failed, nil
}

// PutRecordsByShard writes records to one shard (protobuf only, as in the
// SDKs); the records' ShardID is not needed. It succeeds or fails whole.
func (c *Client) PutRecordsByShard(ctx context.Context, project, topic, shard string, records []Record) error {
	if len(records) == 0 {
		return nil
	}
	bp := c.buffer()
	defer c.bufs.Put(bp)
	*bp = appendPutRequestPB((*bp)[:0], records)
	_, err := c.do(ctx, http.MethodPost, topicPath(project, topic)+"/shards/"+url.PathEscape(shard), contentPB,
		map[string]string{headerAction: "pub"}, *bp)
	if err != nil {
		return fmt.Errorf("put %d records to %s/%s shard %s: %w", len(records), project, topic, shard, err)
	}
	return nil
}

func (c *Client) buffer() *[]byte {
	if bp, ok := c.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 64<<10)
	return &b
}

const (
	contentJSON      = "application/json"
	contentPB        = "application/x-protobuf"
	headerAction     = "x-datahub-request-action"
	headerRawSize    = "x-datahub-content-raw-size"
	headerRequestID  = "x-datahub-request-id"
	headerClientVers = "x-datahub-client-version"
	clientVersion    = "1.1"
)

// do sends one signed request and returns the (decompressed) answer body of
// a successful exchange, or an *Error for a service error.
func (c *Client) do(ctx context.Context, method, path, ctype string, extra map[string]string, body []byte) ([]byte, error) {
	hdr := http.Header{}
	hdr.Set("Content-Type", ctype)
	hdr.Set("Date", c.cfg.Now().UTC().Format(http.TimeFormat))
	if c.cfg.UserAgent != "" {
		hdr.Set("User-Agent", c.cfg.UserAgent)
	}
	hdr.Set(headerClientVers, clientVersion)
	for k, v := range extra {
		hdr.Set(k, v)
	}
	if body != nil && c.cfg.Compress != "" {
		hdr.Set("Accept-Encoding", c.cfg.Compress)
		if z, ok := compress(c.cfg.Compress, body); ok {
			hdr.Set("Content-Encoding", c.cfg.Compress)
			hdr.Set(headerRawSize, strconv.Itoa(len(body)))
			body = z
		}
	}
	hdr.Set("Authorization", Authorization(c.cfg.AccessID, c.cfg.AccessKey, method, path, hdr))
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header = hdr
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if int64(len(data)) > c.cfg.MaxResponseBytes {
		return nil, fmt.Errorf("answer larger than %d bytes", c.cfg.MaxResponseBytes)
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && len(data) > 0 {
		raw, err := strconv.ParseInt(resp.Header.Get(headerRawSize), 10, 64)
		if err != nil || raw < 0 || raw > c.cfg.MaxResponseBytes {
			return nil, fmt.Errorf("compressed answer with bad %s %q", headerRawSize, resp.Header.Get(headerRawSize))
		}
		if data, err = decompress(enc, data, int(raw)); err != nil {
			return nil, fmt.Errorf("decompress answer: %w", err)
		}
	}
	if resp.StatusCode >= 400 {
		e := &Error{StatusCode: resp.StatusCode, RequestID: resp.Header.Get(headerRequestID)}
		var msg struct {
			Code    string `json:"ErrorCode"`
			Message string `json:"ErrorMessage"`
		}
		if json.Unmarshal(data, &msg) == nil && msg.Code != "" {
			e.Code, e.Message = msg.Code, msg.Message
		} else {
			e.Code, e.Message = http.StatusText(resp.StatusCode), truncate(string(data), 200)
		}
		return nil, e
	}
	return data, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
