package avrorpc

import (
	"fmt"

	"github.com/flumego/flume/internal/avrobin"
)

// RemoteError is a call that the server answered with an error (the
// response's error flag set): Java's system error string, such as
// "org.apache.avro.AvroRuntimeException: ...", or a flumego source's
// description of what failed.
type RemoteError struct {
	Message string
}

// Error returns the server's message.
func (e *RemoteError) Error() string { return "avro rpc server error: " + e.Message }

// appendCallHeader appends an empty call-metadata map and the message name.
func appendCallHeader(dst []byte, message string) []byte {
	dst = append(dst, 0)
	return avrobin.AppendString(dst, message)
}

// parseCallHeader reads the call metadata (ignored) and the message name
// of a request.
func parseCallHeader(b []byte) (message string, params []byte, err error) {
	b, err = skipBytesMap(b, "call metadata", false)
	if err != nil {
		return "", nil, err
	}
	message, b, err = avrobin.ReadString(b, "message name")
	if err != nil {
		return "", nil, err
	}
	return message, b, nil
}

// appendStatusResponse appends a normal response: empty metadata, error
// flag false, the Status.
func appendStatusResponse(dst []byte, s Status) []byte {
	dst = append(dst, 0, 0)
	return avrobin.AppendLong(dst, int64(s))
}

// appendErrorResponse appends an error response: empty metadata, error flag
// true, union branch 0 (string), the message.
func appendErrorResponse(dst []byte, msg string) []byte {
	dst = append(dst, 0, 1, 0)
	return avrobin.AppendString(dst, msg)
}

// parseResponse reads a response after its handshake part.
func parseResponse(b []byte) (Status, error) {
	b, err := skipBytesMap(b, "response metadata", false)
	if err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, malformed("response has no error flag")
	}
	flag := b[0]
	b = b[1:]
	switch flag {
	case 0:
		s, _, err := avrobin.ReadLong(b)
		if err != nil {
			return 0, fmt.Errorf("response status: %w", err)
		}
		if s < 0 || s > int64(Unknown) {
			return 0, malformed("response status ordinal %d", s)
		}
		return Status(s), nil
	case 1:
		branch, rest, err := avrobin.ReadLong(b)
		if err != nil {
			return 0, fmt.Errorf("error union: %w", err)
		}
		if branch != 0 {
			return 0, malformed("error union branch %d (only string is declared)", branch)
		}
		msg, _, err := avrobin.ReadString(rest, "error message")
		if err != nil {
			return 0, err
		}
		return 0, &RemoteError{Message: msg}
	}
	return 0, malformed("response error flag %d", flag)
}
