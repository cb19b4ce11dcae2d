package conf

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/sysprop"
)

// Limits of ${} substitution. Without them a few lines of properties that
// each reference the previous one twice expand to gigabytes (2^n bytes for
// n lines). A value that would pass a limit is left as written and its key
// is reported as an error, which drops the component it belongs to.
const (
	// MaxSubstitutionDepth bounds how deep references nest while one value
	// is expanded: ${a} whose value holds ${b} whose value holds ${c} is 3
	// deep, and so is a reference in a variable name, ${${${x}}}.
	MaxSubstitutionDepth = 32
	// MaxSubstitutedValue bounds one value after substitution, in bytes.
	MaxSubstitutedValue = 1 << 20
	// MaxSubstitutionGrowth bounds what substitution adds to the whole
	// configuration, in bytes (the sum over every value of its expanded
	// size minus its written size).
	MaxSubstitutionGrowth = 16 << 20
)

// substitute applies Flume's ${...} substitution to every value: ${env:X},
// ${sys:X}, ${X} (another property), ${x:-default}, $${x} for a literal
// ${x}; variable names may themselves contain variables. As in Flume an
// undefined variable without a default, and a reference that would loop
// back to a property being expanded, stay as written; each is reported as a
// warning at the key whose value holds it. A value that passes one of the
// limits above stays as written and is reported as an error (see
// Unsubstituted).
func (p *Properties) substitute() {
	s := &substitutor{raw: make(map[string]string, len(p.list)), memo: map[string]string{}, failed: map[string]error{}}
	for _, prop := range p.list {
		s.raw[prop.Key] = prop.Value
	}
	for i := range p.list {
		prop := &p.list[i]
		if !strings.Contains(prop.Value, "${") {
			continue
		}
		w := walk{s: s}
		val, err := w.property(prop.Key, prop.Value)
		for _, msg := range w.warnings {
			p.Problems = append(p.Problems, flume.Problem{Severity: flume.Warning, File: prop.File, Line: prop.Line,
				Key: prop.Key, Value: prop.Value, HasValue: true, Message: msg})
		}
		if err != nil {
			if p.unsubstituted == nil {
				p.unsubstituted = map[string]bool{}
			}
			p.unsubstituted[prop.Key] = true
			p.Problems = append(p.Problems, flume.Problem{Severity: flume.Error, File: prop.File, Line: prop.Line,
				Key: prop.Key, Value: prop.Value, HasValue: true,
				Message: fmt.Sprintf("${} substitution stopped: %v; the value is left as written", err)})
			continue
		}
		prop.Value = val
	}
}

// Unsubstituted reports whether key's value could not be substituted
// because it passed a substitution limit (and holds its text as written).
func (p *Properties) Unsubstituted(key string) bool { return p.unsubstituted[key] }

// limitError reports a value that passed a substitution limit.
type limitError struct {
	msg string
	// depth is set for the nesting limit, which depends on where the
	// property was referenced from; the size limits do not.
	depth bool
}

func (e *limitError) Error() string { return e.msg }

// substitutor expands the values of one configuration. Every property is
// expanded at most once where its expansion does not depend on where it is
// referenced from (memo); one whose expansion passed a limit is remembered
// too, so that a thousand references to it cost one failed expansion.
type substitutor struct {
	raw    map[string]string
	memo   map[string]string
	failed map[string]error
	grown  int // bytes substitution added so far
}

// grow accounts for n bytes added by substitution to the configuration.
func (s *substitutor) grow(key string, n int) error {
	if n <= 0 {
		return nil
	}
	s.grown += n
	if s.grown > MaxSubstitutionGrowth {
		return &limitError{msg: fmt.Sprintf("substitutions would add more than %d bytes to the configuration in all (at %s)", MaxSubstitutionGrowth, key)}
	}
	return nil
}

// walk is the expansion of one property's value.
type walk struct {
	s *substitutor
	// chain holds the properties being expanded, the one the walk is for
	// first; a reference to one of them is a cycle.
	chain []string
	depth int
	cuts  int    // cycles cut so far: results computed meanwhile depend on chain
	cycle string // the last cycle cut, "a → b → a"
	// warnings are about the value the walk is for (not about the values of
	// the properties it references, which get their own walks).
	warnings []string
}

func (w *walk) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(w.warnings, msg) {
		w.warnings = append(w.warnings, msg)
	}
}

