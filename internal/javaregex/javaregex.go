package javaregex

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Compile translates a Java pattern and compiles it.
func Compile(pattern string) (*regexp.Regexp, error) {
	t, err := Translate(pattern)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(t)
	if err != nil {
		return nil, fmt.Errorf("java regex %q: %w", pattern, err)
	}
	return re, nil
}

// Translate returns the RE2 equivalent of a Java pattern.
func Translate(pattern string) (string, error) {
	t := translator{src: []rune(pattern)}
	if err := t.run(); err != nil {
		return "", fmt.Errorf("java regex %q: %w", pattern, err)
	}
	return t.out.String(), nil
}

type translator struct {
	src     []rune
	i       int
	out     strings.Builder
	quantOK bool // the last token was a quantifier (for possessive detection)
}

var posixClasses = map[string]string{
	"Lower": "a-z", "Upper": "A-Z", "ASCII": `\x00-\x7F`, "Alpha": "a-zA-Z", "Digit": "0-9",
	"Alnum": "a-zA-Z0-9", "Punct": `!-/:-@\[-` + "`" + `{-~`, "Graph": `!-~`, "Print": ` -~`,
	"Blank": ` \t`, "Cntrl": `\x00-\x1F\x7F`, "XDigit": "0-9a-fA-F", "Space": ` \t\n\x0B\f\r`,
	"javaLowerCase": `\p{Ll}`, "javaUpperCase": `\p{Lu}`, "javaWhitespace": `\s\x{1C}-\x{1F}`,
	"IsAlphabetic": `\p{L}\p{Nl}`, "IsLetter": `\p{L}`, "IsDigit": `\p{Nd}`, "IsUppercase": `\p{Lu}`,
	"IsLowercase": `\p{Ll}`, "IsWhite_Space": `\s\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}`,
	"IsPunctuation": `\p{P}`,
}

const (
	horizontalSpace = `\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}`
	verticalSpace   = `\n\x0B\f\r\x{85}\x{2028}\x{2029}`
)

func (t *translator) peek(off int) rune {
	if t.i+off < len(t.src) {
		return t.src[t.i+off]
	}
	return -1
}

func (t *translator) run() error {
	for t.i < len(t.src) {
		c := t.src[t.i]
		wasQuant := t.quantOK
		t.quantOK = false
		switch c {
		case '\\':
			s, err := t.escape(false)
			if err != nil {
				return err
			}
			t.out.WriteString(s)
			continue
		case '[':
			if err := t.class(); err != nil {
				return err
			}
			continue
		case '(':
			if err := t.group(); err != nil {
				return err
			}
			continue
		case '*', '+', '?':
			if c == '+' && wasQuant {
				return fmt.Errorf("possessive quantifiers (like a++) are not supported by RE2")
			}
			t.out.WriteRune(c)
			t.i++
			if c == '?' && wasQuant { // lazy marker ends the quantifier
				continue
			}
			t.quantOK = true
			if t.peek(0) == '?' {
				t.out.WriteRune('?')
				t.i++
				t.quantOK = false
			}
			continue
		case '{':
			end := runeIndex(t.src[t.i:], '}')
			if end > 0 && isRepetition(string(t.src[t.i+1:t.i+end])) {
				t.out.WriteString(string(t.src[t.i : t.i+end+1]))
				t.i += end + 1
				t.quantOK = true
				if t.peek(0) == '?' {
					t.out.WriteRune('?')
					t.i++
					t.quantOK = false
				}
				continue
			}
			t.out.WriteString(`\{`) // Java: a brace that is not a repetition is an error; RE2 takes it literally
			t.i++
			continue
		}
		t.out.WriteRune(c)
		t.i++
	}
	return nil
}

// runeIndex returns the index of the first c in rs, or -1.
func runeIndex(rs []rune, c rune) int {
	for i, r := range rs {
		if r == c {
			return i
		}
	}
	return -1
}

// quoteEnd returns the index of the first \E in rs, or -1.
func quoteEnd(rs []rune) int {
	for i := 0; i+1 < len(rs); i++ {
		if rs[i] == '\\' && rs[i+1] == 'E' {
			return i
		}
	}
	return -1
}

func isRepetition(s string) bool {
	lo, hi, found := strings.Cut(s, ",")
	if _, err := strconv.Atoi(lo); err != nil {
		return false
	}
	if found && hi != "" {
		if _, err := strconv.Atoi(hi); err != nil {
			return false
		}
	}
	return true
}

