package logger

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

func TestDumpMatchesFlume(t *testing.T) {
	for _, tc := range []struct {
		event flume.Event
		max   int
		want  string
	}{
		// The reference's example, byte for byte.
		{flume.Event{Body: []byte("Hello world!\r")}, 16,
			"{ headers:{} body: 48 65 6C 6C 6F 20 77 6F 72 6C 64 21 0D          Hello world!. }"},
		{flumetest.EventWithHeaders(nil, map[string]string{"b": "2", "a": "1"}), 16, "{ headers:{a=1, b=2} body: }"},
		{flume.Event{Body: []byte("0123456789abcdefXYZ")}, 16,
			"{ headers:{} body: 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef }"},
		{flume.Event{Body: []byte("0123456789abcdefXY")}, 18,
			"{ headers:{} body: 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef\n00000010 58 59                                           XY }"},
	} {
		if got := Dump(tc.event, tc.max); got != tc.want {
			t.Errorf("Dump =\n%q\nwant\n%q", got, tc.want)
		}
	}
}

func TestSinkLogsEveryEvent(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 10, 10, 0) // the empty take at the end returns at once
	flumetest.Put(t, ch, flume.NewEvent([]byte("one")), flume.NewEvent([]byte("two")))
	var out bytes.Buffer
	s, err := Factory(flume.Settings{Logger: slog.New(slog.NewTextHandler(&out, nil))}, flume.ContextFromMap(nil), ch)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := s.Process(context.Background()); st != flume.Ready || err != nil {
		t.Fatalf("Process = %v, %v", st, err)
	}
	if !strings.Contains(out.String(), "one }") || !strings.Contains(out.String(), "two }") || ch.Len() != 0 {
		t.Fatalf("log:\n%s\nchannel holds %d", out.String(), ch.Len())
	}
	if st, _ := s.Process(context.Background()); st != flume.Backoff {
		t.Fatalf("empty channel: status %v, want BACKOFF", st)
	}
}
