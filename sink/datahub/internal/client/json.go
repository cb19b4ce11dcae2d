package client

import (
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"
)

// appendPutRequestJSON appends {"Action":"pub","Records":[...]}.
func appendPutRequestJSON(b []byte, records []Record) []byte {
	b = append(b, `{"Action":"pub","Records":[`...)
	for i := range records {
		r := &records[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		if r.ShardID != "" {
			b = append(b, `"ShardId":`...)
			b = appendJSONString(b, r.ShardID)
			b = append(b, ',')
		}
		b = append(b, `"Data":`...)
		if r.IsBlob {
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, r.Blob)
			b = append(b, '"')
		} else {
			b = append(b, '[')
			for j, v := range r.Values {
				if j > 0 {
					b = append(b, ',')
				}
				if v.Null {
					b = append(b, "null"...)
				} else {
					b = appendJSONString(b, v.S)
				}
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func decodePutResponseJSON(body []byte, sent int) ([]FailedRecord, error) {
	var raw struct {
		FailedRecordCount *int           `json:"FailedRecordCount"`
		FailedRecords     []FailedRecord `json:"FailedRecords"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	count := -1
	if raw.FailedRecordCount != nil {
		count = *raw.FailedRecordCount
	}
	return checkFailed(raw.FailedRecords, count, sent)
}