// group handles "(" and the Java group syntaxes RE2 lacks.
func (t *translator) group() error {
	if t.peek(1) != '?' {
		t.out.WriteRune('(')
		t.i++
		return nil
	}
	switch n := t.peek(2); {
	case n == ':':
		t.out.WriteString("(?:")
		t.i += 3
		return nil
	case n == '=' || n == '!':
		return fmt.Errorf("lookahead (?%c...) is not supported by RE2", n)
	case n == '>':
		return fmt.Errorf("atomic groups (?>...) are not supported by RE2")
	case n == '<' && (t.peek(3) == '=' || t.peek(3) == '!'):
		return fmt.Errorf("lookbehind (?<%c...) is not supported by RE2", t.peek(3))
	case n == '<':
		t.out.WriteString("(?P<")
		t.i += 3
		return nil
	}
	// Inline flags: (?idmsuxU-idmsuxU) or (?flags:...)
	j := t.i + 2
	var flags strings.Builder
	for j < len(t.src) && t.src[j] != ')' && t.src[j] != ':' {
		switch f := t.src[j]; f {
		case 'i', 'm', 's', '-':
			flags.WriteRune(f)
		case 'u':
			// Unicode-aware case folding is what RE2 always does.
		case 'x':
			return fmt.Errorf("the comments flag (?x) is not supported by RE2")
		case 'd':
			return fmt.Errorf("the UNIX_LINES flag (?d) is not supported by RE2")
		case 'U':
			return fmt.Errorf("the UNICODE_CHARACTER_CLASS flag (?U) is not supported (RE2's U means ungreedy)")
		default:
			return fmt.Errorf("unknown inline flag %q", f)
		}
		j++
	}
	if j >= len(t.src) {
		return fmt.Errorf("unclosed group")
	}
	fl := strings.TrimSuffix(flags.String(), "-")
	if fl == "" {
		if t.src[j] == ':' {
			t.out.WriteString("(?:")
		} else {
			t.out.WriteString("(?:)")
		}
	} else {
		t.out.WriteString("(?" + fl + string(t.src[j]))
	}
	t.i = j + 1
	return nil
}

// class copies a character class, translating escapes inside it.
func (t *translator) class() error {
	t.out.WriteRune('[')
	t.i++
	if t.peek(0) == '^' {
		t.out.WriteRune('^')
		t.i++
	}
	first := true
	for t.i < len(t.src) {
		c := t.src[t.i]
		switch {
		case c == ']' && !first:
			t.out.WriteRune(']')
			t.i++
			return nil
		case c == '[':
			return fmt.Errorf("nested character classes (union [a[b]]) are not supported by RE2")
		case c == '&' && t.peek(1) == '&':
			return fmt.Errorf("character class intersection (&&) is not supported by RE2")
		case c == '\\':
			s, err := t.escape(true)
			if err != nil {
				return err
			}
			t.out.WriteString(s)
		default:
			if c == ']' { // leading ']' is literal in Java too
				t.out.WriteString(`\]`)
			} else {
				t.out.WriteRune(c)
			}
			t.i++
		}
		first = false
	}
	return fmt.Errorf("unclosed character class")
}

