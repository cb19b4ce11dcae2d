package http

import (
	"bytes"
	"context"
	"fmt"
	"io"
	nethttp "net/http"
	"strings"
	"sync"
	"testing"

	"github.com/flumego/flume"
)

// BenchmarkRequests posts batches of 100 events of 200 bytes with three
// headers from 8 clients to a source whose processor drops them, as the
// http-null-8conn scenario does without the channel.
func BenchmarkRequests(b *testing.B) {
	var doc bytes.Buffer
	doc.WriteString("[")
	for i := range 100 {
		if i > 0 {
			doc.WriteString(",")
		}
		fmt.Fprintf(&doc, `{"headers":{"timestamp":"1700000000000","host":"host-0123456789.example","seq":"%d"},"body":%q}`,
			i, strings.Repeat("abcdefghij", 20))
	}
	doc.WriteString("]")
	discard := flume.ChannelProcessorFunc(func(context.Context, []flume.Event) error { return nil })
	s := startHTTP(b, map[string]string{}, discard)
	u := url(s)
	b.SetBytes(int64(doc.Len()))
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/8 + 1
	for range 8 {
		wg.Go(func() {
			c := &nethttp.Client{Transport: &nethttp.Transport{MaxConnsPerHost: 1}}
			defer c.CloseIdleConnections()
			for range per {
				resp, err := c.Post(u, "application/json", bytes.NewReader(doc.Bytes()))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
}
