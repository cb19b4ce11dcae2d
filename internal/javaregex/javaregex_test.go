package javaregex

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2/v2"
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
		// Run by the backtracking engine:
		{`foo(?=bar)`, []string{"foobar"}, []string{"foobaz", "foo"}},
		{`foo(?!bar)`, []string{"foobaz", "foo"}, []string{"foobar"}},
		{`(?<=\$)\d+`, []string{"$42"}, []string{"42"}},
		{`(?<!\$)\b\d+`, []string{"42"}, []string{"$42"}},
		{`(\w)\1`, []string{"hello"}, []string{"helo"}},
		{`(?<q>['"]).*\k<q>`, []string{`'a'`, `"b"`}, []string{`'c"`}},
		{`^(?>a+)b`, []string{"aab"}, []string{"b"}},
		{`^a++a`, nil, []string{"aaa"}},
		{`^a{2}+$`, []string{"aa"}, []string{"aaa"}},
		{`abc\Z`, []string{"xabc"}, []string{"abcx"}},
		{`(?i)(ab)\1`, []string{"abAB"}, []string{"abac"}},
		// Java reads \11 as group 1 then '1' when there is only one group.
		{`^(a)\11$`, []string{"aa1"}, []string{"aaaaaaaaaaaa"}},
		{`\d+(?=\p{Lower})`, []string{"12a"}, []string{"12A"}},
		{`[\p{Digit}x](?!y)`, []string{"7z", "x"}, []string{"xy"}},
	} {
		re, err := Compile(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		for _, s := range tc.match {
			if ok, err := re.MatchString(s); !ok || err != nil {
				t.Errorf("%s (%s) does not match %q: %v", tc.pattern, re.Describe(), s, err)
			}
		}
		for _, s := range tc.nomatch {
			if ok, err := re.MatchString(s); ok || err != nil {
				t.Errorf("%s (%s) matches %q: %v", tc.pattern, re.Describe(), s, err)
			}
		}
	}
}

func TestEngineChoice(t *testing.T) {
	for pattern, want := range map[string]struct {
		engine Engine
		reason string
	}{
		`a+b`:          {RE2, ""},
		`(?<n>a)b`:     {RE2, ""},
		`a(?=b)`:       {Backtracking, "lookahead (?=...)"},
		`a(?!b)`:       {Backtracking, "lookahead (?!...)"},
		`(?<=a)b`:      {Backtracking, "lookbehind (?<=...)"},
		`(?<!a)b`:      {Backtracking, "lookbehind (?<!...)"},
		`(a)\1`:        {Backtracking, `a backreference (\1)`},
		`(?<n>a)\k<n>`: {Backtracking, `a named backreference (\k<n>)`},
		`(?>ab)`:       {Backtracking, "an atomic group (?>...)"},
		`a++`:          {Backtracking, "a possessive quantifier (like a++)"},
		`a*+`:          {Backtracking, "a possessive quantifier (like a++)"},
		`a{2}+`:        {Backtracking, "a possessive quantifier (like a++)"},
		`abc\Z`:        {Backtracking, `\Z`},
	} {
		re, err := Compile(pattern)
		if err != nil {
			t.Errorf("%s: %v", pattern, err)
			continue
		}
		if re.Engine() != want.engine || re.Reason() != want.reason {
			t.Errorf("%s: engine %s for %q, want %s for %q", pattern, re.Engine(), re.Reason(), want.engine, want.reason)
		}
		if want.engine == RE2 && (re.Timeout() != 0 || re.Describe() != "RE2") {
			t.Errorf("%s: RE2 pattern has a timeout %v / %q", pattern, re.Timeout(), re.Describe())
		}
		if want.engine == Backtracking && (re.Timeout() != DefaultTimeout || !strings.Contains(re.Describe(), want.reason)) {
			t.Errorf("%s: timeout %v, description %q", pattern, re.Timeout(), re.Describe())
		}
	}
}

