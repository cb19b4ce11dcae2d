package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/flumego/flume"
)

// HTTP posts p to an http source as Flume JSON batches (p.Headers headers
// per event), over p.Connections kept-alive connections: 200 is OK, 503 a
// refusal (resent).
func HTTP(ctx context.Context, p Params) (Result, error) {
	encode := func(evs []flume.Event) ([]byte, error) {
		type jsonEvent struct {
			Headers map[string]string `json:"headers"`
			Body    string            `json:"body"`
		}
		out := make([]jsonEvent, len(evs))
		for i, e := range evs {
			h := map[string]string{}
			for k, v := range e.AllHeaders() {
				h[k] = v
			}
			out[i] = jsonEvent{Headers: h, Body: string(e.Body)}
		}
		return json.Marshal(out)
	}
	url := "http://" + p.Addr + "/"
	dial := func(context.Context) (conn, error) {
		return &httpConn{url: url, client: &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}}, nil
	}
	r, err := run(ctx, p, encode, dial)
	if err != nil {
		return r, fmt.Errorf("http load: %w", err)
	}
	return r, nil
}

type httpConn struct {
	url    string
	client *http.Client
}

func (c *httpConn) send(ctx context.Context, call []byte) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(call))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return false, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusServiceUnavailable:
		return false, nil
	}
	return false, fmt.Errorf("source answered %s", resp.Status)
}

func (c *httpConn) Close() error {
	c.client.CloseIdleConnections()
	return nil
}

// Syslog writes p.Events RFC 5424 messages of p.EventSize bytes (newline
// included) to a syslog TCP source over one connection, as fast as the
// source reads them, and returns when the last one is written: syslog has
// no acknowledgements, so the caller learns from the agent when they
// arrived.
func Syslog(ctx context.Context, p Params) (Result, error) {
	const header = "<13>1 2024-01-02T03:04:05.678Z bench-host app - - - "
	if p.EventSize < len(header)+2 {
		return Result{}, fmt.Errorf("syslog load: events of at least %d bytes", len(header)+2)
	}
	line := []byte(header)
	for len(line) < p.EventSize-1 {
		line = append(line, byte('a'+len(line)%26))
	}
	line = append(line, '\n')
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return Result{}, fmt.Errorf("syslog load: %w", err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetWriteDeadline(dl)
	}
	chunk := bytes.Repeat(line, max(1, 64<<10/len(line)))
	per := len(chunk) / len(line)
	w := bufio.NewWriterSize(c, 64<<10)
	start := time.Now()
	for sent := 0; sent < p.Events; {
		n := min(per, p.Events-sent)
		if _, err := w.Write(chunk[:n*len(line)]); err != nil {
			return Result{}, fmt.Errorf("syslog load: %w", err)
		}
		sent += n
	}
	if err := w.Flush(); err != nil {
		return Result{}, fmt.Errorf("syslog load: %w", err)
	}
	return Result{Events: int64(p.Events), Bytes: int64(p.Events) * int64(len(line)), Calls: 1, Elapsed: time.Since(start)}, nil
}
