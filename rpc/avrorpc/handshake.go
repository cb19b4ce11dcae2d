package avrorpc

import (
	"fmt"
	"github.com/flumego/flume/internal/avrobin"

	"github.com/linkedin/goavro/v2"
)

// Avro IPC handshake schemas (org.apache.avro.ipc), as Avro's
// HandshakeRequest.avsc and HandshakeResponse.avsc.
const (
	handshakeRequestSchema = `{"type":"record","name":"HandshakeRequest","namespace":"org.apache.avro.ipc","fields":[` +
		`{"name":"clientHash","type":{"type":"fixed","name":"MD5","size":16}},` +
		`{"name":"clientProtocol","type":["null","string"]},` +
		`{"name":"serverHash","type":"MD5"},` +
		`{"name":"meta","type":["null",{"type":"map","values":"bytes"}]}]}`
	handshakeResponseSchema = `{"type":"record","name":"HandshakeResponse","namespace":"org.apache.avro.ipc","fields":[` +
		`{"name":"match","type":{"type":"enum","name":"HandshakeMatch","symbols":["BOTH","CLIENT","NONE"]}},` +
		`{"name":"serverProtocol","type":["null","string"]},` +
		`{"name":"serverHash","type":["null",{"type":"fixed","name":"MD5","size":16}]},` +
		`{"name":"meta","type":["null",{"type":"map","values":"bytes"}]}]}`
)

var (
	handshakeRequestCodec  = mustCodec(handshakeRequestSchema)
	handshakeResponseCodec = mustCodec(handshakeResponseSchema)
)

func mustCodec(schema string) *goavro.Codec {
	c, err := goavro.NewCodec(schema)
	if err != nil {
		panic(err) // a constant schema
	}
	return c
}

// Match is the server's verdict in a handshake.
type Match int

// Handshake match values, in the enum's ordinal order.
const (
	MatchBoth Match = iota
	MatchClient
	MatchNone
)

var matchNames = []string{"BOTH", "CLIENT", "NONE"}

// String returns BOTH, CLIENT or NONE.
func (m Match) String() string {
	if m >= 0 && int(m) < len(matchNames) {
		return matchNames[m]
	}
	return fmt.Sprintf("Match(%d)", int(m))
}

// HandshakeRequest opens an Avro IPC session: it rides on the first call of
// each connection.
type HandshakeRequest struct {
	ClientHash     MD5
	ClientProtocol *string // protocol JSON, sent after a NONE answer
	ServerHash     MD5
	Meta           map[string][]byte // nil: the null branch
}

// HandshakeResponse is the server's answer to a HandshakeRequest.
type HandshakeResponse struct {
	Match          Match
	ServerProtocol *string
	ServerHash     *MD5
	Meta           map[string][]byte
}

// AppendHandshakeRequest appends the Avro encoding of h.
func AppendHandshakeRequest(dst []byte, h HandshakeRequest) ([]byte, error) {
	rec := map[string]any{
		"clientHash":     h.ClientHash[:],
		"clientProtocol": stringUnion(h.ClientProtocol),
		"serverHash":     h.ServerHash[:],
		"meta":           metaUnion(h.Meta),
	}
	return handshakeRequestCodec.BinaryFromNative(dst, rec)
}

// AppendHandshakeResponse appends the Avro encoding of h.
func AppendHandshakeResponse(dst []byte, h HandshakeResponse) ([]byte, error) {
	var hash any
	if h.ServerHash != nil {
		hash = goavro.Union("org.apache.avro.ipc.MD5", h.ServerHash[:])
	}
	rec := map[string]any{
		"match":          h.Match.String(),
		"serverProtocol": stringUnion(h.ServerProtocol),
		"serverHash":     hash,
		"meta":           metaUnion(h.Meta),
	}
	return handshakeResponseCodec.BinaryFromNative(dst, rec)
}

func stringUnion(s *string) any {
	if s == nil {
		return nil
	}
	return goavro.Union("string", *s)
}

func metaUnion(m map[string][]byte) any {
	if m == nil {
		return nil
	}
	n := make(map[string]any, len(m))
	for k, v := range m {
		n[k] = v
	}
	return goavro.Union("map", n)
}

