package netcat

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/source/sourcetest"
)

func TestSourceTest(t *testing.T) {
	sourcetest.Run(t, sourcetest.Options{
		New: func(t testing.TB, out flume.ChannelProcessor) flume.Source {
			src, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"}), out)
			if err != nil {
				t.Fatal(err)
			}
			if err := src.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			return src
		},
		// One line per event, each answered OK or FAILED.
		Send: func(t testing.TB, src flume.Source, events []flume.Event) (int, error) {
			c, err := net.Dial("tcp", src.(*Source).Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var lines strings.Builder
			for _, e := range events {
				lines.Write(e.Body)
				lines.WriteByte('\n')
			}
			if _, err := c.Write([]byte(lines.String())); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(c)
			acked := 0
			var refused error
			for range events {
				answer, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("read the answer: %v", err)
				}
				switch {
				case answer == "OK\n" && refused == nil:
					acked++
				case answer == "OK\n":
					t.Fatal("a line was acknowledged after an earlier one was refused")
				case strings.HasPrefix(answer, "FAILED"):
					refused = errors.New(strings.TrimSpace(answer))
				default:
					t.Fatalf("unexpected answer %q", answer)
				}
			}
			return acked, refused
		},
	})
}
