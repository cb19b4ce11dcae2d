package javaregex

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestTranslateMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		match   []string
		nomatch []string
	}{
		{`\u007C`, []string{"a|b"}, []string{"ab"}},
		{`^\d{3}-\d+$`, []string{"123-4"}, []string{"12-4"}},
		{`[\u0041-\u0043]+`, []string{"ABC"}, []string{"xyz"}},
		{`\p{Lower}+\p{Upper}`, []string{"abC"}, []string{"ABC"}},
		{`[\p{Digit}x]`, []string{"7", "x"}, []string{"y"}},
		{`\P{Alpha}`, []string{"1"}, []string{"ab"}},
		{`\p{IsGreek}`, []string{"λ"}, []string{"l"}},
		{`\p{L}`, []string{"é"}, []string{"1"}},
		{`a\hb`, []string{"a b", "a\tb"}, []string{"a\nb"}},
		{`x\Ry`, []string{"x\r\ny", "x\ny"}, []string{"xy"}},
		{`\e`, []string{"\x1b"}, []string{"e"}},
		{`\0101`, []string{"A"}, []string{"0101"}},
		{`\Qa.b\E`, []string{"a.b"}, []string{"axb"}},
		{`(?<year>\d{4})`, []string{"2024"}, []string{"24"}},
		{`(?i)abc`, []string{"ABC"}, []string{"abd"}},
		{`a{2,}?`, []string{"aaa"}, []string{"a"}},
		{`a+?b`, []string{"aab"}, []string{"b"}},
		{`[]a]`, []string{"]"}, []string{"b"}},
	} {
		re, err := Compile(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		for _, s := range tc.match {
			if !re.MatchString(s) {
				t.Errorf("%s (as %s) does not match %q", tc.pattern, re, s)
			}
		}
		for _, s := range tc.nomatch {
			if re.MatchString(s) {
				t.Errorf("%s (as %s) matches %q", tc.pattern, re, s)
			}
		}
	}
}

func TestRejectsWhatRE2CannotDo(t *testing.T) {
	for pattern, want := range map[string]string{
		`(a)\1`:        "backreference",
		`(?<n>a)\k<n>`: "backreference",
		`a(?=b)`:       "lookahead",
		`a(?!b)`:       "lookahead",
		`(?<=a)b`:      "lookbehind",
		`(?<!a)b`:      "lookbehind",
		`(?>ab)`:       "atomic",
		`a++`:          "possessive",
		`a*+`:          "possessive",
		`a{2}+`:        "possessive",
		`[a-z&&[^x]]`:  "intersection",
		`[a[b]]`:       "nested",
		`(?x) a b`:     "comments",
		`abc\Z`:        `\Z`,
		`\p{InGreek}`:  "blocks",
		`\p{Nonsense}`: "unknown",
	} {
		_, err := Compile(pattern)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want one mentioning %q", pattern, err, want)
		}
	}
}

func TestTranslateReplacement(t *testing.T) {
	re := regexp.MustCompile(`(\w+)@(\w+)`)
	for repl, want := range map[string]string{
		"$2 at $1": "host at user",
		`\$1`:      "$1",
		"$1x":      "userx",
		"${1}-":    "user-",
	} {
		r, err := TranslateReplacement(repl)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.ReplaceAllString("user@host", r); got != want {
			t.Errorf("replacement %q: got %q, want %q", repl, got, want)
		}
	}
	if _, err := TranslateReplacement("$"); err == nil {
		t.Error("a lone $ was accepted")
	}
}

func TestSplitLikeJava(t *testing.T) {
	comma := regexp.MustCompile(",")
	for s, want := range map[string][]string{
		"a,b,c":    {"a", "b", "c"},
		"a,,b,,":   {"a", "", "b"},
		",a":       {"", "a"},
		",,,":      {},
		"":         {""},
		"no comma": {"no comma"},
	} {
		if got := Split(comma, s); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("Split(%q) = %q, want %q", s, got, want)
		}
	}
	if got := Split(regexp.MustCompile(""), "abc"); fmt.Sprint(got) != "[a b c]" {
		t.Errorf("split on empty pattern = %q", got)
	}
}

func FuzzTranslate(f *testing.F) {
	for _, s := range []string{`\u007C`, `[a-z]+`, `(?i)x`, `\p{Lower}`, `a{1,2}+`, `\Qx\E`, `[\h]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		tr, err := Translate(pattern)
		if err != nil {
			return
		}
		_, _ = regexp.Compile(tr) // must not panic
	})
}
