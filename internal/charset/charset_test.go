package charset

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flumego/flume/internal/flumetest"
)

func TestLookup(t *testing.T) {
	for name, want := range map[string]string{
		"UTF-8": "UTF-8", "utf8": "UTF-8", " UTF-8 ": "UTF-8", "GB18030": "GB18030", "gbk": "GBK", "GB2312": "GBK",
		"ISO-8859-1": "ISO_8859-1:1987", "latin1": "ISO_8859-1:1987", "US-ASCII": "US-ASCII", "ascii": "US-ASCII",
		"UTF-16": "UTF-16", "utf-16le": "UTF-16LE", "UTF-16BE": "UTF-16BE", "UTF-32": "UTF-32",
		"Cp1252": "windows-1252", "windows-1252": "windows-1252", "Shift_JIS": "Shift_JIS", "MS932": "Shift_JIS",
		"Big5": "Big5", "EUC-KR": "EUC-KR", "IBM037": "IBM037",
	} {
		cs, err := Lookup(name)
		if err != nil {
			t.Errorf("Lookup(%q): %v", name, err)
			continue
		}
		if cs.Name() != want {
			t.Errorf("Lookup(%q) = %s, want %s", name, cs.Name(), want)
		}
	}
	if _, err := Lookup("no-such-charset"); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown name: %v, want ErrUnknown", err)
	}
	if _, err := Lookup("UTF-7"); !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrUnknown) {
		t.Errorf("UTF-7: %v, want an error", err)
	}
	ebcdic, _ := Lookup("IBM037")
	if !bytes.Equal(ebcdic.Newline(), []byte{0x25}) || ebcdic.Unit() != 1 || ebcdic.ascii {
		t.Errorf("IBM037 newline % X unit %d ascii %v, want 25, 1, false", ebcdic.Newline(), ebcdic.Unit(), ebcdic.ascii)
	}
	for _, name := range []string{"GB18030", "Shift_JIS", "windows-1252", "EUC-KR"} {
		if cs, _ := Lookup(name); !cs.ascii {
			t.Errorf("%s: ASCII text is not copied as it is", name)
		}
	}
	if le, _ := Lookup("UTF-16LE"); !bytes.Equal(le.Newline(), []byte{'\n', 0}) || le.Unit() != 2 {
		t.Errorf("UTF-16LE newline % X unit %d", le.Newline(), le.Unit())
	}
}

func TestParsePolicy(t *testing.T) {
	for s, want := range map[string]Policy{"FAIL": Fail, "replace": Replace, " Ignore": Ignore} {
		if p, err := ParsePolicy(s); err != nil || p != want {
			t.Errorf("ParsePolicy(%q) = %v, %v", s, p, err)
		}
	}
	if _, err := ParsePolicy("SKIP"); err == nil {
		t.Error("SKIP accepted")
	}
}

func TestDecodeUTF8Policies(t *testing.T) {
	src := []byte("ab\xe2\x82Ac\xffd")
	for _, tc := range []struct {
		p    Policy
		want string
		n    int
		err  bool
	}{
		{Replace, "ab\uFFFDAc\uFFFDd", len(src), false},
		{Ignore, "abAcd", len(src), false},
		{Fail, "ab", 2, true},
	} {
		got, n, err := UTF8.NewDecoder(tc.p).Decode(nil, src, 0)
		if string(got) != tc.want || n != tc.n || (err != nil) != tc.err {
			t.Errorf("%v: %q %d %v, want %q %d err=%v", tc.p, got, n, err, tc.want, tc.n, tc.err)
		}
		var de *DecodeError
		if tc.err && (!errors.As(err, &de) || de.Offset != 2 || !bytes.Equal(de.Bytes, []byte{0xe2, 0x82})) {
			t.Errorf("%v: error %v, want offset 2, bytes E2 82", tc.p, err)
		}
	}
}

func TestDecodeLimit(t *testing.T) {
	text := []byte("aé😀b") // 1 + 1 + 2 + 1 Java chars
	for _, tc := range []struct {
		max  int
		want string
	}{
		{1, "a"}, {2, "aé"}, {3, "aé"}, {4, "aé😀"}, {5, "aé😀b"}, {0, "aé😀b"},
	} {
		got, n, err := UTF8.NewDecoder(Fail).Decode(nil, text, tc.max)
		if err != nil || string(got) != tc.want || n != len(tc.want) {
			t.Errorf("max %d: %q %d %v, want %q", tc.max, got, n, err, tc.want)
		}
	}
	// A character wider than the limit is still taken, whole.
	if got, n, _ := UTF8.NewDecoder(Fail).Decode(nil, []byte("😀x"), 1); string(got) != "😀" || n != 4 {
		t.Errorf("surrogate pair with limit 1: %q %d", got, n)
	}
	gb, _ := Lookup("GB18030")
	enc := gb.NewEncoder().Encode(nil, []byte("日本語テキスト"))
	got, n, err := gb.NewDecoder(Fail).Decode(nil, enc, 3)
	if err != nil || string(got) != "日本語" || n != 6 {
		t.Errorf("GB18030 limit 3: %q %d %v", got, n, err)
	}
}

