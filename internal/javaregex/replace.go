package javaregex

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Replacement is a Java replacement string (Matcher.replaceAll) parsed for
// one Regexp.
type Replacement struct {
	parts    []replPart
	template []byte // Go's Regexp.Expand syntax, for RE2
	literal  []byte // the whole text when it refers to no group
	grouped  bool
}

type replPart struct {
	lit   string
	group int // -1 for literal text
}

// Replacement parses a Java replacement string for this pattern: $n is
// group n (as in Java, further digits join the number while it still names
// a group of the pattern), ${name} the named group, a backslash makes the
// next character literal (\$ for a dollar). A reference to a group the
// pattern does not have is an error, which Java reports for every event.
func (r *Regexp) Replacement(java string) (*Replacement, error) {
	rp := &Replacement{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			rp.parts = append(rp.parts, replPart{lit: lit.String(), group: -1})
			lit.Reset()
		}
	}
	fail := func(format string, args ...any) (*Replacement, error) {
		return nil, fmt.Errorf("java replacement %q: %s", java, fmt.Sprintf(format, args...))
	}
	for i := 0; i < len(java); i++ {
		switch c := java[i]; c {
		case '\\':
			if i+1 >= len(java) {
				return fail("character to be escaped is missing")
			}
			i++
			lit.WriteByte(java[i])
		case '$':
			if i+1 >= len(java) {
				return fail("illegal group reference: group index is missing")
			}
			var g int
			if java[i+1] == '{' {
				end := strings.IndexByte(java[i+2:], '}')
				if end < 0 {
					return fail("named capturing group is missing trailing '}'")
				}
				name := java[i+2 : i+2+end]
				if name == "" {
					return fail("named capturing group has 0 length name")
				}
				if g = r.SubexpIndex(name); g < 0 {
					return fail("no group with name {%s} in %q", name, r.pattern)
				}
				i += 2 + end
			} else {
				if java[i+1] < '0' || java[i+1] > '9' {
					return fail("illegal group reference")
				}
				g = int(java[i+1] - '0')
				if g > r.nsub {
					return fail("no group %d in %q (it has %d)", g, r.pattern, r.nsub)
				}
				i++
				for i+1 < len(java) && java[i+1] >= '0' && java[i+1] <= '9' {
					next := g*10 + int(java[i+1]-'0')
					if next > r.nsub {
						break
					}
					g = next
					i++
				}
			}
			flush()
			rp.parts = append(rp.parts, replPart{group: g})
			rp.grouped = true
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	for _, p := range rp.parts {
		if p.group < 0 {
			rp.literal = append(rp.literal, p.lit...)
			rp.template = append(rp.template, strings.ReplaceAll(p.lit, "$", "$$")...)
		} else {
			rp.template = append(rp.template, "${"+strconv.Itoa(p.group)+"}"...)
		}
	}
	return rp, nil
}

// ReplaceAll returns a copy of src with every match of r replaced by repl,
// which must come from r.Replacement. A group that did not take part in a
// match contributes nothing, as in Java.
//
// With RE2, an empty match right after another match is skipped (Java
// replaces it: a* in "baaac" gives "XbXcX", Java "XbXXcX"); the
// backtracking engine behaves as Java.
func (r *Regexp) ReplaceAll(src []byte, repl *Replacement) ([]byte, error) {
	if r.bt == nil {
		if !repl.grouped {
			return r.re2.ReplaceAllLiteral(src, repl.literal), nil
		}
		return r.re2.ReplaceAll(src, repl.template), nil
	}
	s := string(src)
	m, err := r.bt.FindStringMatch(s)
	if err != nil {
		return nil, r.limit(err)
	}
	if m == nil {
		return src, nil
	}
	var out bytes.Buffer
	last := 0
	for m != nil {
		idx := r.indexes(m)
		out.WriteString(s[last:idx[0]])
		for _, p := range repl.parts {
			switch {
			case p.group < 0:
				out.WriteString(p.lit)
			case idx[2*p.group] >= 0:
				out.WriteString(s[idx[2*p.group]:idx[2*p.group+1]])
			}
		}
		last = idx[1]
		if m, err = r.bt.FindNextMatch(m); err != nil {
			return nil, r.limit(err)
		}
	}
	out.WriteString(s[last:])
	return out.Bytes(), nil
}
