package conf

import (
	"os"
	"strings"

	"github.com/flumego/flume/internal/sysprop"
)

// substitute applies Flume's ${...} substitution to every value: ${env:X},
// ${sys:X}, ${X} (another property), ${x:-default}, $${x} for a literal
// ${x}; variable names may themselves contain variables. An undefined
// variable without a default stays as written.
func (p *Properties) substitute() {
	raw := make(map[string]string, len(p.list))
	for _, prop := range p.list {
		raw[prop.Key] = prop.Value
	}
	s := substitutor{raw: raw}
	for i := range p.list {
		if strings.Contains(p.list[i].Value, "$") {
			p.list[i].Value = s.expand(p.list[i].Value, nil)
		}
	}
}

type substitutor struct {
	raw map[string]string
}

// expand replaces the variables of v. seen holds the properties being
// expanded, to stop reference cycles.
func (s substitutor) expand(v string, seen []string) string {
	var b strings.Builder
	for i := 0; i < len(v); {
		switch {
		case strings.HasPrefix(v[i:], "$${"):
			end := matchBrace(v, i+2)
			if end < 0 {
				b.WriteString(v[i:])
				return b.String()
			}
			b.WriteString(v[i+1 : end+1]) // drop one '$'
			i = end + 1
		case strings.HasPrefix(v[i:], "${"):
			end := matchBrace(v, i+1)
			if end < 0 {
				b.WriteString(v[i:])
				return b.String()
			}
			inner := s.expand(v[i+2:end], seen)
			if val, ok := s.resolve(inner, seen); ok {
				b.WriteString(val)
			} else {
				b.WriteString(v[i : end+1])
			}
			i = end + 1
		default:
			b.WriteByte(v[i])
			i++
		}
	}
	return b.String()
}

// matchBrace returns the index of the '}' closing the '{' at open.
func matchBrace(v string, open int) int {
	depth := 0
	for j := open; j < len(v); j++ {
		switch v[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func (s substitutor) resolve(expr string, seen []string) (string, bool) {
	name, def, hasDef := strings.Cut(expr, ":-")
	if val, ok := s.lookup(name, seen); ok {
		return val, true
	}
	if hasDef {
		return def, true
	}
	return "", false
}

func (s substitutor) lookup(name string, seen []string) (string, bool) {
	switch {
	case strings.HasPrefix(name, "env:"):
		n := strings.TrimPrefix(name, "env:")
		if v, ok := os.LookupEnv(n); ok {
			return v, true
		}
		name = n
	case strings.HasPrefix(name, "sys:"):
		n := strings.TrimPrefix(name, "sys:")
		if v, ok := sysprop.Get(n); ok {
			return v, true
		}
		name = n
	}
	v, ok := s.raw[name]
	if !ok {
		return "", false
	}
	for _, k := range seen {
		if k == name {
			return "", false // a cycle: leave the reference as written
		}
	}
	return s.expand(v, append(seen, name)), true
}
