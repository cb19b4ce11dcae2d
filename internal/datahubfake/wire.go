package datahubfake

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxRecords bounds the records of one request (the body size bounds it
// already; this keeps a hostile body of empty records from allocating much).
const maxRecords = 1 << 20

// protobuf field reader, written for the fake (independent of the sink's
// client).
type pb struct{ b []byte }

var errShort = errors.New("truncated protobuf")

func (p *pb) uvarint() (uint64, error) {
	v, n := binary.Uvarint(p.b)
	if n <= 0 {
		if n == 0 {
			return 0, errShort
		}
		return 0, errors.New("protobuf varint overflows 64 bits")
	}
	p.b = p.b[n:]
	return v, nil
}

// field returns the next field; bytes for wire type 2, the value for 0.
func (p *pb) field() (num int, typ int, v uint64, data []byte, err error) {
	key, err := p.uvarint()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	num, typ = int(key>>3), int(key&7)
	if num == 0 {
		return 0, 0, 0, nil, errors.New("protobuf field number 0")
	}
	switch typ {
	case 0:
		v, err = p.uvarint()
	case 1, 5:
		n := 8
		if typ == 5 {
			n = 4
		}
		if len(p.b) < n {
			return 0, 0, 0, nil, errShort
		}
		p.b = p.b[n:]
	case 2:
		n, e := p.uvarint()
		if e != nil {
			return 0, 0, 0, nil, e
		}
		if n > uint64(len(p.b)) {
			return 0, 0, 0, nil, errShort
		}
		data, p.b = p.b[:n], p.b[n:]
	default:
		return 0, 0, 0, nil, fmt.Errorf("protobuf wire type %d not supported", typ)
	}
	return num, typ, v, data, err
}

// decodePutPB decodes a framed PutRecordsRequest.
func decodePutPB(body []byte) ([]Record, error) {
	if len(body) < 12 || !bytes.Equal(body[:4], []byte("DHUB")) {
		return nil, errors.New("missing DHUB frame header")
	}
	msg := body[12:]
	if n := binary.BigEndian.Uint32(body[8:12]); uint64(n) != uint64(len(msg)) {
		return nil, fmt.Errorf("frame length %d but %d bytes follow", n, len(msg))
	}
	if crc := binary.BigEndian.Uint32(body[4:8]); crc != crc32.Checksum(msg, crc32.MakeTable(crc32.Castagnoli)) {
		return nil, errors.New("frame CRC-32C mismatch")
	}
	p := pb{msg}
	var recs []Record
	for len(p.b) > 0 {
		num, typ, _, data, err := p.field()
		if err != nil {
			return nil, err
		}
		if num != 1 || typ != 2 {
			continue
		}
		if len(recs) >= maxRecords {
			return nil, fmt.Errorf("more than %d records", maxRecords)
		}
		rec, err := decodeEntry(data)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", len(recs), err)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

func decodeEntry(b []byte) (Record, error) {
	var rec Record
	p := pb{b}
	haveData := false
	for len(p.b) > 0 {
		num, typ, _, data, err := p.field()
		if err != nil {
			return rec, err
		}
		if typ != 2 {
			continue
		}
		switch num {
		case 1:
			rec.Shard = string(data)
		case 2:
			rec.HashKey = string(data)
		case 3:
			rec.PartitionKey = string(data)
		case 8:
			attrs, err := decodeAttributes(data)
			if err != nil {
				return rec, err
			}
			rec.Attributes = attrs
		case 9:
			fields, err := decodeRecordData(data)
			if err != nil {
				return rec, err
			}
			rec.Values = fields
			haveData = true
		}
	}
	if !haveData {
		return rec, errors.New("required field data missing")
	}
	return rec, nil
}

func decodeRecordData(b []byte) ([]Value, error) {
	var out []Value
	p := pb{b}
	for len(p.b) > 0 {
		num, typ, _, data, err := p.field()
		if err != nil {
			return nil, err
		}
		if num != 1 || typ != 2 {
			continue
		}
		v := Value{Null: true}
		q := pb{data}
		for len(q.b) > 0 {
			n2, t2, _, d2, err := q.field()
			if err != nil {
				return nil, err
			}
			if n2 == 1 && t2 == 2 {
				v = Value{S: string(d2)}
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeAttributes(b []byte) (map[string]string, error) {
	attrs := map[string]string{}
	p := pb{b}
	for len(p.b) > 0 {
		num, typ, _, data, err := p.field()
		if err != nil {
			return nil, err
		}
		if num != 1 || typ != 2 {
			continue
		}
		var k, v string
		q := pb{data}
		for len(q.b) > 0 {
			n2, t2, _, d2, err := q.field()
			if err != nil {
				return nil, err
			}
			if t2 == 2 && n2 == 1 {
				k = string(d2)
			} else if t2 == 2 && n2 == 2 {
				v = string(d2)
			}
		}
		attrs[k] = v
	}
	return attrs, nil
}

// jsonData holds the Data of a JSON record until the topic's type is known.
type jsonRecord struct {
	ShardID      string            `json:"ShardId"`
	HashKey      string            `json:"HashKey"`
	PartitionKey string            `json:"PartitionKey"`
	Attributes   map[string]string `json:"Attributes"`
	Data         json.RawMessage   `json:"Data"`
}

// decodePutJSON decodes {"Action":"pub","Records":[...]}. A tuple record's
// Data is an array of strings and nulls; a blob record's Data is a base64
// string, kept base64-decoded in Blob (and also as the single value, so the
// topic check can tell the shapes apart).
func decodePutJSON(body []byte) ([]Record, error) {
	var req struct {
		Action  string       `json:"Action"`
		Records []jsonRecord `json:"Records"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, err
	}
	if req.Action != "pub" {
		return nil, fmt.Errorf("action %q, expected pub", req.Action)
	}
	if len(req.Records) > maxRecords {
		return nil, fmt.Errorf("more than %d records", maxRecords)
	}
	recs := make([]Record, 0, len(req.Records))
	for i, jr := range req.Records {
		rec := Record{Shard: jr.ShardID, HashKey: jr.HashKey, PartitionKey: jr.PartitionKey, Attributes: jr.Attributes}
		d := bytes.TrimSpace(jr.Data)
		switch {
		case len(d) > 0 && d[0] == '[':
			var vals []*string
			if err := json.Unmarshal(d, &vals); err != nil {
				return nil, fmt.Errorf("record %d: tuple Data must be an array of strings and nulls: %w", i, err)
			}
			rec.Values = make([]Value, len(vals))
			for j, v := range vals {
				if v == nil {
					rec.Values[j] = Value{Null: true}
				} else {
					rec.Values[j] = Value{S: *v}
				}
			}
		case len(d) > 0 && d[0] == '"':
			var s string
			if err := json.Unmarshal(d, &s); err != nil {
				return nil, fmt.Errorf("record %d: %w", i, err)
			}
			raw, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("record %d: blob Data is not base64: %w", i, err)
			}
			rec.Values = []Value{{S: string(raw)}}
			rec.Blob = raw
		default:
			return nil, fmt.Errorf("record %d: Data missing or of the wrong kind", i)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// pbTag returns a protobuf field key: the field number and wire type.
func pbTag(field, wire int) byte { return byte(field<<3 | wire) }

// encodePutResponsePB encodes a PutRecordsResponse.
func encodePutResponsePB(failed []failure) []byte {
	var b []byte
	b = append(b, pbTag(1, 0))
	b = binary.AppendUvarint(b, uint64(len(failed)))
	for _, f := range failed {
		var m []byte
		m = append(m, pbTag(1, 0))
		m = binary.AppendUvarint(m, uint64(f.Index))
		m = append(m, 2<<3|2)
		m = binary.AppendUvarint(m, uint64(len(f.Code)))
		m = append(m, f.Code...)
		m = append(m, 3<<3|2)
		m = binary.AppendUvarint(m, uint64(len(f.Message)))
		m = append(m, f.Message...)
		b = append(b, 2<<3|2)
		b = binary.AppendUvarint(b, uint64(len(m)))
		b = append(b, m...)
	}
	return b
}

func knownType(t string) bool {
	switch t {
	case "STRING", "BIGINT", "TIMESTAMP", "DOUBLE", "BOOLEAN", "DECIMAL", "INTEGER", "FLOAT", "TINYINT", "SMALLINT", "JSON":
		return true
	}
	return false
}

var decimalRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// checkRecord validates a record against its topic, as the service does:
// one value per column, each of the column's type, no null in a NOT NULL
// column; a blob record carries exactly one value.
func checkRecord(t *topic, rec *Record) *apiError {
	bad := func(format string, args ...any) *apiError {
		return &apiError{http.StatusBadRequest, "MalformedRecord", fmt.Sprintf(format, args...)}
	}
	if t.spec.RecordType == Blob {
		if len(rec.Values) != 1 || rec.Values[0].Null {
			return bad("Blob record must carry exactly one value.")
		}
		if rec.Blob == nil {
			rec.Blob = []byte(rec.Values[0].S)
		}
		rec.Values = nil
		return nil
	}
	if rec.Blob != nil {
		return bad("Tuple topic expects an array of values, got blob data.")
	}
	if len(rec.Values) != len(t.spec.Fields) {
		return bad("Record field size not match: %d values for %d fields.", len(rec.Values), len(t.spec.Fields))
	}
	for i, f := range t.spec.Fields {
		v := rec.Values[i]
		if v.Null {
			if f.NotNull {
				return bad("Field [%s] is not null.", f.Name)
			}
			continue
		}
		if err := checkValue(f.Type, v.S); err != nil {
			return bad("Field [%s] of type %s: value %q: %v.", f.Name, f.Type, truncate(v.S, 64), err)
		}
	}
	return nil
}

func checkValue(typ, s string) error {
	switch typ {
	case "STRING":
		if !utf8.ValidString(s) {
			return errors.New("not UTF-8")
		}
		if len(s) > 2<<20 {
			return errors.New("longer than 2 MiB")
		}
		return nil
	case "JSON":
		if !json.Valid([]byte(s)) {
			return errors.New("not JSON")
		}
		return nil
	case "BIGINT", "TIMESTAMP":
		_, err := strconv.ParseInt(s, 10, 64)
		return err
	case "INTEGER":
		_, err := strconv.ParseInt(s, 10, 32)
		return err
	case "SMALLINT":
		_, err := strconv.ParseInt(s, 10, 16)
		return err
	case "TINYINT":
		_, err := strconv.ParseInt(s, 10, 8)
		return err
	case "DOUBLE", "FLOAT":
		bits := 64
		if typ == "FLOAT" {
			bits = 32
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(javaFloatText(s)), bits)
		if err != nil && !math.IsInf(f, 0) {
			return err
		}
		return nil
	case "BOOLEAN":
		switch strings.ToLower(s) {
		case "true", "false":
			return nil
		}
		return errors.New("not true or false")
	case "DECIMAL":
		if !decimalRE.MatchString(s) {
			return errors.New("not a decimal number")
		}
		return nil
	}
	return fmt.Errorf("unknown type %s", typ)
}

// javaFloatText maps Java's spellings of special values to Go's.
func javaFloatText(s string) string {
	switch s {
	case "NaN":
		return "NaN"
	case "Infinity":
		return "+Inf"
	case "-Infinity":
		return "-Inf"
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