func TestRejectsWhatNoEngineRuns(t *testing.T) {
	for pattern, want := range map[string]string{
		`[a-z&&[^x]]`:  "intersection",
		`[a[b]]`:       "nested",
		`(?x) a b`:     "comments",
		`\p{InGreek}`:  "blocks",
		`\p{Nonsense}`: "unknown",
		`[\1]`:         "inside a character class",
		`\X`:           `\X`,
		`(a)\2`:        "undefined group number 2", // the backtracking engine refuses an undefined group
		`\k<x>`:        "x",
		`a(?=b`:        "",
	} {
		_, err := Compile(pattern)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", pattern)) {
			t.Errorf("%s: err = %v, want one naming the pattern and mentioning %q", pattern, err, want)
		}
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		o       Options
		match   []string
		nomatch []string
	}{
		{`b`, Options{Whole: true}, []string{"b"}, []string{"abc", "b\n"}},
		{`a|ab`, Options{Whole: true}, []string{"ab", "a"}, []string{"abc"}},
		{`a(?=b)b`, Options{Whole: true}, []string{"ab"}, []string{"abb"}},
		{`abc`, Options{CaseInsensitive: true}, []string{"xAbC"}, []string{"ab"}},
		{`(a)\1`, Options{CaseInsensitive: true}, []string{"aA"}, []string{"ab"}},
		{`a.b`, Options{DotAll: true}, []string{"a\nb"}, []string{"ab"}},
		{`a.b`, Options{}, []string{"a b"}, []string{"a\nb"}},
		{`a(?!c).`, Options{DotAll: true, Whole: true}, []string{"a\n", "ab"}, []string{"ac", "a\nb"}},
	} {
		re, err := CompileOptions(tc.pattern, tc.o)
		if err != nil {
			t.Errorf("%s %+v: %v", tc.pattern, tc.o, err)
			continue
		}
		for _, s := range tc.match {
			if ok, err := re.MatchString(s); !ok || err != nil {
				t.Errorf("%s %+v (%s) does not match %q: %v", tc.pattern, tc.o, re.Describe(), s, err)
			}
		}
		for _, s := range tc.nomatch {
			if ok, err := re.MatchString(s); ok || err != nil {
				t.Errorf("%s %+v (%s) matches %q: %v", tc.pattern, tc.o, re.Describe(), s, err)
			}
		}
	}
}

// TestSubmatchIndexes checks that both engines report byte offsets (not
// rune offsets) and Java's group numbers when named and unnamed groups mix.
func TestSubmatchIndexes(t *testing.T) {
	for _, pattern := range []string{`(?<k>\w+)=([^;\s]+)`, `(?<k>\w+)=(\S+)(?=;)`} {
		re := MustCompile(pattern)
		in := "é k=vé; x"
		m, err := re.FindStringSubmatchIndex(in)
		if err != nil || m == nil {
			t.Fatalf("%s: %v %v", pattern, m, err)
		}
		if got := fmt.Sprintf("%s|%s|%s", in[m[0]:m[1]], in[m[2]:m[3]], in[m[4]:m[5]]); got != "k=vé|k|vé" {
			t.Errorf("%s (%s): groups %q", pattern, re.Engine(), got)
		}
		if re.NumSubexp() != 2 || re.SubexpIndex("k") != 1 || re.SubexpIndex("1") != -1 || re.SubexpIndex("nope") != -1 {
			t.Errorf("%s: NumSubexp %d, SubexpIndex(k) %d", pattern, re.NumSubexp(), re.SubexpIndex("k"))
		}
		mb, err := re.FindSubmatchIndex([]byte(in))
		if err != nil || fmt.Sprint(mb) != fmt.Sprint(m) {
			t.Errorf("%s: byte and string offsets differ: %v %v (%v)", pattern, mb, m, err)
		}
	}
	// A group that takes no part in the match.
	for _, pattern := range []string{`(a)|(b)`, `(a)|(b)(?!c)`} {
		m, err := MustCompile(pattern).FindStringSubmatchIndex("b")
		if err != nil || fmt.Sprint(m) != "[0 1 -1 -1 0 1]" {
			t.Errorf("%s: %v %v", pattern, m, err)
		}
	}
	if m, err := MustCompile(`x(?=y)`).FindStringSubmatchIndex("xz"); m != nil || err != nil {
		t.Errorf("no match gave %v %v", m, err)
	}
}

