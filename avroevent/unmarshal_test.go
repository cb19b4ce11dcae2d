package avroevent

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/avrobin"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/linkedin/goavro/v2"
)

// The reference's byte examples of the AvroFlumeEvent datum, as the Kafka
// sink writes and Flume's Kafka source and channel read them.
func TestUnmarshalGolden(t *testing.T) {
	for _, tc := range []struct {
		e    flume.Event
		data string
	}{
		{flumetest.Event("hi", "a", "b"), "02026102620004" + "6869"},
		{flume.Event{Body: []byte("hi")}, "00046869"},
		{flume.Event{}, "0000"},
	} {
		data, _ := hex.DecodeString(tc.data)
		e, err := Unmarshal(data)
		if err != nil || !flumetest.SameEvent(e, tc.e) {
			t.Errorf("%s: %v %v, want %v", tc.data, e, err, tc.e)
		}
	}
}

// Unmarshal accepts what other Avro writers may produce (several blocks,
// negative counts with byte sizes, as Java's block encoders write) and
// refuses truncated data and trailing bytes.
func TestUnmarshalBlocks(t *testing.T) {
	// -1 entries (8 bytes) {"a":"b"}, then 1 entry {"c":"d"}, end, body "x".
	data, _ := hex.DecodeString("01" + "08" + "02610262" + "02" + "02630264" + "00" + "0278")
	e, err := Unmarshal(data)
	if err != nil || flumetest.Headers(e)["a"] != "b" || flumetest.Headers(e)["c"] != "d" || string(e.Body) != "x" {
		t.Fatalf("%v %v", e, err)
	}
	for _, bad := range []string{"", "02", "0202", "00", "0004", "000468", "00006868", "7f", "ffffffffffffffffffff01", "02ffffffff0f"} {
		b, _ := hex.DecodeString(bad)
		if _, err := Unmarshal(b); !errors.Is(err, avrobin.ErrMalformed) {
			t.Errorf("%s: error %v, want one wrapping avrobin.ErrMalformed", bad, err)
		}
	}
}

// FuzzUnmarshal: Unmarshal never panics or over-allocates, and whatever it
// accepts re-encodes (as the Kafka sink encodes) to a datum that goavro
// reads back to the same event.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{"02026102620004686900", "00046869", "0000", "01080261026202026302640002780000", "02ffffffff0f"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	codec, err := goavro.NewCodec(`{"type":"record","name":"AvroFlumeEvent","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Unmarshal(data)
		if err != nil {
			return
		}
		enc, _ := AppendEventSorted(nil, e, nil)
		e2, err := Unmarshal(enc)
		if err != nil || !bytes.Equal(e2.Body, e.Body) || e2.HeaderCount() != e.HeaderCount() {
			t.Fatalf("re-decode: %v %v", e2, err)
		}
		native, rest, err := codec.NativeFromBinary(enc)
		if err != nil || len(rest) != 0 {
			t.Fatalf("goavro rejects our encoding %x: %v", enc, err)
		}
		if !bytes.Equal(native.(map[string]any)["body"].([]byte), e.Body) {
			t.Fatalf("goavro body differs")
		}
	})
}