// expand replaces the variables of v.
func (w *walk) expand(v string) (string, error) {
	if !strings.Contains(v, "${") {
		return v, nil
	}
	w.depth++
	defer func() { w.depth-- }()
	if w.depth > MaxSubstitutionDepth {
		return "", &limitError{msg: fmt.Sprintf("references nest more than %d deep (%s)", MaxSubstitutionDepth, strings.Join(w.chain, " → ")), depth: true}
	}
	var b strings.Builder
	write := func(s string) error {
		if b.Len()+len(s) > MaxSubstitutedValue {
			return &limitError{msg: fmt.Sprintf("the value would exceed %d bytes (%s)", MaxSubstitutedValue, strings.Join(w.chain, " → "))}
		}
		b.WriteString(s)
		return nil
	}
	for i := 0; i < len(v); {
		j := strings.IndexByte(v[i:], '$')
		if j < 0 {
			if err := write(v[i:]); err != nil {
				return "", err
			}
			break
		}
		if err := write(v[i : i+j]); err != nil {
			return "", err
		}
		i += j
		var err error
		switch {
		case strings.HasPrefix(v[i:], "$${"):
			end := matchBrace(v, i+2)
			if end < 0 {
				err, i = write(v[i:]), len(v)
				break
			}
			err, i = write(v[i+1:end+1]), end+1 // drop one '$'
		case strings.HasPrefix(v[i:], "${"):
			end := matchBrace(v, i+1)
			if end < 0 {
				err, i = write(v[i:]), len(v)
				break
			}
			var val string
			val, err = w.reference(v[i : end+1])
			if err == nil {
				err = write(val)
			}
			i = end + 1
		default:
			err, i = write("$"), i+1
		}
		if err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// reference returns the expansion of ref, "${...}", or ref itself when it
// is undefined or its expansion loops back to a property being expanded.
func (w *walk) reference(ref string) (string, error) {
	cuts := w.cuts
	expr, err := w.expand(ref[2 : len(ref)-1])
	if err != nil {
		return "", err
	}
	name, def, hasDef := strings.Cut(expr, ":-")
	val, found, err := w.lookup(name)
	switch {
	case err != nil:
		return "", err
	case w.cuts > cuts:
		if len(w.chain) == 1 {
			w.warn("%s is left as written, as Flume does: circular reference %s", ref, w.cycle)
		}
		return ref, nil
	case found:
		return val, nil
	case hasDef:
		return def, nil
	}
	if len(w.chain) == 1 && !strings.Contains(name, "${") && !isFilterReference(name) {
		w.warn("${%s} is not defined (no such property or variable, and no :-default); it is left as written, as Flume does", name)
	}
	return ref, nil
}

// isFilterReference reports whether name has the shape of a config filter
// reference, f1['key'] (well formed or not): those are the config filters'
// to resolve and report (configfilter.go), after substitution.
func isFilterReference(name string) bool {
	open := strings.IndexByte(name, '[')
	return open > 0 && strings.HasSuffix(name, "]")
}

// lookup resolves a variable name: an environment variable (env:X), a
// system property (sys:X), and otherwise, or when those are not set, the
// property X, expanded.
func (w *walk) lookup(name string) (string, bool, error) {
	switch {
	case strings.HasPrefix(name, "env:"):
		n := strings.TrimPrefix(name, "env:")
		if v, ok := os.LookupEnv(n); ok {
			return v, true, nil
		}
		name = n
	case strings.HasPrefix(name, "sys:"):
		n := strings.TrimPrefix(name, "sys:")
		if v, ok := sysprop.Get(n); ok {
			return v, true, nil
		}
		name = n
	}
	raw, ok := w.s.raw[name]
	if !ok {
		return "", false, nil
	}
	if i := slices.Index(w.chain, name); i >= 0 {
		w.cuts++
		w.cycle = strings.Join(append(slices.Clone(w.chain[i:]), name), " → ")
		return "", false, nil
	}
	val, err := w.property(name, raw)
	return val, err == nil, err
}

// property expands the value raw of property name, or returns what an
// earlier expansion found.
func (w *walk) property(name, raw string) (string, error) {
	if v, ok := w.s.memo[name]; ok && len(w.chain) > 0 {
		return v, nil
	}
	if err, ok := w.s.failed[name]; ok {
		return "", err
	}
	w.chain = append(w.chain, name)
	cuts := w.cuts
	val, err := w.expand(raw)
	w.chain = w.chain[:len(w.chain)-1]
	if _, counted := w.s.memo[name]; err == nil && !counted {
		err = w.s.grow(name, len(val)-len(raw))
		if err == nil && w.cuts == cuts {
			w.s.memo[name] = val // the same wherever name is referenced from
		}
	}
	var le *limitError
	if errors.As(err, &le) && !le.depth {
		w.s.failed[name] = err
	}
	return val, err
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