// DecodeHandshakeRequest decodes a HandshakeRequest from the head of b and
// returns the rest. The structure and every length are checked with bounds
// before goavro sees the bytes.
func DecodeHandshakeRequest(b []byte) (HandshakeRequest, []byte, error) {
	var h HandshakeRequest
	n, err := skimHandshakeRequest(b)
	if err != nil {
		return h, nil, fmt.Errorf("handshake request: %w", err)
	}
	native, _, err := handshakeRequestCodec.NativeFromBinary(b[:n])
	if err != nil {
		return h, nil, fmt.Errorf("handshake request: %w: %v", ErrMalformed, err)
	}
	rec := native.(map[string]any)
	copy(h.ClientHash[:], rec["clientHash"].([]byte))
	copy(h.ServerHash[:], rec["serverHash"].([]byte))
	h.ClientProtocol = unionString(rec["clientProtocol"])
	h.Meta = unionMeta(rec["meta"])
	return h, b[n:], nil
}

// DecodeHandshakeResponse decodes a HandshakeResponse from the head of b
// and returns the rest, with the same bounds checks.
func DecodeHandshakeResponse(b []byte) (HandshakeResponse, []byte, error) {
	var h HandshakeResponse
	n, err := skimHandshakeResponse(b)
	if err != nil {
		return h, nil, fmt.Errorf("handshake response: %w", err)
	}
	native, _, err := handshakeResponseCodec.NativeFromBinary(b[:n])
	if err != nil {
		return h, nil, fmt.Errorf("handshake response: %w: %v", ErrMalformed, err)
	}
	rec := native.(map[string]any)
	switch rec["match"].(string) {
	case "BOTH":
		h.Match = MatchBoth
	case "CLIENT":
		h.Match = MatchClient
	default:
		h.Match = MatchNone
	}
	h.ServerProtocol = unionString(rec["serverProtocol"])
	if u, ok := rec["serverHash"].(map[string]any); ok {
		for _, v := range u {
			var m MD5
			copy(m[:], v.([]byte))
			h.ServerHash = &m
		}
	}
	h.Meta = unionMeta(rec["meta"])
	return h, b[n:], nil
}

func unionString(v any) *string {
	u, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	s, ok := u["string"].(string)
	if !ok {
		return nil
	}
	return &s
}

func unionMeta(v any) map[string][]byte {
	u, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	m, _ := u["map"].(map[string]any)
	out := make(map[string][]byte, len(m))
	for k, x := range m {
		out[k], _ = x.([]byte)
	}
	return out
}

// skimHandshakeRequest checks the shape of a HandshakeRequest and returns
// its encoded length.
func skimHandshakeRequest(b []byte) (int, error) {
	rest, err := skipFixed(b, 16, "clientHash")
	if err == nil {
		rest, err = skipNullOr(rest, "clientProtocol", func(r []byte) ([]byte, error) { return skipString(r, "clientProtocol") })
	}
	if err == nil {
		rest, err = skipFixed(rest, 16, "serverHash")
	}
	if err == nil {
		rest, err = skipNullOr(rest, "meta", func(r []byte) ([]byte, error) { return skipBytesMap(r, "meta", true) })
	}
	if err != nil {
		return 0, err
	}
	return len(b) - len(rest), nil
}

// skimHandshakeResponse checks the shape of a HandshakeResponse and returns
// its encoded length.
func skimHandshakeResponse(b []byte) (int, error) {
	m, rest, err := avrobin.ReadLong(b)
	if err != nil {
		return 0, fmt.Errorf("match: %w", err)
	}
	if m < 0 || m > 2 {
		return 0, malformed("match ordinal %d", m)
	}
	rest, err = skipNullOr(rest, "serverProtocol", func(r []byte) ([]byte, error) { return skipString(r, "serverProtocol") })
	if err == nil {
		rest, err = skipNullOr(rest, "serverHash", func(r []byte) ([]byte, error) { return skipFixed(r, 16, "serverHash") })
	}
	if err == nil {
		rest, err = skipNullOr(rest, "meta", func(r []byte) ([]byte, error) { return skipBytesMap(r, "meta", true) })
	}
	if err != nil {
		return 0, err
	}
	return len(b) - len(rest), nil
}

func skipFixed(b []byte, n int, what string) ([]byte, error) {
	if len(b) < n {
		return nil, malformed("%s: %d bytes needed, %d left", what, n, len(b))
	}
	return b[n:], nil
}

func skipString(b []byte, what string) ([]byte, error) {
	_, rest, err := avrobin.ReadBytes(b, what)
	return rest, err
}

// skipNullOr skips a ["null", X] union.
func skipNullOr(b []byte, what string, skipX func([]byte) ([]byte, error)) ([]byte, error) {
	branch, rest, err := avrobin.ReadLong(b)
	if err != nil {
		return nil, fmt.Errorf("%s union branch: %w", what, err)
	}
	switch branch {
	case 0:
		return rest, nil
	case 1:
		return skipX(rest)
	}
	return nil, malformed("%s union branch %d", what, branch)
}
