package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// The command serves the fake, prints each stored record as a JSON line and
// exits after -exit-after records with a summary.
func TestRun(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "url")
	var stdout, stderr flumetest.LogBuffer
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-addr", "127.0.0.1:0", "-project", "p", "-topic", "t", "-schema", "n:BIGINT,s:STRING",
			"-access-id", "id", "-access-key", "key", "-ready-file", ready, "-exit-after", "2"}, &stdout, &stderr)
	}()
	// The "listening on" line comes before the ready file.
	_, rest, _ := strings.Cut(stderr.WaitLine(t, "listening on ", 10*time.Second), "listening on ")
	url, _, _ := strings.Cut(rest, " ")
	body := `{"Action":"pub","Records":[{"ShardId":"0","Data":["1","one"]},{"ShardId":"0","Data":["2",null]}]}`
	req, _ := http.NewRequest("POST", url+"/projects/p/topics/t/shards", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	m := hmac.New(sha1.New, []byte("key"))
	m.Write([]byte("POST\napplication/json\n" + req.Header.Get("Date") + "\n/projects/p/topics/t/shards"))
	req.Header.Set("Authorization", "DATAHUB id:"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(answer), `"FailedRecordCount":0`) {
		t.Fatalf("%d %s", resp.StatusCode, answer)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not exit after 2 records")
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout = %q", stdout.String())
	}
	var rec struct {
		Shard  string `json:"shard"`
		Values []any  `json:"values"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil || rec.Shard != "0" || rec.Values[0] != "2" || rec.Values[1] != nil {
		t.Fatalf("line %q: %+v %v", lines[1], rec, err)
	}
	if b, err := os.ReadFile(ready); err != nil || strings.TrimSpace(string(b)) != url {
		t.Fatalf("ready file %q (%v), stderr %q", b, err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "stored 2 records") {
		t.Fatalf("stderr = %q", stderr.String())
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-schema", "a:NOPE"}, {"-print", "all"}, {"extra"}} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}