// escape translates the escape at t.i (a backslash) and advances past it.
func (t *translator) escape(inClass bool) (string, error) {
	n := t.peek(1)
	if n < 0 {
		return "", fmt.Errorf("trailing backslash")
	}
	t.i += 2
	hexRun := func(count int) (string, error) {
		if t.i+count > len(t.src) {
			return "", fmt.Errorf("malformed escape")
		}
		h := string(t.src[t.i : t.i+count])
		if _, err := strconv.ParseUint(h, 16, 32); err != nil {
			return "", fmt.Errorf("malformed escape \\%c%s", n, h)
		}
		t.i += count
		return `\x{` + h + `}`, nil
	}
	wrap := func(set string) string {
		if inClass {
			return set
		}
		return "[" + set + "]"
	}
	switch {
	case n == 'u':
		return hexRun(4)
	case n == 'x':
		if t.peek(0) == '{' {
			end := runeIndex(t.src[t.i:], '}')
			if end < 0 {
				return "", fmt.Errorf("malformed \\x{...} escape")
			}
			s := `\x` + string(t.src[t.i:t.i+end+1])
			t.i += end + 1
			return s, nil
		}
		return hexRun(2)
	case n == '0':
		j := t.i
		for j < len(t.src) && j < t.i+3 && t.src[j] >= '0' && t.src[j] <= '7' {
			j++
		}
		if j == t.i {
			return "", fmt.Errorf("malformed octal escape \\0")
		}
		v, _ := strconv.ParseUint(string(t.src[t.i:j]), 8, 32)
		t.i = j
		return fmt.Sprintf(`\x{%X}`, v), nil
	case n >= '1' && n <= '9':
		return "", fmt.Errorf("backreferences (\\%c) are not supported by RE2", n)
	case n == 'k':
		return "", fmt.Errorf("named backreferences (\\k<name>) are not supported by RE2")
	case n == 'e':
		return `\x1B`, nil
	case n == 'c':
		ctl := t.peek(0)
		if ctl < 0 {
			return "", fmt.Errorf("malformed \\c escape")
		}
		t.i++
		return fmt.Sprintf(`\x{%X}`, ctl^64), nil
	case n == 'h':
		return wrap(horizontalSpace), nil
	case n == 'H' && !inClass:
		return "[^" + horizontalSpace + "]", nil
	case n == 'v':
		return wrap(verticalSpace), nil
	case n == 'V' && !inClass:
		return "[^" + verticalSpace + "]", nil
	case n == 'R' && !inClass:
		return `(?:\r\n|[` + verticalSpace + `])`, nil
	case n == 'Z' || n == 'G' || n == 'X' || ((n == 'H' || n == 'V' || n == 'R') && inClass):
		return "", fmt.Errorf("\\%c is not supported by RE2", n)
	case n == 'Q':
		end := quoteEnd(t.src[t.i:])
		var lit string
		if end < 0 {
			lit = string(t.src[t.i:])
			t.i = len(t.src)
		} else {
			lit = string(t.src[t.i : t.i+end])
			t.i += end + 2
		}
		return regexp.QuoteMeta(lit), nil
	case n == 'p' || n == 'P':
		name := ""
		if t.peek(0) == '{' {
			end := runeIndex(t.src[t.i:], '}')
			if end < 0 {
				return "", fmt.Errorf("malformed \\%c{...}", n)
			}
			name = string(t.src[t.i+1 : t.i+end])
			t.i += end + 1
		} else if t.peek(0) >= 0 {
			name = string(t.src[t.i])
			t.i++
		}
		return property(n == 'P', name, inClass)
	case unicode.IsLetter(n) && !strings.ContainsRune("dDsSwWbBAztnrfa", n):
		return "", fmt.Errorf("unknown escape \\%c", n)
	}
	return `\` + string(n), nil
}

// property translates \p{Name} / \P{Name}.
func property(negated bool, name string, inClass bool) (string, error) {
	set, ok := posixClasses[name]
	if !ok {
		base := strings.TrimPrefix(strings.TrimPrefix(name, "Is"), "In")
		if strings.HasPrefix(name, "In") {
			return "", fmt.Errorf("unicode blocks (\\p{%s}) are not supported by RE2; use a script such as \\p{Is%s}", name, base)
		}
		base = strings.TrimPrefix(base, "general_category=")
		base = strings.TrimPrefix(base, "gc=")
		base = strings.TrimPrefix(base, "script=")
		base = strings.TrimPrefix(base, "sc=")
		if _, isCat := unicode.Categories[base]; !isCat {
			if _, isScript := unicode.Scripts[base]; !isScript {
				return "", fmt.Errorf("unknown character property \\p{%s}", name)
			}
		}
		p := `\p{` + base + `}`
		if negated {
			p = `\P{` + base + `}`
		}
		return p, nil
	}
	switch {
	case !negated && inClass:
		return set, nil
	case !negated:
		return "[" + set + "]", nil
	case inClass:
		return "", fmt.Errorf("negated class \\P{%s} inside [...] is not supported by RE2", name)
	default:
		return "[^" + set + "]", nil
	}
}

// TranslateReplacement turns a Java replacement string (Matcher.replaceAll:
// $1, ${name}, \$ for a literal dollar) into one for Go's
// Regexp.ReplaceAllString ($1 becomes ${1}, a literal $ becomes $$).
func TranslateReplacement(repl string) (string, error) {
	var b strings.Builder
	r := []rune(repl)
	for i := 0; i < len(r); i++ {
		switch c := r[i]; c {
		case '\\':
			if i+1 >= len(r) {
				return "", fmt.Errorf("java replacement %q: character to be escaped is missing", repl)
			}
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteRune(r[i])
			}
		case '$':
			if i+1 >= len(r) {
				return "", fmt.Errorf("java replacement %q: illegal group reference: group index is missing", repl)
			}
			if r[i+1] == '{' {
				end := runeIndex(r[i:], '}')
				if end < 0 {
					return "", fmt.Errorf("java replacement %q: named capturing group is missing trailing '}'", repl)
				}
				b.WriteString(string(r[i : i+end+1]))
				i += end
				continue
			}
			j := i + 1
			for j < len(r) && r[j] >= '0' && r[j] <= '9' {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf("java replacement %q: illegal group reference", repl)
			}
			b.WriteString("${" + string(r[i+1:j]) + "}")
			i = j - 1
		default:
			b.WriteRune(c)
		}
	}
	return b.String(), nil
}

// Split splits s around matches of re as Java's String.split(regex) does
// with limit 0: a zero-width match at the start produces no leading empty
// string, and trailing empty strings are removed.
func Split(re *regexp.Regexp, s string) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[1] == 0 { // zero-width match at the beginning
			continue
		}
		out = append(out, s[last:m[0]])
		last = m[1]
	}
	out = append(out, s[last:])
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return []string{}
	}
	return out
}
