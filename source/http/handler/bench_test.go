package handler

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/javatext"
)

// BenchmarkJSON reads a batch of 100 events of 200-byte bodies and three
// headers, as the http-null-8conn scenario posts them.
func BenchmarkJSON(b *testing.B) {
	type je struct {
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	batch := make([]je, 100)
	for i := range batch {
		batch[i] = je{map[string]string{"timestamp": "1700000000000", "host": "host-0123456789.example", "seq": "12345"},
			strings.Repeat("abcdefghij", 20)}
	}
	doc, _ := json.Marshal(batch)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseEvents(doc, javatext.UTF8); err != nil {
			b.Fatal(err)
		}
	}
}