func TestReplaceAll(t *testing.T) {
	for _, tc := range []struct {
		pattern, repl, in, want string
	}{
		{`(\w+)@(\w+)`, "$2 at $1", "user@host", "host at user"},
		{`(\w+)@(\w+)`, `\$1`, "user@host", "$1"},
		{`(\w+)@(\w+)`, "$1x", "user@host", "userx"},
		{`(?<u>\w+)@(\w+)`, "${u}-", "user@host", "user-"},
		{`(\w+)@(\w+)`, "[$12]", "user@host", "[user2]"}, // Java: group 1, then '2'
		{`(a)|(b)`, "<$1$2>", "ab", "<a><b>"},
		{`o`, "0", "foo", "f00"},
		{`o`, `\\`, "fo", `f\`},
		// Backtracking engine:
		{`(\w)\1`, "<$1>", "aabcc", "<a>b<c>"},
		{`(?<=@)(\w+)`, "[$1]", "user@host", "user@[host]"},
		{`o(?=o)`, "0", "fooo", "f00o"},
		{`(?<u>\w+)@(?=h)`, "${u}", "user@host", "userhost"},
		{`x(?=y)`, "!", "abc", "abc"},
		{`a*+`, "X", "baaac", "XbXXcX"}, // Java's empty match after a match
	} {
		re := MustCompile(tc.pattern)
		repl, err := re.Replacement(tc.repl)
		if err != nil {
			t.Errorf("%s / %s: %v", tc.pattern, tc.repl, err)
			continue
		}
		got, err := re.ReplaceAll([]byte(tc.in), repl)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s / %s (%s) on %q: %q, %v; want %q", tc.pattern, tc.repl, re.Engine(), tc.in, got, err, tc.want)
		}
	}
	re := MustCompile(`(a)(b)`)
	for repl, want := range map[string]string{
		"$":       "group index is missing",
		"$x":      "illegal group reference",
		"$3":      "no group 3",
		"${nope}": "no group with name {nope}",
		"${}":     "0 length name",
		"${x":     "missing trailing",
		`a\`:      "to be escaped is missing",
	} {
		if _, err := re.Replacement(repl); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("replacement %q: err = %v, want one mentioning %q", repl, err, want)
		}
	}
}

// TestCatastrophicPatternTimesOut runs a pattern with exponential
// backtracking: each match gives up after its timeout with ErrMatchLimit,
// and the error names the pattern but not the input.
func TestCatastrophicPatternTimesOut(t *testing.T) {
	t.Cleanup(StopTimeoutClock) // no goroutine outlives the test
	const timeout = 50 * time.Millisecond
	re, err := CompileOptions(`^(\w+\s?)+(?=$)`, Options{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	input := strings.Repeat("secret ", 8) + strings.Repeat("x", 40) + "!"
	start := time.Now()
	ok, err := re.MatchString(input)
	elapsed := time.Since(start)
	if ok || !errors.Is(err, ErrMatchLimit) {
		t.Fatalf("match = %v, %v; want ErrMatchLimit", ok, err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("the match took %v, far beyond its %v timeout", elapsed, timeout)
	}
	if strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), fmt.Sprintf("%q", re.String())) || !strings.Contains(err.Error(), "50ms") {
		t.Errorf("error %q should name the pattern and timeout, not the input", err)
	}
	for name, f := range map[string]func() error{
		"Match":                   func() error { _, err := re.Match([]byte(input)); return err },
		"FindStringSubmatchIndex": func() error { _, err := re.FindStringSubmatchIndex(input); return err },
		"FindSubmatchIndex":       func() error { _, err := re.FindSubmatchIndex([]byte(input)); return err },
		"FindAllStringIndex":      func() error { _, err := re.FindAllStringIndex(input, -1); return err },
		"ReplaceAll": func() error {
			repl, _ := re.Replacement("x")
			_, err := re.ReplaceAll([]byte(input), repl)
			return err
		},
		"Split": func() error { _, err := Split(re, input); return err },
	} {
		if err := f(); !errors.Is(err, ErrMatchLimit) {
			t.Errorf("%s: err = %v, want ErrMatchLimit", name, err)
		}
	}
	// The same pattern on an ordinary input is quick and correct.
	if ok, err := re.MatchString("hello world"); !ok || err != nil {
		t.Errorf("ordinary input: %v %v", ok, err)
	}
}

func TestSplitLikeJava(t *testing.T) {
	for _, sep := range []string{",", `,(?=.|$)`} {
		comma := MustCompile(sep)
		for s, want := range map[string][]string{
			"a,b,c":    {"a", "b", "c"},
			"a,,b,,":   {"a", "", "b"},
			",a":       {"", "a"},
			",,,":      {},
			"":         {""},
			"no comma": {"no comma"},
		} {
			got, err := Split(comma, s)
			if err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
				t.Errorf("Split(%s, %q) = %q, %v, want %q", sep, s, got, err, want)
			}
		}
	}
	if got, _ := Split(MustCompile(""), "abc"); fmt.Sprint(got) != "[a b c]" {
		t.Errorf("split on empty pattern = %q", got)
	}
}

// FuzzTranslate compiles arbitrary patterns: neither the translation nor
// either engine may panic, and where RE2 runs a pattern the backtracking
// engine, given the same translation's backtracking form, must agree on
// whether sample inputs match (the two engines share one translator).
func FuzzTranslate(f *testing.F) {
	for _, s := range []string{`\u007C`, `[a-z]+`, `(?i)x`, `\p{Lower}`, `a{1,2}+`, `\Qx\E`, `[\h]`,
		`(a)\1`, `(?<=a)b`, `x(?!y)`, `(?>a|ab)c`, `(?<n>a)\k<n>`, `\d+\Z`, `^(\w+\s?)+$`} {
		f.Add(s)
	}
	inputs := []string{"", "a", "ab", "abc", "aab", "xyz", "a b\n", "123", "A1b2", "é"}
	f.Fuzz(func(t *testing.T, pattern string) {
		re, err := CompileOptions(pattern, Options{Timeout: 20 * time.Millisecond})
		if err != nil {
			return
		}
		for _, in := range inputs {
			_, _ = re.MatchString(in)
			_, _ = re.FindStringSubmatchIndex(in)
		}
		if re.Engine() != RE2 || strings.Contains(pattern, `\b`) || strings.Contains(pattern, `\B`) ||
			strings.Contains(pattern, "$") || strings.Contains(pattern, "(?i") {
			return // word boundaries, $ and case folding are where the engines may differ
		}
		bt, err := translate(pattern, targetBacktrack)
		if err != nil {
			t.Fatalf("RE2 runs %q but its backtracking translation fails: %v", pattern, err)
		}
		other, err := regexp2.Compile(bt, regexp2.RE2, regexp2.OptionMaintainCaptureOrder())
		if err != nil {
			return // regexp2 refuses some syntax RE2 takes (e.g. x{1001})
		}
		other.MatchTimeout = 20 * time.Millisecond
		for _, in := range inputs {
			want, _ := re.MatchString(in)
			got, err := other.MatchString(in)
			if err == nil && got != want {
				t.Errorf("%q on %q: RE2 says %v, the backtracking engine %v", pattern, in, want, got)
			}
		}
	})
}

// FuzzReplacement parses arbitrary Java replacement strings for the same
// pattern on both engines: parsing must agree, and so must the result of
// replacing (the inputs have no empty matches, where the engines differ).
func FuzzReplacement(f *testing.F) {
	for _, s := range []string{"$1", "${n}", `\$`, "$12", "x$0y", "${", "$", `\`, "$2$1", "${n}${m}"} {
		f.Add(s)
	}
	re2 := MustCompile(`(a)(?<n>b)`)
	bt := MustCompile(`(a)(?<n>b)(?=c)`)
	f.Fuzz(func(t *testing.T, repl string) {
		r1, err1 := re2.Replacement(repl)
		r2, err2 := bt.Replacement(repl)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q: RE2 parse error %v, backtracking %v", repl, err1, err2)
		}
		if err1 != nil {
			return
		}
		got1, err1 := re2.ReplaceAll([]byte("abc xabc abc"), r1)
		got2, err2 := bt.ReplaceAll([]byte("abc xabc abc"), r2)
		if err1 != nil || err2 != nil || string(got1) != string(got2) {
			t.Errorf("%q: RE2 %q (%v), backtracking %q (%v)", repl, got1, err1, got2, err2)
		}
	})
}
