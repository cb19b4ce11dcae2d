package javaregex

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// target is the dialect a Java pattern is translated into.
type target int

const (
	// targetRE2 is Go's regexp syntax. Constructs only a backtracking
	// engine can run are refused with a backtrackOnly error.
	targetRE2 target = iota
	// targetBacktrack is regexp2's syntax in its RE2 mode (Go's class
	// and escape syntax plus lookaround, backreferences, atomic groups and
	// possessive quantifiers).
	targetBacktrack
)

// backtrackOnly reports a construct RE2 cannot run but a backtracking
// engine can.
type backtrackOnly struct{ construct string }

func (e *backtrackOnly) Error() string {
	return e.construct + " needs a backtracking engine (RE2 cannot run it)"
}

// translate returns the equivalent of a Java pattern in the target
// dialect.
func translate(pattern string, to target) (string, error) {
	t := translator{src: []rune(pattern), to: to}
	if err := t.run(); err != nil {
		return "", err
	}
	return t.out.String(), nil
}

type translator struct {
	src     []rune
	i       int
	out     strings.Builder
	to      target
	groups  int  // capturing groups opened so far (for Java's backreference rule)
	quantOK bool // the last token was a quantifier (for possessive detection)
}

// backtrack returns nil when the target runs construct, the backtrackOnly
// error otherwise.
func (t *translator) backtrack(construct string) error {
	if t.to == targetBacktrack {
		return nil
	}
	return &backtrackOnly{construct}
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
				if err := t.backtrack("a possessive quantifier (like a++)"); err != nil {
					return err
				}
				t.out.WriteRune('+')
				t.i++
				continue
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
			rep, ok := "", false
			end := runeIndex(t.src[t.i:], '}')
			if end > 0 {
				rep, ok = repetition(string(t.src[t.i+1 : t.i+end+1]))
			}
			if ok {
				t.out.WriteString(rep)
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

// repetition reads the inside of a Java {n}, {n,} or {n,m} (s ends with
// the '}') and returns it with the numbers written without leading zeros,
// which Go would otherwise take for literal text.
func repetition(s string) (string, bool) {
	s, ok := strings.CutSuffix(s, "}")
	if !ok {
		return "", false
	}
	lo, hi, found := strings.Cut(s, ",")
	num := func(d string) (string, bool) {
		if d == "" || strings.Trim(d, "0123456789") != "" {
			return "", false
		}
		if d = strings.TrimLeft(d, "0"); d == "" {
			d = "0"
		}
		return d, true
	}
	lo, ok = num(lo)
	if !ok {
		return "", false
	}
	if !found {
		return "{" + lo + "}", true
	}
	if hi == "" {
		return "{" + lo + ",}", true
	}
	if hi, ok = num(hi); !ok {
		return "", false
	}
	return "{" + lo + "," + hi + "}", true
}

// group handles "(" and the Java group syntaxes RE2 lacks.
func (t *translator) group() error {
	if t.peek(1) != '?' {
		t.out.WriteRune('(')
		t.i++
		t.groups++
		return nil
	}
	switch n := t.peek(2); {
	case n == ':':
		t.out.WriteString("(?:")
		t.i += 3
		return nil
	case n == '=' || n == '!':
		return t.verbatimGroup(3, fmt.Sprintf("lookahead (?%c...)", n))
	case n == '>':
		return t.verbatimGroup(3, "an atomic group (?>...)")
	case n == '<' && (t.peek(3) == '=' || t.peek(3) == '!'):
		return t.verbatimGroup(4, fmt.Sprintf("lookbehind (?<%c...)", t.peek(3)))
	case n == '<':
		t.out.WriteString("(?P<")
		t.i += 3
		t.groups++
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
			return fmt.Errorf("the comments flag (?x) is not supported")
		case 'd':
			return fmt.Errorf("the UNIX_LINES flag (?d) is not supported")
		case 'U':
			return fmt.Errorf("the UNICODE_CHARACTER_CLASS flag (?U) is not supported (Go's U means ungreedy)")
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

// verbatimGroup copies the n-rune opening of a group only the backtracking
// engine runs (its syntax is Java's).
func (t *translator) verbatimGroup(n int, construct string) error {
	if err := t.backtrack(construct); err != nil {
		return err
	}
	t.out.WriteString(string(t.src[t.i : t.i+n]))
	t.i += n
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
			return fmt.Errorf("nested character classes (union [a[b]]) are not supported")
		case c == '&' && t.peek(1) == '&':
			return fmt.Errorf("character class intersection (&&) is not supported")
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
	case n >= '1' && n <= '9' && inClass:
		return "", fmt.Errorf("a backreference (\\%c) inside a character class is not valid Java", n)
	case n >= '1' && n <= '9':
		return t.backreference(int(n - '0'))
	case n == 'k':
		return t.namedBackreference()
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
	case (n == 'Z' || n == 'G') && !inClass:
		if err := t.backtrack(fmt.Sprintf("\\%c", n)); err != nil {
			return "", err
		}
		return `\` + string(n), nil
	case n == 'Z' || n == 'G' || n == 'X' || ((n == 'H' || n == 'V' || n == 'R') && inClass):
		return "", fmt.Errorf("\\%c is not supported", n)
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
			return "", fmt.Errorf("unicode blocks (\\p{%s}) are not supported; use a script such as \\p{Is%s}", name, base)
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
		return "", fmt.Errorf("negated class \\P{%s} inside [...] is not supported", name)
	default:
		return "[^" + set + "]", nil
	}
}

// backreference translates \n (the backslash and first digit read) with
// Java's rule: further digits belong to the number while it names a group
// opened before this point; the others are literal digits.
func (t *translator) backreference(n int) (string, error) {
	for {
		d := t.peek(0)
		if d < '0' || d > '9' || n*10+int(d-'0') > t.groups {
			break
		}
		n = n*10 + int(d-'0')
		t.i++
	}
	if err := t.backtrack(fmt.Sprintf("a backreference (\\%d)", n)); err != nil {
		return "", err
	}
	// The group keeps a literal digit that follows from joining the number.
	return fmt.Sprintf(`(?:\%d)`, n), nil
}

// namedBackreference translates \k<name> (the backslash and k read).
func (t *translator) namedBackreference() (string, error) {
	if t.peek(0) != '<' {
		return "", fmt.Errorf("\\k is not followed by '<' for a named group")
	}
	end := runeIndex(t.src[t.i:], '>')
	if end < 2 {
		return "", fmt.Errorf("malformed named backreference \\k<name>")
	}
	name := string(t.src[t.i+1 : t.i+end])
	t.i += end + 1
	if err := t.backtrack(`a named backreference (\k<` + name + `>)`); err != nil {
		return "", err
	}
	return `\k<` + name + `>`, nil
}
