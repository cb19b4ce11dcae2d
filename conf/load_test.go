package conf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/sysprop"
)

func parse(t *testing.T, text string) *Properties {
	t.Helper()
	p, err := Parse("t.properties", []byte(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return p
}

func value(t *testing.T, p *Properties, key string) string {
	t.Helper()
	prop, ok := p.Get(key)
	if !ok {
		t.Fatalf("key %q missing; have %v", key, p.All())
	}
	return prop.Value
}

func TestJavaPropertiesSyntax(t *testing.T) {
	for _, tc := range []struct {
		name, text, key, want string
		line                  int
	}{
		{"equals", "a.b = v", "a.b", "v", 1},
		{"colon", "a.b:v", "a.b", "v", 1},
		{"colon spaced", "a.b : v", "a.b", "v", 1},
		{"whitespace separator", "a.b v", "a.b", "v", 1},
		{"tab separator", "a.b\tv", "a.b", "v", 1},
		{"second separator is value", "a.b = = v", "a.b", "= v", 1},
		{"hash after value is value", "a.b = 1 # one", "a.b", "1 # one", 1},
		{"leading whitespace", "   \t a.b=v", "a.b", "v", 1},
		{"trailing whitespace trimmed", "a.b = v  \t", "a.b", "v", 1},
		{"escaped separator in key", `a\=b.c = v`, "a=b.c", "v", 1},
		{"escaped space in key", `a\ b.c = v`, "a b.c", "v", 1},
		{"unicode escape", `a.b = \u0041\u00e9`, "a.b", "Aé", 1},
		{"control escapes", `a.b = x\ty`, "a.b", "x\ty", 1},
		{"unknown escape drops backslash", `a.b = \q\#`, "a.b", "q#", 1},
		{"continuation", "a.b = one \\\n     two", "a.b", "one two", 1},
		{"continuation keeps counting lines", "x.y = 1\na.b = one \\\n  two \\\n  three\nc.d = 4", "c.d", "4", 5},
		{"continuation after comment line", "# comment \\\na.b = v", "a.b", "v", 2},
		{"continuation line starting with hash", "a.b = x\\\n#y", "a.b", "x#y", 1},
		{"even backslashes do not continue", "a.b = x\\\\\nc.d = y", "a.b", `x\`, 1},
		{"CRLF", "x.y = 1\r\na.b = v\r\n", "a.b", "v", 2},
		{"CR only", "x.y = 1\ra.b = v\r", "a.b", "v", 2},
		{"bang comment", "! c\na.b = v", "a.b", "v", 2},
		{"form feed", "\fa.b\f=\fv", "a.b", "v", 1},
		{"lone backslash at end of file", "a.b = v\\", "a.b", "v", 1},
		{"dollar braces are kept when undefined", "a.b = ${undefined}", "a.b", "${undefined}", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.text)
			prop, ok := p.Get(tc.key)
			if !ok {
				t.Fatalf("key %q missing; have %v", tc.key, p.All())
			}
			if prop.Value != tc.want || prop.Line != tc.line {
				t.Fatalf("%q at line %d, want %q at line %d", prop.Value, prop.Line, tc.want, tc.line)
			}
		})
	}
}

func TestDuplicateKeyLastWins(t *testing.T) {
	p := parse(t, "a.b = 1\nc.d = x\na.b = 2\n")
	if v := value(t, p, "a.b"); v != "2" {
		t.Fatalf("a.b = %q, want the last value 2", v)
	}
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Error(), "t.properties:3: a.b") {
		t.Fatalf("want one warning located at line 3, got %v", p.Problems)
	}
}

func TestEmptyValueIgnored(t *testing.T) {
	p := parse(t, "a.b =   \n")
	if _, ok := p.Get("a.b"); ok {
		t.Fatal("an empty value was kept; Flume ignores it")
	}
	if len(p.Problems) != 1 {
		t.Fatalf("want a warning, got %v", p.Problems)
	}
}

// FromMap applies Flume's rules to a program's map: trimmed keys and
// values, empty values ignored with a warning, sorted order, and values
// taken literally.
func TestFromMap(t *testing.T) {
	p := FromMap(map[string]string{" b.key ": " 2 ", "a.key": "${env:HOME}", "c.empty": "  "})
	var keys []string
	for _, prop := range p.All() {
		keys = append(keys, prop.Key)
		if prop.File != "" || prop.Line != 0 {
			t.Errorf("%s has a location: %s", prop.Key, prop.Location())
		}
	}
	if strings.Join(keys, " ") != "a.key b.key" {
		t.Errorf("keys = %v, want a.key b.key", keys)
	}
	if v := value(t, p, "b.key"); v != "2" {
		t.Errorf("b.key = %q, want the trimmed value 2", v)
	}
	if v := value(t, p, "a.key"); v != "${env:HOME}" {
		t.Errorf("a.key = %q, want the value as given", v)
	}
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Error(), "c.empty: empty value") {
		t.Errorf("want one warning about c.empty, got %v", p.Problems)
	}
}

func TestMalformedUnicodeEscape(t *testing.T) {
	_, err := Parse("bad.properties", []byte("a.b = ok\nc.d = \\u00G1\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.properties:2") {
		t.Fatalf("err = %v, want a malformed-line error at bad.properties:2", err)
	}
}

func TestLatin1File(t *testing.T) {
	p := parse(t, "a.b = caf\xe9") // ISO-8859-1 é
	if v := value(t, p, "a.b"); v != "café" {
		t.Fatalf("a.b = %q", v)
	}
}

func TestLaterFileOverrides(t *testing.T) {
	dir := t.TempDir()
	f1 := filepath.Join(dir, "base.properties")
	f2 := filepath.Join(dir, "override.properties")
	os.WriteFile(f1, []byte("a1.channels = c1\na1.channels.c1.capacity = 10\n"), 0o644)
	os.WriteFile(f2, []byte("a1.channels.c1.capacity = 20\n"), 0o644)
	p, err := LoadFiles(f1, f2)
	if err != nil {
		t.Fatal(err)
	}
	prop, _ := p.Get("a1.channels.c1.capacity")
	if prop.Value != "20" || prop.File != f2 || prop.Line != 1 {
		t.Fatalf("capacity = %+v, want 20 from %s:1", prop, f2)
	}
}

func TestSubstitution(t *testing.T) {
	t.Setenv("FLUMEGO_TEST_PORT", "4545")
	sysprop.Set("flumego.test.bind", "127.0.0.1")
	t.Cleanup(sysprop.Reset)
	p := parse(t, strings.Join([]string{
		"NC_PORT = 44444",
		"a1.p.env = ${env:FLUMEGO_TEST_PORT}",
		"a1.p.sys = ${sys:flumego.test.bind}",
		"a1.p.ref = ${NC_PORT}",
		"a1.p.default = ${env:FLUMEGO_UNSET_VAR:-fallback}",
		"a1.p.escape = $${env:FLUMEGO_TEST_PORT}",
		"a1.p.undefined = x${nope}y",
		"a1.p.nested = ${${sys:flumego.test.kind}_NAME}",
		"a1.p.fallbackToProperty = ${env:NC_PORT}",
		"a1.p.cycle = ${a1.p.cycle}",
		"a1.p.chain = ${a1.p.ref}!",
	}, "\n"))
	sysprop.Set("flumego.test.kind", "x") // set after parsing: ${x_NAME} stays undefined
	for key, want := range map[string]string{
		"a1.p.env": "4545", "a1.p.sys": "127.0.0.1", "a1.p.ref": "44444", "a1.p.default": "fallback",
		"a1.p.escape": "${env:FLUMEGO_TEST_PORT}", "a1.p.undefined": "x${nope}y", "a1.p.nested": "${${sys:flumego.test.kind}_NAME}",
		"a1.p.fallbackToProperty": "44444", "a1.p.cycle": "${a1.p.cycle}", "a1.p.chain": "44444!",
	} {
		if got := value(t, p, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a.b = c", "a.b:c\\\n d", "# x\n!y\na\\ b = \\u0041", "k = ${x:-y}", "a.b = $${x}", "\\", "k=\\u00",
		"a1.sources = r1\na1.sources.r1.type = exec\na1.sources.r1.channels = c1\na1.channels = c1\na1.channels.c1.type = memory\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz", data)
		if err != nil {
			return
		}
		for _, prop := range p.All() {
			if prop.Line < 1 || prop.Value == "" {
				t.Fatalf("bad property %+v", prop)
			}
		}
		a := Agent("a1", p)
		_ = a.Valid()
	})
}