func TestGB18030RealReplacementCharacter(t *testing.T) {
	gb, _ := Lookup("GB18030")
	src := gb.NewEncoder().Encode(nil, []byte("a\uFFFDb"))
	got, n, err := gb.NewDecoder(Fail).Decode(nil, src, 0)
	if err != nil || string(got) != "a\uFFFDb" || n != len(src) {
		t.Errorf("a real U+FFFD: %q %d %v", got, n, err)
	}
	bad := append(append([]byte{}, src...), 0x81)
	if _, n, err := gb.NewDecoder(Fail).Decode(nil, bad, 0); err == nil || n != len(src) {
		t.Errorf("truncated sequence after a real U+FFFD: %d %v", n, err)
	}
}

func TestForInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		head []byte
		want string
		bom  int
	}{
		{"UTF-16", []byte{0xFF, 0xFE, 'a', 0}, "UTF-16LE", 2},
		{"UTF-16", []byte{0xFE, 0xFF, 0, 'a'}, "UTF-16BE", 2},
		{"UTF-16", []byte{0, 'a'}, "UTF-16BE", 0},
		{"UTF-32", []byte{0xFF, 0xFE, 0, 0}, "UTF-32LE", 4},
		{"UTF-16LE", []byte{0xFF, 0xFE}, "UTF-16LE", 0},
		{"UTF-8", []byte{0xEF, 0xBB, 0xBF}, "UTF-8", 0},
	} {
		cs, _ := Lookup(tc.name)
		got, bom := cs.ForInput(tc.head)
		if got.Name() != tc.want || bom != tc.bom {
			t.Errorf("%s % X: %s %d, want %s %d", tc.name, tc.head, got.Name(), bom, tc.want, tc.bom)
		}
	}
}

// javaCharsets are the charsets compared with the JDK, with the
// characters their random texts are made of. Malformed input must decode
// exactly as in Java where exact is set; the CJK multi-byte charsets use
// golang.org/x/text's WHATWG tables, which accept some sequences Java
// rejects (the Windows extensions: UHC in EUC-KR, HKSCS in Big5,
// Windows-31J in Shift_JIS) and cut malformed input differently, so for
// them only valid texts (and encoding) are compared.
var javaCharsets = []struct {
	name     string
	alphabet string
	exact    bool
}{
	{"UTF-8", "abc \t\r日本語éß😀\uFFFD\u00a0", true},
	{"US-ASCII", "abc xyz{}", true},
	{"ISO-8859-1", "abcéßÿ\u00a0", true},
	{"windows-1252", "abc€éŸ—", true},
	{"KOI8-R", "abcрусский", true},
	{"UTF-16", "ab日😀", true},
	{"UTF-16LE", "ab日😀\uFFFD", true},
	{"UTF-16BE", "ab日😀", true},
	{"UTF-32", "ab日😀", true},
	{"UTF-32LE", "ab日😀", true},
	{"GB18030", "abc日本語中文😀\uFFFDé", false},
	{"GBK", "abc中文汉字", false},
	{"Big5", "abc中文繁體", false},
	{"Shift_JIS", "abcｱ日本語テキスト", false},
	{"EUC-JP", "abc日本語テキスト", false},
	{"EUC-KR", "abc한국어", false},
}

// TestMatchesJava decodes random, partly corrupted texts under every
// policy and encodes random texts, and compares with what the JDK does
// (testdata/JavaCharsets.java, run as a single-file program; CI installs
// a JDK, see .ci/setup.d/datahub-java.sh).
func TestMatchesJava(t *testing.T) {
	java := flumetest.Peer(t, "install a JDK, see .ci/setup.d/datahub-java.sh", "java")
	rng := rand.New(rand.NewPCG(7, 13))
	type query struct {
		cs     *Charset
		policy Policy
		encode bool
		data   []byte
		exact  bool // a difference fails the test
	}
	var queries []query
	var in strings.Builder
	for _, jc := range javaCharsets {
		cs, err := Lookup(jc.name)
		if err != nil {
			t.Fatal(err)
		}
		alphabet := []rune(jc.alphabet)
		for i := 0; i < 120; i++ {
			var text []rune
			for range rng.IntN(12) {
				text = append(text, alphabet[rng.IntN(len(alphabet))])
			}
			// Encode with the JDK's own encoder in an E query, and
			// decode the encoder's output, corrupted, in D queries.
			plain := cs.NewEncoder().Encode(nil, []byte(string(text)))
			if !strings.HasPrefix(jc.name, "UTF-16") || i%2 == 0 { // Go's "UTF-16" writes a BOM: keep some without
				queries = append(queries, query{cs: cs, encode: true, data: []byte(string(text)), exact: true})
				fmt.Fprintf(&in, "E\t%s\t-\t%x\n", jc.name, string(text))
			}
			data := corrupt(rng, plain, i)
			for _, p := range []Policy{Fail, Replace, Ignore} {
				queries = append(queries, query{cs: cs, policy: p, data: data, exact: jc.exact || bytes.Equal(data, plain)})
				fmt.Fprintf(&in, "D\t%s\t%s\t%x\n", jc.name, p, data)
			}
		}
	}
	cmd := exec.Command(java, "-Dfile.encoding=UTF-8", "testdata/JavaCharsets.java")
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	mismatches, tolerated := 0, map[string]int{}
	byCharset := map[string]int{}
	for i := 0; sc.Scan(); i++ {
		q := queries[i]
		want := sc.Text()
		var got string
		if q.encode {
			got = hex.EncodeToString(q.cs.NewEncoder().Encode(nil, q.data))
		} else {
			got = goDecode(q.cs, q.policy, q.data)
		}
		if got != want && !q.exact {
			tolerated[q.cs.Name()]++
		} else if got != want {
			mismatches++
			byCharset[fmt.Sprintf("%s %v encode=%v", q.cs.Name(), q.policy, q.encode)]++
			if mismatches <= 20 || os.Getenv("CHARSET_ALL") != "" {
				t.Errorf("%s %v encode=%v % X:\n go   %s\n java %s", q.cs.Name(), q.policy, q.encode, q.data, got, want)
			}
		}
	}
	if n := strings.Count(string(out), "\n"); n != len(queries) {
		t.Fatalf("java answered %d queries of %d", n, len(queries))
	}
	t.Logf("malformed inputs decoded otherwise than by the JDK, where tolerated: %v", tolerated)
	if mismatches > 0 {
		t.Errorf("%d of %d queries differ from the JDK: %v", mismatches, len(queries), byCharset)
	}
}

