package hadoopcodec

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/flumego/flume/internal/hadoopcodec/codectest"
)

func TestLookup(t *testing.T) {
	for name, want := range map[string]string{
		"gzip": "GzipCodec", "GZIP": "GzipCodec", "GzipCodec": "GzipCodec", "gzipcodec": "GzipCodec",
		"org.apache.hadoop.io.compress.GzipCodec": "GzipCodec", "bzip2": "BZip2Codec", "snappy": "SnappyCodec",
		"deflate": "DeflateCodec", "default": "DefaultCodec", "DefaultCodec": "DefaultCodec",
	} {
		c, err := Lookup(name)
		if err != nil || c == nil || c.Name != want {
			t.Errorf("%s: %v %v, want %s", name, c, err, want)
		}
	}
	if c, err := Lookup("None"); c != nil || err != nil {
		t.Errorf("none: %v %v", c, err)
	}
	for _, name := range []string{"lzo", "lzop", "LZ4", "zstandard", "com.hadoop.compression.lzo.LzopCodec"} {
		if _, err := Lookup(name); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
	for _, name := range []string{"zip", "org.apache.hadoop.io.compress.gzipcodec", "Codec", ""} {
		if c, err := Lookup(name); err == nil || errors.Is(err, ErrUnsupported) {
			t.Errorf("%q: %v %v, want an unknown-codec error", name, c, err)
		}
	}
}

// payload returns n bytes of compressible text with some noise.
func payload(rng *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, "event %d host=web-%d status=%d\n", rng.IntN(1e6), rng.IntN(9), 200+rng.IntN(5))
	}
	return b.Bytes()[:n]
}

// Each codec's stream, finished at several points (as at every commit)
// and across Snappy's block size, decompresses with an independent tool to
// exactly what was written.
func TestStreamsDecompressIndependently(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.Name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			var out, want bytes.Buffer
			s := c.NewStream(&out)
			for i, n := range []int{1, 100, 5000, 0, 300 << 10, 17} {
				p := payload(rng, n)
				want.Write(p)
				if _, err := s.Write(p); err != nil {
					t.Fatal(err)
				}
				if i%2 == 0 {
					if err := s.Finish(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := s.Finish(); err != nil {
				t.Fatal(err)
			}
			if err := s.Finish(); err != nil { // nothing new: no empty unit
				t.Fatal(err)
			}
			got := codectest.Decompress(t, c.Name, out.Bytes())
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("decompressed %d bytes, want %d", len(got), want.Len())
			}
		})
	}
}

func TestCompressOneUnit(t *testing.T) {
	for _, c := range codecs {
		for _, n := range []int{0, 10, 250 << 10} {
			data := payload(rand.New(rand.NewPCG(1, uint64(n))), n)
			out, err := c.Compress([]byte("prefix"), data)
			if err != nil || !bytes.HasPrefix(out, []byte("prefix")) {
				t.Fatalf("%s: %v", c.Name, err)
			}
			if c.kind == snappyKind && n == 0 {
				if !bytes.Equal(out[6:], []byte{0, 0, 0, 0}) {
					t.Fatalf("empty snappy unit % x", out[6:])
				}
				continue
			}
			if got := codectest.Decompress(t, c.Name, out[6:]); !bytes.Equal(got, data) {
				t.Fatalf("%s of %d bytes: decompressed %d bytes", c.Name, n, len(got))
			}
		}
	}
}

func BenchmarkStreams(b *testing.B) {
	data := payload(rand.New(rand.NewPCG(1, 2)), 200_000)
	for _, c := range codecs {
		b.Run(c.Name, func(b *testing.B) {
			var out bytes.Buffer
			s := c.NewStream(&out)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				out.Reset()
				_, _ = s.Write(data)
				_ = s.Finish()
			}
		})
	}
}
