package avrorpc

import (
	"github.com/flumego/flume/internal/avrobin"
)

// ErrMalformed is wrapped by every decoding error caused by bad input.
var ErrMalformed = avrobin.ErrMalformed

func malformed(format string, args ...any) error { return avrobin.Malformed(format, args...) }

// skipBytesMap skips an Avro map<bytes>: call metadata, or with unique
// the handshake's meta, whose duplicate keys are refused (as goavro
// refuses them).
func skipBytesMap(b []byte, what string, unique bool) ([]byte, error) {
	var seen map[string]bool
	if unique {
		seen = map[string]bool{}
	}
	for {
		n, rest, err := avrobin.ReadBlockCount(b, 2, what)
		if err != nil {
			return nil, err
		}
		b = rest
		if n == 0 {
			return b, nil
		}
		for range n {
			var k []byte
			if k, b, err = avrobin.ReadBytes(b, what+" key"); err != nil {
				return nil, err
			}
			if unique {
				if seen[string(k)] {
					return nil, avrobin.Malformed("%s: duplicate key %q", what, k)
				}
				seen[string(k)] = true
			}
			if _, b, err = avrobin.ReadBytes(b, what+" value"); err != nil {
				return nil, err
			}
		}
	}
}
