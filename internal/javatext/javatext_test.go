package javatext

import (
	"bytes"
	"math/rand"
	"testing"
	"unicode/utf8"

	"github.com/flumego/flume/internal/jdktest"
)

// TestAgainstJDK compares decoding and encoding with the JDK's own, on
// fixed and random inputs.
func TestAgainstJDK(t *testing.T) {
	jdk := jdktest.Start(t)
	rng := rand.New(rand.NewSource(1))
	fixed := [][]byte{
		[]byte("plain"), {0xe2, 0x82, 0x41}, {0xed, 0xa0, 0x80}, {0xf0, 0x90, 0x41}, {0xc0, 0xaf}, {0xe2},
		{0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80}, {0xe0, 0x80, 0x80}, {0xf0, 0x80, 0x80, 0x80}, {0xf0, 0x9f, 0x98},
		{0xf0, 0x9f, 0x98, 0x80}, {0xdf}, {0xfe, 0xff, 0x00, 0x41}, {0xff, 0xfe, 0x41, 0x00}, {0xd8, 0x00, 0x00, 0x41},
		{0x00, 0x00, 0xfe, 0xff, 0x00, 0x01, 0xf6, 0x00}, {0x00, 0x11, 0x00, 0x00}, {0x41},
	}
	for i := 0; i < 3000; i++ {
		b := make([]byte, rng.Intn(9))
		for j := range b {
			if rng.Intn(3) == 0 {
				b[j] = byte(rng.Intn(128))
			} else {
				b[j] = byte(0x80 + rng.Intn(128))
			}
		}
		fixed = append(fixed, b)
	}
	for _, b := range fixed {
		for _, cs := range []Charset{UTF8, UTF16, UTF32} {
			want, err := jdk.Decode(cs.String(), b)
			if err != nil {
				t.Fatal(err)
			}
			if got := Decode(cs, b); got != want {
				t.Fatalf("decode %x as %s: %q, the JDK %q", b, cs, got, want)
			}
		}
	}
	texts := []string{"", "a", "é", "😀 smile", "\x00", "mixed ä😀\u0800"}
	for i := 0; i < 300; i++ {
		var sb []rune
		for j := rng.Intn(6); j > 0; j-- {
			r := rune(rng.Intn(0x110000))
			if !utf8.ValidRune(r) {
				r = 'x'
			}
			sb = append(sb, r)
		}
		texts = append(texts, string(sb))
	}
	for _, s := range texts {
		for _, cs := range []Charset{UTF8, UTF16, UTF32} {
			want, err := jdk.Encode(cs.String(), s)
			if err != nil {
				t.Fatal(err)
			}
			if got := Encode(cs, s); !bytes.Equal(got, want) {
				t.Fatalf("encode %q as %s: %x, the JDK %x", s, cs, got, want)
			}
		}
	}
}

// TestAppendUTF8: valid input is copied unchanged; the replacement count
// follows the JDK (one per malformed sequence).
func TestAppendUTF8(t *testing.T) {
	for in, want := range map[string]string{
		"ok":                 "ok",
		"\xe2\x82A":          "\ufffdA",
		"\xed\xa0\x80":       "\ufffd",
		"\xf0\x90A\xc0\xaf":  "\ufffdA\ufffd\ufffd",
		"end \xe2\x82":       "end \ufffd",
		"\xf0\x9f\x98\x80ok": "😀ok",
	} {
		if got := DecodeUTF8([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