// goDecode answers a D query the way JavaCharsets.java prints it.
func goDecode(cs *Charset, p Policy, data []byte) string {
	c, bom := cs.ForInput(data)
	text, n, err := c.NewDecoder(p).Decode(nil, data[bom:], 0)
	if err != nil {
		return "err\t" + strconv.Itoa(bom+n) + "\t" + hex.EncodeToString(text)
	}
	return "ok\t" + hex.EncodeToString(text)
}

// corrupt returns a copy of b with a few random changes: flipped bytes,
// inserted high bytes, a truncated end.
func corrupt(rng *rand.Rand, b []byte, i int) []byte {
	out := bytes.Clone(b)
	if i%4 == 0 || len(out) == 0 {
		return out // some stay valid
	}
	for range 1 + rng.IntN(2) {
		switch rng.IntN(3) {
		case 0:
			out[rng.IntN(len(out))] = byte(rng.IntN(256))
		case 1:
			k := rng.IntN(len(out) + 1)
			out = append(out[:k], append([]byte{byte(0x80 + rng.IntN(128))}, out[k:]...)...)
		default:
			out = out[:rng.IntN(len(out))+1]
		}
		if len(out) == 0 {
			break
		}
	}
	return out
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("hello\xe2\x82A\xff"), uint8(0), uint8(1), uint8(3))
	f.Add([]byte("\xff\xfea\x00\x00\xd8"), uint8(10), uint8(0), uint8(1))
	f.Add([]byte{0x84, 0x31, 0xa4, 0x37, 0x81}, uint8(4), uint8(2), uint8(0))
	names := []string{"UTF-8", "US-ASCII", "ISO-8859-1", "windows-1252", "GB18030", "Big5", "Shift_JIS", "EUC-JP",
		"EUC-KR", "UTF-16", "UTF-16LE", "UTF-32", "ISO-2022-JP", "IBM037"}
	f.Fuzz(func(t *testing.T, data []byte, which, policy, maxc uint8) {
		cs, err := Lookup(names[int(which)%len(names)])
		if err != nil {
			t.Fatal(err)
		}

		c, bom := cs.ForInput(data)
		src := data[bom:]
		p := Policy(policy % 3)
		d := c.NewDecoder(p)
		whole, n, err := d.Decode(nil, src, 0)
		if !utf8.Valid(whole) {
			t.Fatalf("invalid UTF-8 out: %q", whole)
		}
		if err == nil && n != len(src) || n > len(src) {
			t.Fatalf("consumed %d of %d, err %v", n, len(src), err)
		}
		if p != Fail && err != nil {
			t.Fatalf("%v returned %v", p, err)
		}
		// Decoding in pieces of at most max chars gives the same text.
		limit := int(maxc%8) + 1
		var pieces []byte
		for off := 0; off < len(src); {
			before := len(pieces)
			var k int
			pieces, k, err = d.Decode(pieces, src[off:], limit)
			if err != nil {
				break
			}
			if k == 0 {
				t.Fatalf("no progress at %d", off)
			}
			if JavaLen(pieces[before:]) > max(limit, 2) {
				t.Fatalf("a piece of %d chars with limit %d", JavaLen(pieces[before:]), limit)
			}
			off += k
		}
		if c.kind != kindText && err == nil && !bytes.Equal(pieces, whole) { // stateful x/text decoders restart per piece
			t.Fatalf("pieces %q != whole %q", pieces, whole)
		}
		// Encoding never fails and UTF-8 round-trips.
		back := c.NewEncoder().Encode(nil, whole)
		if c.IsUTF8() && !bytes.Equal(back, whole) {
			t.Fatalf("UTF-8 round trip %q != %q", back, whole)
		}
	})
}
